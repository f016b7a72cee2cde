import Commands
import Glibc
import Keyspace
import Networking
import Persistence
import Synchronization

/// Loads `dir/dbfilename` at start-up on its own thread while the event loops already serve
/// clients, as Redis does: commands without the `loading` flag get -LOADING until it is done,
/// INFO persistence shows the progress, and the log gets a progress line every few seconds.
/// A corrupt dump or a key of a type Tessera does not store stops the server (exit 1) with a
/// message naming the byte offset (and the key): never a silently partial dataset.
final class StartupLoader: @unchecked Sendable {
    /// Published for INFO (relaxed: figures for humans).
    let startTime = Atomic<Int64>(0)
    let totalBytes = Atomic<Int>(0)
    let loadedBytes = Atomic<Int>(0)
    /// rdb_last_load_keys_loaded / rdb_last_load_keys_expired.
    let keysLoaded = Atomic<Int>(0)
    let keysExpired = Atomic<Int>(0)
    private let cancelRequested = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)

    static let progressLogIntervalMilliseconds: Int64 = 3000
    static let cancelled = PersistenceError.io(operation: "loading cancelled", errno: 125)  // ECANCELED

    /// Sets the LOADING gate and starts the loading thread if `path` exists. Call before the event
    /// loops start, so no command can run against a half-loaded keyspace without the gate.
    func begin(path: String, server: TesseraServer) {
        guard access(path, F_OK) == 0 else { return }
        let context = server.context!
        context.setGate(AdmissionGate.loading, true)
        let started = server.clock.nowMilliseconds()
        startTime.store(started / 1000, ordering: .relaxed)
        let handle = OSThread(name: "tessera-load") { [self] in
            run(path: path, server: server, started: started)
        }
        thread.withLock { $0 = handle }
    }

    /// Stops a running load (shutdown while loading) and waits for the thread.
    func cancel() {
        cancelRequested.store(true, ordering: .relaxed)
        if let handle = thread.withLock({ t in defer { t = nil }; return t }) { handle.join() }
    }

    private func run(path: String, server: TesseraServer, started: Int64) {
        let logger = server.logger
        let keyspace = server.keyspace
        let context = server.context!
        let now = server.clock.nowMilliseconds()
        var loaded = 0, expired = 0
        var nextLog = StartupLoader.monotonicMilliseconds() + StartupLoader.progressLogIntervalMilliseconds
        do throws(PersistenceError) {
            let summary = try RDBFile.withMappedFile(path) { (bytes) throws(PersistenceError) -> RDBLoadSummary in
                totalBytes.store(bytes.count, ordering: .relaxed)
                return try RDBReader.load(bytes, progress: { offset in
                    loadedBytes.store(offset, ordering: .relaxed)
                }, sink: { (record) throws(PersistenceError) in
                    if cancelRequested.load(ordering: .relaxed) { throw StartupLoader.cancelled }
                    switch try KeyspaceLoader.insert(record, into: keyspace, now: now) {
                    case .inserted: loaded += 1
                    case .expired: expired += 1
                    }
                    if (loaded + expired) & 1023 == 0 {
                        keysLoaded.store(loaded, ordering: .relaxed)
                        keysExpired.store(expired, ordering: .relaxed)
                        let t = StartupLoader.monotonicMilliseconds()
                        if t >= nextLog {
                            nextLog = t + StartupLoader.progressLogIntervalMilliseconds
                            let total = max(1, totalBytes.load(ordering: .relaxed))
                            let done = loadedBytes.load(ordering: .relaxed)
                            logger.notice("Loading RDB: \(loaded + expired) keys, \(done) of \(total) bytes (\(done * 100 / total)%)")
                        }
                    }
                })
            }
            keysLoaded.store(loaded, ordering: .relaxed)
            keysExpired.store(expired, ordering: .relaxed)
            if let version = summary.aux.first(where: { $0.key == Array("redis-ver".utf8) }) {
                logger.notice("Loading RDB produced by version \(String(decoding: version.value, as: UTF8.self))")
            }
            if !summary.functionLibraries.isEmpty {
                logger.warning("The dump contains \(summary.functionLibraries.count) function libraries; Tessera has no scripting and did not load them")
            }
            logger.notice("Done loading RDB, keys loaded: \(loaded), keys expired: \(expired).")
            let seconds = Double(server.clock.nowMilliseconds() - started) / 1000
            logger.notice("DB loaded from disk: \(InfoReport.fixed(seconds, 3)) seconds")
        } catch let error where error == StartupLoader.cancelled {
            logger.notice("Loading stopped by shutdown")
            return
        } catch {
            logger.warning("Fatal error loading the DB (\(path)): \(error). Exiting.")
            _exit(1)
        }
        // What was just loaded is what is on disk: nothing to save yet.
        context.changes.reset()
        context.setGate(AdmissionGate.loading, false)
    }

    static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// The loading lines of INFO persistence (after `loading:1` only), Redis 7.0's names.
    func infoFields(nowSeconds: Int64) -> [(String, String)] {
        let total = totalBytes.load(ordering: .relaxed)
        let done = loadedBytes.load(ordering: .relaxed)
        let start = startTime.load(ordering: .relaxed)
        let elapsed = nowSeconds - start
        let perc = total > 0 ? Double(done) / Double(total) * 100 : 0
        let eta = elapsed == 0 || done == 0 ? 1 : elapsed * Int64(total - done) / Int64(done)
        return [
            ("loading_start_time", "\(start)"), ("loading_total_bytes", "\(total)"),
            ("loading_rdb_used_mem", "0"), ("loading_loaded_bytes", "\(done)"),
            ("loading_loaded_perc", InfoReport.fixed(perc, 2)), ("loading_eta_seconds", "\(eta)"),
        ]
    }
}
