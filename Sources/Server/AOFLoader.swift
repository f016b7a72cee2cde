import Bytes
import Commands
import Glibc
import Keyspace
import Persistence
import RESP
import Synchronization

/// Start-up replay of the append-only file (Redis loadAppendOnlyFiles): the manifest's base, then
/// its incremental files, each command run through the real Dispatcher by an internal client
/// (Redis's fake client), with propagation still off. While replaying, keys never expire (the
/// client's clock reads 0, Redis's `server.loading` rule): the log itself holds the DELs of keys
/// that expired, and anything past its deadline expires normally once the server runs.
enum AOFLoader {
    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    /// Replays the AOF under `aof.directory`, if a manifest exists. Returns the manifest (nil =
    /// no AOF yet). Throws a message naming the file and offset when start-up must stop.
    static func load(aof: AppendOnlyFile, context: ServerContext, settings: Settings, logger: Logger,
                     progress: StartupLoader? = nil) throws -> AOFManifest? {
        guard let text = readFile(aof.manifestPath) else {
            if errno != ENOENT { throw LoadError(description: "Can't open the AOF manifest \(aof.manifestPath): \(String(cString: strerror(errno)))") }
            return nil
        }
        let manifest: AOFManifest
        do {
            manifest = try AOFManifest.parse(String(decoding: text, as: UTF8.self))
        } catch {
            throw LoadError(description: "Invalid AOF manifest file format \(aof.manifestPath): \(error)")
        }
        let start = Clock.systemMilliseconds()
        let client = Client(context: context,
                            info: ClientInfo(id: context.makeClientID(), address: Array("aof".utf8), localAddress: [],
                                             fd: -1, createdAt: start),
                            stats: WorkerStats())
        client.replaying = true
        // The replay runs at time 0 (nothing expires); give the shards' access clocks the real time
        // first, so loaded keys are not idle since 1970 (OBJECT IDLETIME).
        for shard in context.keyspace.shards {
            shard.lock()
            _ = shard.peek(database: 0, key: UnsafeRawBufferPointer(start: nil, count: 0), hash: 0, now: start)
            shard.unlock()
        }
        let files = manifest.loadOrder
        var total = 0
        // INFO loading_total_bytes / loading_loaded_bytes and a progress line every few seconds.
        progress?.totalBytes.store(files.reduce(0) { $0 + Int(aof.fileSize(aof.path($1.name))) }, ordering: .relaxed)
        var loadedBefore = 0
        var nextLog = StartupLoader.monotonicMilliseconds() + StartupLoader.progressLogIntervalMilliseconds
        for (index, file) in files.enumerated() {
            let path = aof.path(file.name)
            guard let bytes = readFile(path) else {
                // Redis: a missing file in the manifest is fatal ("The AOF file ... doesn't exist").
                throw LoadError(description: "The AOF file \(file.name) doesn't exist")
            }
            if bytes.isEmpty { continue }
            let isLast = index == files.count - 1
            let result: AOFLoadResult
            do {
                result = try replay(bytes, client: client, fileName: file.name) { offset in
                    progress?.loadedBytes.store(loadedBefore + offset, ordering: .relaxed)
                    let now = StartupLoader.monotonicMilliseconds()
                    if now >= nextLog {
                        nextLog = now + StartupLoader.progressLogIntervalMilliseconds
                        logger.notice("Loading the append only file: \(loadedBefore + offset) bytes replayed")
                    }
                }
            } catch let error as LoadError {
                throw error
            } catch {
                throw LoadError(description: "Bad file format reading the append only file \(file.name): \(error). Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>")
            }
            loadedBefore += bytes.count
            total += result.commands
            if result.truncated {
                guard isLast && settings.aofLoadTruncated else {
                    throw LoadError(description: "Unexpected end of file reading the append only file \(file.name) at offset \(result.validLength). You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.")
                }
                logger.warning("!!! Warning: short read while loading the AOF file \(file.name)!!!")
                logger.warning("!!! Truncating the AOF \(file.name) at offset \(result.validLength) !!!")
                do {
                    try AOFReader.truncateFile(path, to: result.validLength)
                } catch {
                    throw LoadError(description: "Error truncating the AOF file \(file.name): \(error)")
                }
                logger.warning("AOF \(file.name) loaded anyway because aof-load-truncated is enabled")
            }
        }
        client.releaseSessionState()
        let seconds = Double(Clock.systemMilliseconds() - start) / 1000
        logger.notice("DB loaded from append only file: \(String(format3: seconds)) seconds, \(total) commands")
        return manifest
    }

    /// One file's commands through the dispatcher. An RDB image at its start (a `.base.rdb`, what
    /// redis-server writes with its default aof-use-rdb-preamble yes, or an old preamble AOF) goes
    /// straight into the keyspace, expired keys included: the log that follows decides their fate.
    static func replay(_ bytes: [UInt8], client: Client, fileName: String,
                       progress: (Int) -> Void = { _ in }) throws -> AOFLoadResult {
        var commands = 0
        var ranges: [ArgumentRange] = []
        var failure: LoadError?
        let result = try bytes.withUnsafeBytes { file in
            try AOFReader.load(file, keys: { key throws(PersistenceError) in
                _ = try KeyspaceLoader.insert(key, into: client.keyspace, now: 0, dropExpired: false)
            }, command: { command throws(PersistenceError) in
                guard failure == nil else { return }
                ranges.removeAll(keepingCapacity: true)
                for argument in command.arguments {
                    ranges.append(ArgumentRange(offset: argument.baseAddress.map { $0 - file.baseAddress! } ?? 0,
                                                count: argument.count))
                }
                ranges.withUnsafeBufferPointer { rangePointer in
                    client.args = Arguments(base: file.baseAddress!, ranges: rangePointer.baseAddress!, count: ranges.count)
                    Dispatcher.execute(client)
                }
                client.args = Arguments.empty
                if client.command == nil {
                    let name = String(decoding: command.arguments[0].prefix(64), as: UTF8.self)
                    failure = LoadError(description: "Unknown command '\(name)' reading the append only file \(fileName) at offset \(command.offset)")
                }
                client.reply.buffer.clear()
                commands &+= 1
                if commands & 1023 == 0 { progress(command.offset) }
            })
        }
        if let failure { throw failure }
        return result
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }
}

extension String {
    /// Three decimals, without Foundation.
    init(format3 value: Double) {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        self = "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
