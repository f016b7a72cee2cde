import Bytes
import Commands
import Glibc
import Keyspace
import Networking
import Persistence
import Synchronization

/// The append-only file in Redis 7's multi-part layout (`<dir>/<appenddirname>/`: a base file, one
/// incremental file we append to, and `<appendfilename>.manifest`). Drains the propagation log
/// (Commands/Core/Propagation.swift) into the incremental file:
///
/// - `always`: a worker holds back the replies of a read batch until `ensureDurable` says their
///   records are written and fdatasync'ed. Group commit: whoever takes the writer lock first writes
///   and syncs everything pending, from every client and loop, and publishes `durableOffset`; the
///   others find their records already covered and return without a syscall.
/// - `everysec`: workers write(2) at the end of each loop iteration (try-lock: if another thread is
///   writing, it takes our bytes too); the background thread fdatasyncs once a second.
/// - `no`: like everysec without the fsync.
///
/// Lock order: writer lock → propagation log lock (a leaf). Never a shard lock under the writer lock,
/// except the rewrite's dump, which takes shard locks without holding the writer lock.
final class AppendOnlyFile: @unchecked Sendable {
    let propagation: Propagation
    let logger: Logger
    let keyspace: Keyspace
    let directory: String
    let filename: String
    private let policyRaw: Atomic<Int>
    /// Guards everything below that is not atomic.
    let writer = PlainLock()
    var manifest = AOFManifest()
    var fd: Int32 = -1
    /// Bytes taken from the log but not yet written (kept across a failed write).
    var pending = ByteBuffer(capacity: 64 * 1024)
    var pendingEnd: Int64 = 0
    private var lastErrorLog: Int64 = 0
    /// Log offsets: written to the file / written and synced.
    let writtenOffset = Atomic<Int64>(0)
    let durableOffset = Atomic<Int64>(0)
    // INFO persistence.
    let currentSize = Atomic<Int64>(0)
    let baseSize = Atomic<Int64>(0)
    let lastWriteOK = Atomic<Bool>(true)
    let rewriteInProgress = Atomic<Bool>(false)
    let rewriteScheduled = Atomic<Bool>(false)
    let rewriteStarted = Atomic<Int64>(0)
    let lastRewriteSeconds = Atomic<Int64>(-1)
    let lastRewriteOK = Atomic<Bool>(true)
    let rewrites = Atomic<Int>(0)
    let lastFsyncMilliseconds = Atomic<Int64>(0)
    let rewriteThreads = Mutex<[OSThread]>([])
    private let active = Atomic<Bool>(false)
    /// Test knob (environment `TESSERA_TEST_AOF_SWITCH_DELAY_US`, like Redis's
    /// `rdb-key-save-delay`): a rewrite sleeps this long between ending its capture and writing
    /// the old file, so tests can make writes land in that window. 0 in production.
    let switchDelayMicroseconds: UInt32 = {
        guard let text = getenv("TESSERA_TEST_AOF_SWITCH_DELAY_US"), let value = UInt32(String(cString: text)) else { return 0 }
        return min(value, 1_000_000)
    }()

    init(settings: Settings, propagation: Propagation, keyspace: Keyspace, logger: Logger) {
        self.propagation = propagation
        self.logger = logger
        self.keyspace = keyspace
        directory = settings.appendDirname  // relative to `dir`, the working directory
        filename = settings.appendFilename
        policyRaw = Atomic(AppendOnlyFile.code(settings.appendFsync))
    }

    static func code(_ policy: AppendFsync) -> Int { policy == .always ? 0 : policy == .everysec ? 1 : 2 }
    var policy: AppendFsync {
        switch policyRaw.load(ordering: .relaxed) { case 0: return .always; case 1: return .everysec; default: return .no }
    }
    func setPolicy(_ policy: AppendFsync) { policyRaw.store(AppendOnlyFile.code(policy), ordering: .relaxed) }
    var isAlways: Bool { policyRaw.load(ordering: .relaxed) == 0 }
    var isActive: Bool { active.load(ordering: .acquiring) }
    /// Workers hold replies back until durable (appendfsync always, AOF on).
    var holdsReplies: Bool { isAlways && isActive }

    func activate() { active.store(true, ordering: .releasing) }

    /// Stops logging (CONFIG SET appendonly no, shutdown): what is pending is written and synced.
    func deactivate() {
        guard isActive else { return }
        propagation.setEnabled(false)
        active.store(false, ordering: .releasing)
        close()
        // Let clients waiting for a group commit go.
        durableOffset.store(Int64.max, ordering: .releasing)
    }

    /// CONFIG SET appendonly yes: the directory and the previous manifest (its files become history
    /// when the starting rewrite completes). Until then there is no incremental file: records are
    /// dropped, as the rewrite's base and capture hold their effect.
    func prepareRunTimeStart() throws {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw SystemError("Can't create the append-only directory \(directory)", errno: errno)
        }
        writer.lock()
        defer { writer.unlock() }
        if let text = AOFLoader.readFile(manifestPath),
           let existing = try? AOFManifest.parse(String(decoding: text, as: UTF8.self)) {
            manifest = existing
        } else {
            manifest = AOFManifest()
        }
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        pending.clear()
        _ = propagation.take(appendingTo: &pending)
        pending.clear()
        durableOffset.store(0, ordering: .releasing)
        writtenOffset.store(0, ordering: .releasing)
        currentSize.store(0, ordering: .relaxed)
        baseSize.store(0, ordering: .relaxed)
    }

    func path(_ name: String) -> String { directory + "/" + name }
    var manifestPath: String { path(AOFManifest.manifestName(appendFilename: filename)) }

    // MARK: Opening (after loading, before the workers start)

    /// Opens the last incremental file for appending, creating the directory, an empty base and a
    /// first incremental file when there is no AOF yet (Redis aofOpenIfNeededOnServerStart).
    func openForAppend(existing: AOFManifest?) throws {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw SystemError("Can't create the append-only directory \(directory)", errno: errno)
        }
        if var manifest = existing, !manifest.incremental.isEmpty || manifest.base != nil {
            if manifest.incremental.isEmpty {
                let sequence = (manifest.incremental.last?.sequence ?? 0) + 1
                manifest.incremental.append(.init(name: AOFManifest.incrementalName(appendFilename: filename, sequence: sequence),
                                                  sequence: sequence, type: .incremental))
                try persistManifest(manifest)
            }
            self.manifest = manifest
        } else {
            // An empty dataset still gets a base (the dump of whatever is loaded: nothing, or an RDB).
            let base = AOFManifest.FileInfo(name: AOFManifest.baseName(appendFilename: filename, sequence: 1, rdbPreamble: false),
                                            sequence: 1, type: .base)
            try writeBase(named: base.name)
            let incr = AOFManifest.FileInfo(name: AOFManifest.incrementalName(appendFilename: filename, sequence: 1),
                                            sequence: 1, type: .incremental)
            let manifest = AOFManifest(base: base, incremental: [incr])
            try persistManifest(manifest)
            self.manifest = manifest
        }
        let incrPath = path(manifest.incremental.last!.name)
        fd = open(incrPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw SystemError("Can't open the append-only file \(incrPath)", errno: errno) }
        let base = manifest.base.map { fileSize(path($0.name)) } ?? 0
        var total = base
        for incr in manifest.incremental { total += fileSize(path(incr.name)) }
        currentSize.store(total, ordering: .relaxed)
        baseSize.store(total, ordering: .relaxed)
        propagation.forgetDatabase()
    }

    func close() {
        writer.lock()
        defer { writer.unlock() }
        _ = writePendingLocked(sync: true)
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    // MARK: Writing

    /// Writes everything pending; with `sync`, fdatasyncs too. Called with the writer lock held.
    /// Returns false when the write or the sync failed (the bytes stay pending).
    ///
    /// `takenThrough`: the log was already taken into `pending` up to that offset (a rewrite's
    /// switch, `endCapture`), so write only that: records logged since belong to the next file.
    func writePendingLocked(sync: Bool, takenThrough: Int64? = nil) -> Bool {
        let end = takenThrough ?? propagation.take(appendingTo: &pending)
        pendingEnd = end
        if fd < 0 {
            // No incremental file yet (the AOF is starting with a rewrite, or is off).
            pending.clear()
            writtenOffset.store(end, ordering: .releasing)
            durableOffset.store(end, ordering: .releasing)
            return true
        }
        while pending.readableBytes > 0 {
            let view = pending.readableView
            let n = Glibc.write(fd, view.baseAddress, view.count)
            if n < 0 {
                if errno == EINTR { continue }
                return writeFailed(errno: errno)
            }
            pending.consume(n)
            currentSize.add(Int64(n), ordering: .relaxed)
        }
        pending.clear()
        pending.shrinkIfEmpty(to: 1 << 20)
        writtenOffset.store(end, ordering: .releasing)
        if sync {
            if fdatasync(fd) != 0 { return writeFailed(errno: errno) }
            raiseDurable(to: end)
            lastFsyncMilliseconds.store(Clock.systemMilliseconds(), ordering: .relaxed)
        }
        if !lastWriteOK.load(ordering: .relaxed) {
            lastWriteOK.store(true, ordering: .relaxed)
            propagation.setWriteErrno(0)
            logger.warning("AOF write error looks solved, Redis can write again.")
        }
        return true
    }

    /// Redis: with appendfsync always a failed write cannot be recovered (the client may have been
    /// told nothing, but the next reply would lie): exit. Otherwise refuse writes until it works.
    private func writeFailed(errno code: Int32) -> Bool {
        let reason = String(cString: strerror(code))
        if isAlways {
            logger.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting... (\(reason))")
            exit(1)
        }
        let now = Clock.systemMilliseconds()
        if now - lastErrorLog > 30_000 {
            lastErrorLog = now
            logger.warning("Error writing to the AOF file: \(reason)")
        }
        lastWriteOK.store(false, ordering: .relaxed)
        propagation.setWriteErrno(code)
        return false
    }

    /// durableOffset only grows (a background fsync may finish after a newer group commit).
    private func raiseDurable(to end: Int64) {
        var current = durableOffset.load(ordering: .relaxed)
        while current < end {
            let (exchanged, original) = durableOffset.compareExchange(expected: current, desired: end, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
    }

    /// appendfsync always: returns once the log is durable up to `target` (group commit).
    func ensureDurable(_ target: Int64) {
        if durableOffset.load(ordering: .acquiring) >= target { return }
        writer.lock()
        defer { writer.unlock() }
        if durableOffset.load(ordering: .acquiring) >= target { return }
        _ = writePendingLocked(sync: true)
    }

    /// everysec / no: writes what the loops appended, unless another thread is writing already
    /// (it will take our bytes, or the background thread will within the second).
    func writeIfPending() {
        guard propagation.appendedOffset > writtenOffset.load(ordering: .relaxed) else { return }
        guard writer.tryLock() else { return }
        defer { writer.unlock() }
        _ = writePendingLocked(sync: false)
    }

    /// The background thread's second: write, fsync (everysec, and always for expiry DELs).
    func backgroundTick() {
        writer.lock()
        let starting = fd < 0
        _ = writePendingLocked(sync: false)
        let end = writtenOffset.load(ordering: .relaxed)
        // The fsync runs without the writer lock (on a dup of the file, which a rewrite may swap),
        // so the loops' write(2)s never wait behind a slow disk (Redis: fsync in a bio thread).
        let syncFD = policy != .no && fd >= 0 ? dup(fd) : -1
        writer.unlock()
        if syncFD >= 0 {
            if fdatasync(syncFD) == 0 {
                raiseDurable(to: end)
                lastFsyncMilliseconds.store(Clock.systemMilliseconds(), ordering: .relaxed)
            } else {
                let code = errno
                logger.warning("Error syncing the AOF file: \(String(cString: strerror(code)))")
                lastWriteOK.store(false, ordering: .relaxed)
                propagation.setWriteErrno(code)
            }
            Glibc.close(syncFD)
        }
        // The starting rewrite failed (a write spanned dumped and undumped shards): try again.
        if starting && !rewriteInProgress.load(ordering: .acquiring) { _ = startRewrite() }
    }

    // MARK: Files

    func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Writes the manifest atomically: temp file, fsync, rename, fsync the directory.
    func persistManifest(_ manifest: AOFManifest) throws {
        let temp = path("temp-" + AOFManifest.manifestName(appendFilename: filename))
        try AppendOnlyFile.writeFile(temp, Array(manifest.encoded().utf8))
        if rename(temp, manifestPath) != 0 { throw SystemError("rename \(temp)", errno: errno) }
        try fsyncDirectory()
    }

    func fsyncDirectory() throws {
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD < 0 { throw SystemError("open \(directory)", errno: errno) }
        defer { Glibc.close(dirFD) }
        if fsync(dirFD) != 0 { throw SystemError("fsync \(directory)", errno: errno) }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw SystemError("open \(path)", errno: errno) }
        defer { Glibc.close(fd) }
        try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
        if fsync(fd) != 0 { throw SystemError("fsync \(path)", errno: errno) }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write \(path)", errno: errno)
            }
            done += n
        }
    }

    /// A base file with the whole keyspace, shard by shard (used when there is no AOF yet).
    func writeBase(named name: String) throws {
        let basePath = path(name)
        let fd = open(basePath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw SystemError("open \(basePath)", errno: errno) }
        defer { Glibc.close(fd) }
        var buffer = ByteBuffer(capacity: 64 * 1024)
        var database = -1
        for shard in keyspace.shards {
            shard.lock()
            KeyspaceDump.dump(shard, databaseCount: keyspace.databaseCount, database: &database, into: &buffer)
            shard.unlock()
            try AppendOnlyFile.writeAll(fd, buffer.readableView, path: basePath)
            buffer.clear()
        }
        if fsync(fd) != 0 { throw SystemError("fsync \(basePath)", errno: errno) }
    }
}

extension PlainLock {
    /// Non-blocking acquire.
    func tryLock() -> Bool { tryAcquire() }
}
