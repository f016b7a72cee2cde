import Keyspace
import RESP
import Synchronization

/// MULTI / EXEC / DISCARD / WATCH / UNWATCH (Redis multi.c). EXEC holds every shard lock while it
/// runs the queue, so a transaction is atomic across shards; the shard locks are reentrant, so the
/// queued commands run through their ordinary handlers.
public enum TransactionFamily {
    static func multi(_ client: Client) {
        guard client.transaction == nil else {
            client.reply.error(ErrorReply.nestedMulti)
            return
        }
        client.transaction = Transaction()
        client.info.multiCount.store(0, ordering: .relaxed)
        client.reply.ok()
    }

    static func discard(_ client: Client) {
        guard client.transaction != nil else {
            client.reply.error(ErrorReply.discardWithoutMulti)
            return
        }
        client.transaction = nil
        client.info.multiCount.store(-1, ordering: .relaxed)
        client.unwatchAll()
        client.reply.ok()
    }

    static func exec(_ client: Client) {
        guard let transaction = client.transaction else {
            client.reply.error(ErrorReply.execWithoutMulti)
            return
        }
        client.transaction = nil
        // Redis leaves the client in MULTI state until EXEC returns: CLIENT LIST run by a queued
        // command shows "flags=x multi=N", and ACL denials while executing log the "multi" context.
        defer {
            client.info.multiCount.store(-1, ordering: .relaxed)
            client.unwatchAll()
        }
        if transaction.aborted {
            client.reply.error(ErrorReply.execAbort)
            return
        }
        let keyspace = client.keyspace
        keyspace.lockAll()
        defer { keyspace.unlockAll() }
        if client.watchBroken() {
            client.reply.nullArray()
            return
        }
        let execArguments = client.args
        client.inExec = true
        client.reply.array(count: transaction.queued.count)
        for queued in transaction.queued {
            let ranges = queued.bounds.map { ArgumentRange(offset: $0.lowerBound, count: $0.count) }
            queued.bytes.withUnsafeBytes { bytes in
                ranges.withUnsafeBufferPointer { rangePointer in
                    // A zero-length argument list still needs a valid base address.
                    let base = bytes.baseAddress ?? UnsafeRawPointer(rangePointer.baseAddress!)
                    client.args = Arguments(base: base, ranges: rangePointer.baseAddress!, count: ranges.count)
                    client.command = queued.command
                    // The AOF replay client is not subject to ACLs (see Dispatcher.execute).
                    if client.replaying || ACLGate.admitQueued(client, queued.command) { Dispatcher.run(queued.command, client) }
                }
            }
        }
        client.args = execArguments
        client.inExec = false
        // The transaction's writes reach the log as one MULTI … EXEC block (a single write alone,
        // as Redis 7.0 does), committed while every shard is still locked.
        client.context.propagation.commit(client)
    }

    static func watch(_ client: Client) {
        guard client.transaction == nil else {
            client.reply.error(ErrorReply.watchInsideMulti)
            return
        }
        let keyspace = client.keyspace
        for index in 1..<client.args.count {
            let key = client.args[index]
            if client.watchedKeys.contains(where: { $0.database == client.database && $0.key.elementsEqual(key) }) { continue }
            let hash = keyspace.hash(key)
            let shard = keyspace.shard(hash: hash)
            shard.lock()
            let expireAt = shard.peek(database: client.database, key: key, hash: hash, now: client.now)?.expireAt ?? 0
            shard.unlock()
            let bytes = Array(key)
            client.watchedKeys.append((client.database, bytes, expireAt))
            client.context.watches.watch(database: client.database, key: bytes, token: client.watchToken)
        }
        client.reply.ok()
    }

    static func unwatch(_ client: Client) {
        client.unwatchAll()
        client.reply.ok()
    }

    public static let commands: [Command] = [
        Command("multi", arity: 1, flags: [.noscript, .loading, .stale, .fast, .allowBusy, .bypassesQueue],
                categories: [.fast, .transaction], group: "transactions", since: "1.2.0",
                summary: "Start a transaction block", handler: { multi($0) }),
        Command("exec", arity: 1, flags: [.noscript, .loading, .stale, .skipSlowlog, .bypassesQueue],
                categories: [.slow, .transaction], group: "transactions", since: "1.2.0",
                summary: "Execute all commands issued after MULTI", handler: { exec($0) }),
        Command("discard", arity: 1, flags: [.noscript, .loading, .stale, .fast, .allowBusy, .bypassesQueue],
                categories: [.fast, .transaction], group: "transactions", since: "2.0.0",
                summary: "Discard all commands issued after MULTI", handler: { discard($0) }),
        Command("watch", arity: -2, flags: [.noscript, .loading, .stale, .fast, .allowBusy, .bypassesQueue],
                categories: [.fast, .transaction], keys: .all, group: "transactions", since: "2.2.0",
                summary: "Watch the given keys to determine execution of the MULTI/EXEC block", handler: { watch($0) }),
        Command("unwatch", arity: 1, flags: [.noscript, .loading, .stale, .fast, .allowBusy],
                categories: [.fast, .transaction], group: "transactions", since: "2.2.0",
                summary: "Forget about all watched keys", handler: { unwatch($0) }),
    ]
}

extension Client {
    /// Whether EXEC must fail: a watched key was written, flushed, or has expired since WATCH.
    func watchBroken() -> Bool {
        if watchToken.isDirty { return true }
        return watchedKeys.contains { $0.expireAt != 0 && now > $0.expireAt }
    }

    public func unwatchAll() {
        for watched in watchedKeys {
            context.watches.unwatch(database: watched.database, key: watched.key, token: watchToken)
        }
        watchedKeys.removeAll()
        watchToken.reset()
    }
}
