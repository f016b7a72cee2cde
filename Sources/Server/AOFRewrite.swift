import Bytes
import Commands
import Glibc
import Keyspace
import Networking
import Persistence
import Synchronization

/// BGREWRITEAOF without fork: a background thread dumps the keyspace shard by shard (each shard
/// locked only while it is copied into memory) into a new base, while the propagation log captures
/// the records that belong in the new incremental file (see RewriteCapture for why that is exactly
/// the writes to already-dumped shards). At the end, under the writer lock: the old incremental
/// file gets every record up to the switch (so a failure loses nothing), the captured records
/// become the new incremental file, the manifest is swapped atomically (temp + rename + fsync of
/// the directory), later records go to the new file, and the old files are deleted as history.
extension AppendOnlyFile {
    /// False if a rewrite is already running.
    func startRewrite() -> Bool {
        guard rewriteInProgress.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        rewriteScheduled.store(false, ordering: .relaxed)
        // The previous rewrite's thread has finished its work (it cleared rewriteInProgress last):
        // join it so finished threads do not pile up over a long uptime.
        waitForRewrite()
        rewriteStarted.store(Clock.systemMilliseconds(), ordering: .relaxed)
        let thread = OSThread(name: "tessera-aofrw") { [self] in
            let ok = rewrite()
            let seconds = (Clock.systemMilliseconds() - rewriteStarted.load(ordering: .relaxed) + 500) / 1000
            lastRewriteSeconds.store(seconds, ordering: .relaxed)
            lastRewriteOK.store(ok, ordering: .relaxed)
            if ok { rewrites.add(1, ordering: .relaxed) }
            rewriteInProgress.store(false, ordering: .releasing)
        }
        rewriteThreads.withLock { $0.append(thread) }
        return true
    }

    /// Joins finished (or the running) rewrite threads: at shutdown.
    func waitForRewrite() {
        let threads = rewriteThreads.withLock { list in
            let all = list
            list.removeAll()
            return all
        }
        for thread in threads { thread.join() }
    }

    /// Redis's auto-aof-rewrite rule: the AOF grew by `percentage` % over its size after the last
    /// rewrite (or start-up) and is at least `min-size`.
    func considerAutomaticRewrite(settings: Settings) {
        guard settings.autoAofRewritePercentage > 0, !rewriteInProgress.load(ordering: .relaxed) else { return }
        let size = currentSize.load(ordering: .relaxed)
        guard size > Int64(settings.autoAofRewriteMinSize) else { return }
        let base = max(1, baseSize.load(ordering: .relaxed))
        let growth = size * 100 / base - 100
        if growth >= Int64(settings.autoAofRewritePercentage) {
            logger.notice("Starting automatic rewriting of AOF on \(growth)% growth")
            _ = startRewrite()
        }
    }

    /// The rewrite itself (on its own thread). Returns success.
    private func rewrite() -> Bool {
        logger.notice("Background append only file rewriting started")
        writer.lock()
        let oldManifest = manifest
        writer.unlock()
        let baseSequence = (oldManifest.base?.sequence ?? 0) + 1
        let incrSequence = (oldManifest.incremental.last?.sequence ?? 0) + 1
        let baseName = AOFManifest.baseName(appendFilename: filename, sequence: baseSequence, rdbPreamble: false)
        let incrName = AOFManifest.incrementalName(appendFilename: filename, sequence: incrSequence)
        let tempBase = path("temp-rewriteaof-bg-\(getpid()).aof")
        let tempIncr = path("temp-" + incrName)

        propagation.beginCapture(shardCount: keyspace.shardCount)
        do {
            try dumpShards(to: tempBase)
        } catch {
            propagation.cancelCapture()
            unlink(tempBase)
            logger.warning("Background AOF rewrite failed: \(error)")
            return false
        }

        writer.lock()
        defer { writer.unlock() }
        var captured = ByteBuffer(capacity: 64 * 1024)
        let (consistent, switchOffset) = propagation.endCapture(pending: &pending, captured: &captured)
        if switchDelayMicroseconds > 0 { usleep(switchDelayMicroseconds) }
        // Everything up to the switch goes to the old file, fsynced, before anything is replaced;
        // nothing after it: workers go on logging while we hold the writer lock, and a record
        // logged after the capture ended is in neither the new base nor the captured records, so
        // it must reach the new incremental file (it stays in the log until the next write).
        guard writePendingLocked(sync: true, takenThrough: switchOffset) else {
            unlink(tempBase)
            logger.warning("Background AOF rewrite failed: the current AOF cannot be written")
            return false
        }
        guard isActive else {
            unlink(tempBase)
            logger.warning("Background AOF rewrite abandoned: appendonly was turned off")
            return false
        }
        guard consistent else {
            unlink(tempBase)
            logger.warning("Background AOF rewrite abandoned: a write spanned dumped and undumped shards (it will be retried)")
            return false
        }
        do {
            let incrFD = open(tempIncr, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if incrFD < 0 { throw SystemError("open \(tempIncr)", errno: errno) }
            do {
                try AppendOnlyFile.writeAll(incrFD, captured.readableView, path: tempIncr)
                if fsync(incrFD) != 0 { throw SystemError("fsync \(tempIncr)", errno: errno) }
                if rename(tempBase, path(baseName)) != 0 { throw SystemError("rename \(tempBase)", errno: errno) }
                if rename(tempIncr, path(incrName)) != 0 { throw SystemError("rename \(tempIncr)", errno: errno) }
                var next = AOFManifest(base: .init(name: baseName, sequence: baseSequence, type: .base),
                                       incremental: [.init(name: incrName, sequence: incrSequence, type: .incremental)])
                next.history = (oldManifest.base.map { [$0] } ?? []) + oldManifest.incremental
                for i in next.history.indices { next.history[i].type = .history }
                try persistManifest(next)
                // Committed: later records go to the new incremental file.
                if fd >= 0 { Glibc.close(fd) }
                fd = incrFD
                manifest = next
            } catch {
                Glibc.close(incrFD)
                throw error
            }
        } catch {
            unlink(tempBase)
            unlink(tempIncr)
            logger.warning("Background AOF rewrite failed: \(error)")
            return false
        }
        // Redis aofDelHistoryFiles: remove the old files, then drop them from the manifest.
        for file in manifest.history { unlink(path(file.name)) }
        manifest.history = []
        do { try persistManifest(manifest) } catch {
            logger.warning("Error persisting the AOF manifest after deleting history files: \(error)")
        }
        let size = fileSize(path(baseName)) + Int64(captured.readableBytes)
        currentSize.store(size, ordering: .relaxed)
        baseSize.store(size, ordering: .relaxed)
        logger.notice("Background AOF rewrite finished successfully")
        return true
    }

    /// The new base: each shard copied under its lock, then written with no lock held.
    private func dumpShards(to basePath: String) throws {
        let baseFD = open(basePath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if baseFD < 0 { throw SystemError("open \(basePath)", errno: errno) }
        defer { Glibc.close(baseFD) }
        var buffer = ByteBuffer(capacity: 64 * 1024)
        for (index, shard) in keyspace.shards.enumerated() {
            // Each shard's commands start with their own SELECT: shards are independent.
            var database = -1
            shard.lock()
            KeyspaceDump.dump(shard, databaseCount: keyspace.databaseCount, database: &database, into: &buffer)
            propagation.markDumped(index)
            shard.unlock()
            try AppendOnlyFile.writeAll(baseFD, buffer.readableView, path: basePath)
            buffer.clear()
            buffer.shrinkIfEmpty(to: 1 << 20)
        }
        if fsync(baseFD) != 0 { throw SystemError("fsync \(basePath)", errno: errno) }
    }
}
