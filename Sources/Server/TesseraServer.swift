import Bytes
import CLinux
import Commands
import Glibc
import Keyspace
import Networking
import Synchronization

/// The composition root: settings, keyspace, command context, listeners and one worker per
/// io-thread. Implements `ServerControl` for the admin commands.
public final class TesseraServer: ServerControl, @unchecked Sendable {
    public let clock: Clock
    public let logger: Logger
    public let keyspace: Keyspace
    /// Set once in init, before any thread starts.
    public private(set) var context: ServerContext!
    private let settings: Mutex<Settings>
    private var workers: [Worker] = []
    private var threads: [OSThread] = []
    private var listeners: [Listener] = []
    private let stopping = Atomic<Bool>(false)
    private let connectedClients = Atomic<Int>(0)
    private let registry = Mutex<[Int: (ClientInfo, Worker)]>([:])
    /// SHUTDOWN asked to stop (true once its final save, if any, is done and the locks are held).
    private let shutdownRequested = Mutex<ShutdownRequest?>(nil)
    /// SAVE/BGSAVE/save rules (set once in init).
    private(set) var snapshotter: Snapshotter!
    /// The start-up load of the dump and its progress (INFO).
    let startupLoader = StartupLoader()
    private let statsBaseline = Mutex(StatsTotals())
    private let operationSamples = Mutex(InstantaneousMetric())
    let runID: String
    /// The append-only file (active while appendonly is on).
    private(set) var aof: AppendOnlyFile!
    var aofThread: OSThread?
    /// Replays the AOF at start-up while the event loops answer -LOADING (set and joined by the
    /// main thread).
    var aofLoadThread: OSThread?
    /// The engine the event loops use: io-engine, unless the kernel refused io_uring (set in start,
    /// before the loops run).
    public private(set) var ioEngine: IOEngine = .epoll
    /// The port actually bound (differs from the setting when it is 0).
    public private(set) var boundPort: Int = 0

    public init(settings: Settings, clock: Clock = .system()) {
        self.clock = clock
        self.settings = Mutex(settings)
        logger = Logger(level: settings.logLevel, path: settings.logFile)
        var seed: UInt64 = 0
        withUnsafeMutableBytes(of: &seed) { _ = tessera_getrandom($0.baseAddress, 8) }
        keyspace = Keyspace(shardCount: settings.shards, databaseCount: settings.databases, hashSeed: seed)
        runID = TesseraServer.randomHex(40)
        context = ServerContext(keyspace: keyspace, clock: clock, control: self)
        let context = self.context!
        snapshotter = Snapshotter(server: self, startTime: context.startTime)
        aof = AppendOnlyFile(settings: settings, propagation: context.propagation, keyspace: keyspace, logger: logger)
        context.events.classes = settings.keyspaceEvents
        // Runs under the shard lock, on whichever thread expired the key: notify and break WATCHes.
        let keyspace = self.keyspace
        keyspace.expirationHandler = { database, key in
            context.events.notify(.expired, "expired", key: key, database: database)
            context.watches.touch(database: database, key: key)
            // Expired keys reach the AOF as DEL (Redis propagateDeletion), still under the shard lock.
            if context.propagation.isEnabled {
                context.propagation.appendExpired(database: database, key: key,
                                                  shard: keyspace.shardIndex(hash: keyspace.hash(key)))
            }
        }
    }

    public var currentSettings: Settings { settings.withLock { $0 } }
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    // MARK: Start and stop

    /// Binds every configured address and starts the workers. Throws if nothing could be bound.
    public func start() throws {
        let settings = currentSettings
        try applySecurityAtStartup(settings)
        for entry in settings.bind {
            let optional = entry.hasPrefix("-")
            let host = optional ? String(entry.dropFirst()) : entry
            do {
                let fd = try Socket.listenTCP(host: host, port: boundPort == 0 ? settings.port : boundPort,
                                              backlog: Int32(settings.tcpBacklog))
                if boundPort == 0 { boundPort = Socket.boundPort(fd) }
                listeners.append(Listener(fd: fd, isUnix: false, unixPath: nil))
            } catch let error as SystemError where optional && (error.errno == EADDRNOTAVAIL || error.errno == EAFNOSUPPORT) {
                logger.notice("Skipping optional bind address \(host): \(error)")
            }
        }
        if !settings.unixSocket.isEmpty {
            let mode = settings.unixSocketPermissions == 0 ? nil : mode_t(settings.unixSocketPermissions)
            let fd = try Socket.listenUnix(path: settings.unixSocket, mode: mode, backlog: Int32(settings.tcpBacklog))
            listeners.append(Listener(fd: fd, isUnix: true, unixPath: settings.unixSocket))
        }
        guard !listeners.isEmpty else { throw SystemError("no listening socket", errno: EINVAL) }
        if !settings.pidFile.isEmpty, let file = fopen(settings.pidFile, "w") {
            fputs("\(getpid())\n", file)
            fclose(file)
        }
        // Before any event loop runs: the LOADING gate must be up before the first command.
        // (When the append-only file is enabled it is loaded instead, as in Redis.)
        if settings.appendOnly {
            beginAppendOnlyLoad(settings)
        } else {
            startupLoader.begin(path: settings.dbFilename, server: self)
        }
        snapshotter.updateWriteGate(settings)
        ioEngine = Worker.probeEngine(settings.ioEngine, logger: logger)
        let count = settings.ioThreads
        for index in 0..<count {
            let owned = stride(from: index, to: keyspace.shardCount, by: count).map { keyspace.shards[$0] }
            workers.append(try Worker(index: index, server: self, ownedShards: owned))
        }
        let listeners = self.listeners
        for worker in workers {
            threads.append(OSThread(name: "tessera-io-\(worker.index)") { worker.run(listeners: listeners) })
        }
        logger.notice("Tessera \(ServerIdentity.tesseraVersion) started, pid=\(getpid()), port=\(boundPort), io-threads=\(count), io-engine=\(ioEngine.rawValue), shards=\(keyspace.shardCount)")
        logger.notice("Ready to accept connections")
    }

    /// Blocks the calling thread until SIGTERM/SIGINT (or SHUTDOWN), then stops gracefully.
    /// The caller must have blocked those signals in every thread (see `blockTerminationSignals`).
    /// With save rules set, a signal saves first (Redis's prepareForShutdown); if that save fails
    /// the server keeps running, as Redis does.
    public func runUntilTerminated() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        while true {
            var received: Int32 = 0
            sigwait(&signals, &received)
            if let request = shutdownRequested.withLock({ $0 }) {
                stop(joiningWorkers: !request.saved)
                if request.saved { _exit(0) }
                return
            }
            logger.notice(received == SIGINT ? "Received SIGINT scheduling shutdown..." : "Received SIGTERM scheduling shutdown...")
            logger.notice("User requested shutdown...")
            if context.isLoading || currentSettings.saveRules.isEmpty {
                stop(joiningWorkers: true)
                return
            }
            if snapshotter.shutdownSave() {
                // Every shard stays locked: no write can be acknowledged after the dump. Event loops
                // blocked on a shard lock never finish, so exit without joining or running exit hooks.
                stop(joiningWorkers: false)
                _exit(0)
            }
            logger.warning("SIGTERM received but errors trying to shut down the server, check the logs for more information")
        }
    }

    /// Blocks SIGTERM/SIGINT (inherited by threads created afterwards) and ignores SIGPIPE.
    public static func blockTerminationSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Stops accepting, lets each worker flush and close its clients, and releases resources.
    /// `joiningWorkers` is false after a final save that keeps every shard locked: event loops
    /// blocked on a shard lock would never finish, and the process exits right after this.
    public func stop(joiningWorkers: Bool = true) {
        stopping.store(true, ordering: .relaxed)
        startupLoader.cancel()
        if joiningWorkers { snapshotter.cancelBackground() }
        for worker in workers { worker.wakeup.signal() }
        if joiningWorkers { for thread in threads { thread.join() } }
        aofLoadThread?.join()
        // Last, so every acknowledged write is in the AOF, and synced, before the process exits.
        stopAppendOnlyFile(waitingForRewrite: joiningWorkers)
        for listener in listeners { Glibc.close(listener.fd) }
        let settings = currentSettings
        if !settings.unixSocket.isEmpty { unlink(settings.unixSocket) }
        if !settings.pidFile.isEmpty { unlink(settings.pidFile) }
        logger.notice("Tessera is now ready to exit, bye bye...")
    }

    func requestShutdown(saved: Bool) {
        shutdownRequested.withLock { $0 = ShutdownRequest(saved: saved) }
        Glibc.kill(getpid(), SIGTERM)
    }

    // MARK: Clients

    /// Reserves a client slot under `maxclients`.
    func admitClient() -> Bool {
        let limit = currentSettings.maxClients
        let previous = connectedClients.add(1, ordering: .relaxed).oldValue
        if previous >= limit {
            connectedClients.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func register(_ info: ClientInfo, worker: Worker) {
        registry.withLock { $0[info.id] = (info, worker) }
    }

    func releaseClient(_ info: ClientInfo?) {
        connectedClients.subtract(1, ordering: .relaxed)
        if let info { _ = registry.withLock { $0.removeValue(forKey: info.id) } }
    }

    var connectedClientCount: Int { connectedClients.load(ordering: .relaxed) }
    var allWorkerStats: [WorkerStats] { workers.map(\.stats) }

    // MARK: ServerControl

    public func info(sections: [[UInt8]]) -> [UInt8] {
        InfoReport(server: self).render(sections: sections.map { String(decoding: $0, as: UTF8.self) })
    }

    public func configGet(patterns: [[UInt8]]) -> [([UInt8], [UInt8])] {
        let settings = currentSettings
        var result: [([UInt8], [UInt8])] = []
        for directive in Directive.all where !directive.hidden {
            let name = Array(directive.name.utf8)
            let matches = patterns.contains { pattern in
                pattern.withUnsafeBytes { p in name.withUnsafeBytes { ByteStrings.globMatch(pattern: p, string: $0, ignoringCase: true) } }
            }
            if matches { result.append((name, Array(directive.get(settings).utf8))) }
        }
        return result
    }

    public func configSet(_ pairs: [([UInt8], [UInt8])]) -> [UInt8]? {
        settings.withLock { settings in
            var updated = settings
            for (rawName, rawValue) in pairs {
                let name = String(decoding: rawName, as: UTF8.self)
                guard let directive = Directive.named(name), !directive.hidden else {
                    return Array("ERR Unknown option or number of arguments for CONFIG SET - '\(name)'".utf8)
                }
                guard directive.mutable else {
                    return Array("ERR CONFIG SET failed (possibly related to argument '\(directive.name)') - can't set immutable config".utf8)
                }
                // Redis: PROTECTED_CONFIG needs enable-protected-configs (we cannot tell a local
                // connection here, so "local" counts as "no").
                if directive.isProtected && updated.enableProtectedConfigs != "yes" {
                    return Array("ERR CONFIG SET failed (possibly related to argument '\(directive.name)') - can't set protected config".utf8)
                }
                let value = String(decoding: rawValue, as: UTF8.self)
                var words = directive.name == "bind" ? value.split(separator: " ").map(String.init) : [value]
                if directive.name == "save" {
                    // CONFIG SET save replaces the rules ("" clears them); a file's lines accumulate.
                    updated.saveRules = []
                    if !value.isEmpty { words = value.split(separator: " ").map(String.init) }
                }
                if let reason = directive.set(&updated, words) {
                    return Array("ERR CONFIG SET failed (possibly related to argument '\(directive.name)') - \(reason)".utf8)
                }
            }
            if updated.appendOnly != settings.appendOnly {
                if updated.appendOnly {
                    if let reason = enableAppendOnlyFileAtRunTime() {
                        return Array("ERR CONFIG SET failed (possibly related to argument 'appendonly') - \(reason)".utf8)
                    }
                } else {
                    aof.deactivate()
                }
            }
            let previous = settings
            settings = updated
            snapshotter.updateWriteGate(updated)
            aof.setPolicy(updated.appendFsync)
            applyRuntimeSecurity(from: previous, to: updated)
            logger.setLevel(updated.logLevel)
            context.events.classes = updated.keyspaceEvents
            return nil
        }
    }

    public func clients() -> [ClientInfo] {
        registry.withLock { $0.values.map(\.0) }.sorted { $0.id < $1.id }
    }

    public func kill(clientID: Int) -> Bool {
        guard let (info, worker) = registry.withLock({ $0[clientID] }) else { return false }
        info.killRequested.store(true, ordering: .relaxed)
        worker.wakeup.signal()
        return true
    }

    /// SHUTDOWN [SAVE|NOSAVE]: saves when asked to or when save rules are set (never while loading:
    /// the dataset is partial). A failed save refuses the shutdown with Redis's error. After a
    /// successful save this never returns: the shard locks stay held and the main thread exits.
    public func shutdown(save: Bool?) -> [UInt8]? {
        logger.notice("User requested shutdown...")
        let wantsSave = !context.isLoading && (save ?? !currentSettings.saveRules.isEmpty)
        guard wantsSave else {
            requestShutdown(saved: false)
            return nil
        }
        guard snapshotter.shutdownSave() else {
            logger.warning("Errors trying to shut down the server. Check the logs for more information.")
            return Array("ERR Errors trying to SHUTDOWN. Check logs.".utf8)
        }
        requestShutdown(saved: true)
        while true { pause() }
    }

    public func save() -> [UInt8]? { snapshotter.save() }

    public func backgroundSave(schedule: Bool, inTransaction: Bool) -> Result<[UInt8], SnapshotRefusal> {
        snapshotter.backgroundSave(schedule: schedule, inTransaction: inTransaction)
    }

    public func lastSaveTime() -> Int { snapshotter.lastSaveTime }

    /// Save rules, from worker 0's housekeeping (every 100 ms).
    func snapshotCron(now: Int64) { snapshotter.cron(now: now) }

    public func totalCommandsProcessed() -> Int { statsTotals().commandsProcessed }

    /// INFO stats figures since start or the last CONFIG RESETSTAT.
    func statsTotals() -> StatsTotals {
        let raw = StatsTotals(workers: allWorkerStats, expiredKeys: keyspace.expiredKeys)
        return raw - statsBaseline.withLock { $0 }
    }

    /// Called by worker 0 every 100 ms (Redis's STATS_METRIC_SAMPLE period).
    func sampleInstantaneousMetrics(now: Int64) {
        let commands = StatsTotals(workers: allWorkerStats, expiredKeys: 0).commandsProcessed
        operationSamples.withLock { $0.record(count: commands, at: now) }
        refreshMemoryMeasurement()
    }

    /// instantaneous_ops_per_sec: the mean rate over the last 16 samples, as Redis computes it.
    var instantaneousOperationsPerSecond: Int { operationSamples.withLock { $0.perSecond } }

    public func resetStatistics() {
        let raw = StatsTotals(workers: allWorkerStats, expiredKeys: keyspace.expiredKeys)
        statsBaseline.withLock { $0 = raw }
    }

    public func rewriteConfig() -> [UInt8]? {
        let settings = currentSettings
        guard !settings.configFile.isEmpty else {
            return Array("ERR The server is running without a config file".utf8)
        }
        do {
            try ConfigRewriter.rewrite(path: settings.configFile, settings: settings)
            logger.notice("CONFIG REWRITE executed with success.")
            return nil
        } catch {
            logger.warning("CONFIG REWRITE failed: \(error)")
            return Array("ERR Rewriting config file: \(error)".utf8)
        }
    }

    static func randomHex(_ count: Int) -> String {
        var bytes = [UInt8](repeating: 0, count: count / 2)
        _ = bytes.withUnsafeMutableBytes { tessera_getrandom($0.baseAddress, $0.count) }
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }
}

/// Redis's `trackInstantaneousMetric`: a ring of per-second rates sampled every 100 ms.
struct InstantaneousMetric: Sendable {
    private var samples = [Int](repeating: 0, count: 16)
    private var index = 0
    private var lastCount = 0
    private var lastTime: Int64 = 0

    mutating func record(count: Int, at now: Int64) {
        defer { lastCount = count; lastTime = now }
        guard lastTime > 0, now > lastTime else { return }
        samples[index] = (count - lastCount) * 1000 / Int(now - lastTime)
        index = (index + 1) % samples.count
    }

    var perSecond: Int { samples.reduce(0, +) / samples.count }
}

/// What SHUTDOWN asked the main thread to do.
struct ShutdownRequest: Sendable {
    /// The final save is done and every shard is locked: exit without joining the event loops.
    let saved: Bool
}
