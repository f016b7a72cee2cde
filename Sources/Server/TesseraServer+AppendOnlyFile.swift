import Commands
import Glibc
import Keyspace
import Networking
import Synchronization

/// The append-only file's life cycle on the server: start-up load, run-time CONFIG SET appendonly,
/// the background thread (everysec fsync, automatic rewrites), BGREWRITEAOF and shutdown.
extension TesseraServer {
    /// Loads the AOF (if any), opens it for appending and turns propagation on. Before any worker
    /// runs, so no client can see a half-loaded keyspace.
    /// As Redis: the event loops already serve clients while the AOF is replayed on its own thread
    /// (-LOADING for commands without the `loading` flag, INFO loading:1 with progress). Logging
    /// starts before the gate lifts, so the first write a client gets acknowledged is in the log.
    /// Damage stops the server (exit 1) with the message naming file and offset.
    func beginAppendOnlyLoad(_ settings: Settings) {
        context.setGate(AdmissionGate.loading, true)
        startupLoader.startTime.store(clock.nowMilliseconds() / 1000, ordering: .relaxed)
        aofLoadThread = OSThread(name: "tessera-aofload") { [self] in
            do {
                try startAppendOnlyFile(settings)
            } catch {
                logger.warning("Failed to start: \(error)")
                _exit(1)
            }
            context.setGate(AdmissionGate.loading, false)
        }
    }

    func startAppendOnlyFile(_ settings: Settings) throws {
        let manifest = try AOFLoader.load(aof: aof, context: context, settings: settings, logger: logger,
                                          progress: startupLoader)
        context.changes.reset()  // what was replayed is on disk already
        try aof.openForAppend(existing: manifest)
        context.propagation.setEnabled(true)
        aof.activate()
        startAppendOnlyThread()
    }

    /// CONFIG SET appendonly yes: as Redis, the AOF starts with a rewrite (the base is the dump of
    /// the keyspace, the first incremental file the writes made meanwhile). nil or the reason.
    func enableAppendOnlyFileAtRunTime() -> String? {
        // A rewrite started before appendonly was last turned off may still be finishing.
        guard !aof.rewriteInProgress.load(ordering: .acquiring) else {
            return "a background AOF rewrite is still finishing; try again"
        }
        do { try aof.prepareRunTimeStart() } catch { return "\(error)" }
        context.propagation.setEnabled(true)
        aof.activate()
        _ = aof.startRewrite()
        startAppendOnlyThread()
        return nil
    }

    private func startAppendOnlyThread() {
        guard aofThread == nil else { return }
        let aof = self.aof!
        aofThread = OSThread(name: "tessera-aof") { [self] in
            var nextSecond = Clock.systemMilliseconds() + 1000
            while !isStopping {
                usleep(20_000)
                guard aof.isActive else { continue }
                let now = Clock.systemMilliseconds()
                if now >= nextSecond {
                    nextSecond = now + 1000
                    aof.backgroundTick()
                    aof.considerAutomaticRewrite(settings: currentSettings)
                } else {
                    aof.writeIfPending()
                }
            }
        }
    }

    public func rewriteAppendOnlyFile() -> RewriteRequest {
        guard aof.isActive else {
            // Tessera rewrites only a running AOF (Redis would also write one with appendonly no).
            return .failed(Array("ERR Background append only file rewriting failed: appendonly is off".utf8))
        }
        guard aof.startRewrite() else {
            return .failed(Array("ERR Background append only file rewriting already in progress".utf8))
        }
        return .started
    }

    /// Writes and syncs what is pending and stops logging. `waitingForRewrite` is false after a
    /// final save that keeps every shard locked: a rewrite thread would wait for them forever.
    func stopAppendOnlyFile(waitingForRewrite: Bool) {
        aofThread?.join()
        if waitingForRewrite { aof.waitForRewrite() }
        aof.deactivate()
    }
}
