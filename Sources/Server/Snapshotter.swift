import CLinux
import Commands
import Glibc
import Keyspace
import Networking
import Persistence
import Synchronization

/// SAVE, BGSAVE, save rules and the final save at shutdown, with Redis's bookkeeping (server.dirty,
/// lastsave, lastbgsave_status, rdb_saves) for INFO persistence.
///
/// No fork: BGSAVE runs `SnapshotWriter` on a background thread that takes one shard lock at a time,
/// so clients keep being served and memory never doubles. SAVE and the shutdown save hold every
/// shard lock for the whole dump instead (a point-in-time snapshot, like Redis's blocking SAVE; the
/// other event loops wait on their next keyed command). At most one save runs at a time.
final class Snapshotter: @unchecked Sendable {
    struct State {
        /// A SAVE or BGSAVE is running.
        var inProgress = false
        var background: OSThread?
        /// Unix ms when the running BGSAVE started (0 = none running).
        var backgroundStartedAt: Int64 = 0
        /// Unix seconds of the last successful save (LASTSAVE, rdb_last_save_time).
        var lastSaveTime: Int64
        var lastBackgroundSucceeded = true
        /// Unix seconds of the last BGSAVE attempt (retry delay after a failure).
        var lastBackgroundTry: Int64 = 0
        var lastBackgroundDurationSeconds = -1
        var saves = 0
        /// BGSAVE SCHEDULE waiting for the running job to end.
        var scheduled = false
        var keysTotal = 0
    }

    /// Redis CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save rules wait this long.
    static let retryDelaySeconds: Int64 = 5

    private unowned(unsafe) let server: TesseraServer
    private let state: Mutex<State>
    private let cancelRequested = Atomic<Bool>(false)
    private let keysProcessed = Atomic<Int>(0)

    init(server: TesseraServer, startTime: Int64) {
        self.server = server
        state = Mutex(State(lastSaveTime: startTime / 1000))
    }

    private var context: ServerContext { server.context }
    private var logger: Logger { server.logger }

    // MARK: Commands

    /// SAVE: blocking, every shard locked. nil on success, otherwise Redis's error text.
    func save() -> [UInt8]? {
        guard claim() else { return Array("ERR Background save already in progress".utf8) }
        server.keyspace.lockAll()
        defer { server.keyspace.unlockAll() }
        let ok = performAndRecord(background: false)
        return ok ? nil : Array("ERR".utf8)
    }

    /// BGSAVE [SCHEDULE], as Redis's bgsaveCommand: a running save refuses (even with SCHEDULE);
    /// inside EXEC (every shard is locked) the save is scheduled and started by the next cron tick.
    /// SCHEDULE matters only when another background job runs, and there is none besides saves yet.
    func backgroundSave(schedule: Bool, inTransaction: Bool) -> Result<[UInt8], SnapshotRefusal> {
        let refusal = SnapshotRefusal("ERR Background save already in progress")
        if inTransaction {
            let scheduled = state.withLock { s -> Bool in
                if s.inProgress { return false }
                s.scheduled = true
                return true
            }
            return scheduled ? .success(Array("Background saving scheduled".utf8)) : .failure(refusal)
        }
        _ = schedule
        return startBackground() ? .success(Array("Background saving started".utf8)) : .failure(refusal)
    }

    var lastSaveTime: Int { Int(state.withLock { $0.lastSaveTime }) }

    // MARK: Background job

    /// Starts a BGSAVE thread unless a save is running. Joins the previous (finished) thread first.
    @discardableResult
    func startBackground() -> Bool {
        let previous: OSThread?? = state.withLock { s in
            if s.inProgress { return .none }
            s.inProgress = true
            s.scheduled = false
            s.backgroundStartedAt = server.clock.nowMilliseconds()
            defer { s.background = nil }
            return .some(s.background)
        }
        guard let finished = previous else { return false }
        finished?.join()
        logger.notice("Background saving started")
        let thread = OSThread(name: "tessera-bgsave") { [self] in
            let ok = performAndRecord(background: true)
            logger.log(ok ? .notice : .warning, ok ? "Background saving terminated with success" : "Background saving error")
        }
        state.withLock { $0.background = thread }
        return true
    }

    /// Stops a running BGSAVE (Redis kills its child at shutdown): the writer stops at the next
    /// shard, the temp file is removed, and the thread is joined.
    func cancelBackground() {
        cancelRequested.store(true, ordering: .relaxed)
        var announced = false
        while true {
            let (thread, busy): (OSThread?, Bool) = state.withLock { s in
                defer { s.background = nil }
                return (s.background, s.inProgress)
            }
            if busy && !announced {
                logger.warning("There is a background save in progress. Stopping it!")
                announced = true
            }
            if let thread {
                thread.join()
                continue
            }
            if !busy { break }
            usleep(1000)  // the job was claimed but its thread handle is not stored yet
        }
        cancelRequested.store(false, ordering: .relaxed)
    }

    /// Save rules and BGSAVE SCHEDULE; called every 100 ms by worker 0 (Redis's serverCron check).
    func cron(now: Int64) {
        if context.isLoading { return }
        let rules = server.currentSettings.saveRules
        let nowSeconds = now / 1000
        let dirty = context.changes.sinceSave
        let due: SaveRule?? = state.withLock { s in
            if s.inProgress { return .none }
            if s.scheduled { return .some(nil) }
            for rule in rules where dirty >= rule.changes && nowSeconds - s.lastSaveTime > Int64(rule.seconds)
                && (nowSeconds - s.lastBackgroundTry > Snapshotter.retryDelaySeconds || s.lastBackgroundSucceeded) {
                return .some(rule)
            }
            return .none
        }
        guard let rule = due else { return }
        if let rule { logger.notice("\(rule.changes) changes in \(rule.seconds) seconds. Saving...") }
        startBackground()
    }

    // MARK: Shutdown

    /// The final save (SHUTDOWN [SAVE], SIGTERM with save rules): cancels a running BGSAVE, locks
    /// every shard and writes the dump. On success the shard locks stay held — nothing can change
    /// before the process exits — and true is returned; on failure they are released.
    func shutdownSave() -> Bool {
        cancelBackground()
        logger.notice("Saving the final RDB snapshot before exiting.")
        guard claim() else { return false }
        server.keyspace.lockAll()
        if performAndRecord(background: false) { return true }
        server.keyspace.unlockAll()
        logger.warning("Error trying to save the DB, can't exit.")
        return false
    }

    // MARK: Saving

    private func claim() -> Bool {
        state.withLock { s in
            if s.inProgress { return false }
            s.inProgress = true
            return true
        }
    }

    /// Writes the dump, then updates dirty/lastsave/status like rdbSave / backgroundSaveDoneHandler.
    private func performAndRecord(background: Bool) -> Bool {
        let started = server.clock.nowMilliseconds()
        let totalBefore = context.changes.total
        let result = perform(now: started)
        let finished = server.clock.nowMilliseconds()
        let settings = server.currentSettings
        state.withLock { s in
            s.inProgress = false
            s.backgroundStartedAt = 0
            s.keysTotal = 0
            if background {
                s.lastBackgroundTry = started / 1000
                s.lastBackgroundDurationSeconds = Int((finished - started) / 1000)
            }
            switch result {
            case .success:
                s.lastSaveTime = finished / 1000
                s.lastBackgroundSucceeded = true
                s.saves += 1
            case .failure(let error) where background && error != SnapshotWriter.cancelled:
                s.lastBackgroundSucceeded = false
            case .failure:
                break
            }
        }
        keysProcessed.store(0, ordering: .relaxed)
        switch result {
        case .success(let bytes):
            context.changes.markSaved(totalAtStart: totalBefore)
            logger.notice("DB saved on disk (\(bytes) bytes)")
        case .failure(let error) where error == SnapshotWriter.cancelled:
            logger.notice("Background saving stopped (shutdown)")
        case .failure(let error):
            logger.warning("Write error saving DB on disk: \(error)")
        }
        updateWriteGate(settings)
        if case .success = result { return true }
        return false
    }

    private func perform(now: Int64) -> Result<Int, PersistenceError> {
        let settings = server.currentSettings
        var limits = RDBEncodingLimits()
        limits.hashMaxListpackEntries = ValueEncoding.listpackEntriesMax
        limits.hashMaxListpackValue = ValueEncoding.listpackValueMax
        limits.setMaxIntsetEntries = ValueEncoding.intsetEntriesMax
        let options = RDBOptions(compression: settings.rdbCompression, checksum: settings.rdbChecksum, limits: limits)
        let aux = RDBAuxInfo(creationTime: now / 1000, usedMemory: Int64(processAllocatedBytes()))
        let writer = SnapshotWriter(keyspace: server.keyspace, now: now,
                                    isCancelled: { [self] in cancelRequested.load(ordering: .relaxed) },
                                    progress: { [self] in keysProcessed.store($0, ordering: .relaxed) })
        let keyspace = server.keyspace
        let total = (0..<keyspace.databaseCount).reduce(0) { $0 + keyspace.count(database: $1) }
        state.withLock { $0.keysTotal = total }
        return Result { () throws(PersistenceError) -> Int in
            try RDBFile.saveAtomically(directory: ".", filename: settings.dbFilename, body: { (w) throws(PersistenceError) in
                try writer.write(into: &w, aux: aux)
            }, options: options)
        }
    }

    /// stop-writes-on-bgsave-error: -MISCONF for writes while the last BGSAVE failed and save
    /// rules are set (Redis's writeCommandsDeniedByDiskError, RDB part).
    func updateWriteGate(_ settings: Settings) {
        let failed = state.withLock { !$0.lastBackgroundSucceeded }
        context.setGate(AdmissionGate.writesRefused,
                        failed && settings.stopWritesOnBgsaveError && !settings.saveRules.isEmpty)
    }

    // MARK: INFO

    /// The rdb_* lines of INFO persistence, Redis 7.0's names and order (from current_cow_peak on).
    func infoFields(now: Int64) -> [(String, String)] {
        let s = state.withLock { $0 }
        let running = s.backgroundStartedAt != 0
        let processed = s.inProgress ? keysProcessed.load(ordering: .relaxed) : 0
        return [
            ("current_cow_peak", "0"), ("current_cow_size", "0"), ("current_cow_size_age", "0"),
            ("current_fork_perc", "0.00"), ("current_save_keys_processed", "\(processed)"),
            ("current_save_keys_total", "\(s.inProgress ? s.keysTotal : 0)"),
            ("rdb_changes_since_last_save", "\(context.changes.sinceSave)"),
            ("rdb_bgsave_in_progress", running ? "1" : "0"),
            ("rdb_last_save_time", "\(s.lastSaveTime)"),
            ("rdb_last_bgsave_status", s.lastBackgroundSucceeded ? "ok" : "err"),
            ("rdb_last_bgsave_time_sec", "\(s.lastBackgroundDurationSeconds)"),
            ("rdb_current_bgsave_time_sec", running ? "\((now - s.backgroundStartedAt) / 1000)" : "-1"),
            ("rdb_saves", "\(s.saves)"), ("rdb_last_cow_size", "0"),
        ]
    }
}
