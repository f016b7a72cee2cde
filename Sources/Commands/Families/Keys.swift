import Bytes
import Keyspace
import RESP

/// Generic keyspace commands (Redis `db.c`): DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME, RENAMENX,
/// KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL. KEYS and SCAN live in `KeysScan.swift`.
public enum KeyFamily {
    // MARK: Locking the shards of several keys

    /// Runs `body` with the shards of `client.args[keys]` locked (each once, in increasing index
    /// order, as the keyspace's lock discipline requires). With at most 64 shards the set is a bit
    /// mask, so multi-key commands allocate nothing; beyond that it falls back to `lockShards`.
    @inline(__always)
    static func withShardsLocked<R>(_ client: Client, keys: Range<Int>, _ body: () -> R) -> R {
        let keyspace = client.keyspace
        let args = client.args
        if keys.count == 1 {
            let shard = keyspace.shard(hash: keyspace.hash(args[keys.lowerBound]))
            shard.lock()
            defer { shard.unlock() }
            return body()
        }
        if keyspace.shardCount <= 64 {
            var mask: UInt64 = 0
            for i in keys {
                mask |= 1 << UInt64(keyspace.shardIndex(hash: keyspace.hash(args[i])))
            }
            var remaining = mask
            while remaining != 0 {
                keyspace.shards[remaining.trailingZeroBitCount].lock()
                remaining &= remaining - 1
            }
            defer {
                var remaining = mask
                while remaining != 0 {
                    keyspace.shards[remaining.trailingZeroBitCount].unlock()
                    remaining &= remaining - 1
                }
            }
            return body()
        }
        var indices: [Int] = []
        indices.reserveCapacity(keys.count)
        for i in keys {
            indices.append(keyspace.shardIndex(hash: keyspace.hash(args[i])))
        }
        keyspace.lockShards(&indices)
        defer { keyspace.unlockShards(indices) }
        return body()
    }

    // MARK: DEL, UNLINK, EXISTS, TOUCH, TYPE

    /// DEL key [key ...] / UNLINK key [key ...]: the number of keys removed (a repeated key counts once,
    /// since the second lookup finds nothing). UNLINK frees inline too: entries are single allocations.
    static func del(_ client: Client) {
        let keyspace = client.keyspace
        let args = client.args
        let database = client.database
        let now = client.now
        let deleted = withShardsLocked(client, keys: 1..<args.count) { () -> Int in
            var deleted = 0
            for i in 1..<args.count {
                let key = args[i]
                let hash = keyspace.hash(key)
                let shard = keyspace.shard(hash: hash)
                if let entry = shard.peek(database: database, key: key, hash: hash, now: now) {
                    shard.remove(entry, database: database, hash: hash)
                    client.context.events.notify(.generic, "del", key: key, database: database)
                    deleted += 1
                }
            }
            return deleted
        }
        client.reply.integer(deleted)
    }

    /// EXISTS key [key ...]: how many of the arguments exist (a repeated key counts each time).
    /// Redis looks up with LOOKUP_NOTOUCH (no access-clock update) but counts hits and misses.
    static func exists(_ client: Client) {
        client.reply.integer(countExisting(client, touch: false))
    }

    /// TOUCH key [key ...]: like EXISTS, but updates each key's access clock.
    static func touch(_ client: Client) {
        client.reply.integer(countExisting(client, touch: true))
    }

    private static func countExisting(_ client: Client, touch: Bool) -> Int {
        let keyspace = client.keyspace
        let args = client.args
        let database = client.database
        let now = client.now
        let found = withShardsLocked(client, keys: 1..<args.count) { () -> Int in
            var found = 0
            for i in 1..<args.count {
                let key = args[i]
                let hash = keyspace.hash(key)
                let shard = keyspace.shard(hash: hash)
                let entry = touch ? shard.find(database: database, key: key, hash: hash, now: now)
                    : shard.peek(database: database, key: key, hash: hash, now: now)
                if entry != nil {
                    found += 1
                } else {
                    client.context.events.notify(.keyMiss, "keymiss", key: key, database: database)
                }
            }
            return found
        }
        client.stats.keyspaceHits.bump(found)
        client.stats.keyspaceMisses.bump(args.count - 1 - found)
        return found
    }

    /// TYPE key: "+string" …, "+none" when missing (a simple string, not a bulk).
    static func type(_ client: Client) {
        let key = client.args[1]
        let keyspace = client.keyspace
        let hash = keyspace.hash(key)
        let shard = keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        if let entry = shard.peek(database: client.database, key: key, hash: hash, now: client.now) {
            client.stats.keyspaceHits.bump()
            client.reply.simple(entry.type.name)
        } else {
            client.stats.keyspaceMisses.bump()
            client.context.events.notify(.keyMiss, "keymiss", key: key, database: client.database)
            client.reply.simple("none")
        }
    }

    // MARK: RENAME, RENAMENX

    static func rename(_ client: Client) { renameGeneric(client, onlyIfAbsent: false) }
    static func renamenx(_ client: Client) { renameGeneric(client, onlyIfAbsent: true) }

    /// Redis `renameGenericCommand`: the source must exist ("ERR no such key", even when source and
    /// destination are the same); a same-key rename changes nothing (RENAME +OK, RENAMENX :0); the
    /// destination is replaced (RENAME) or kept (RENAMENX :0); the TTL moves with the value.
    private static func renameGeneric(_ client: Client, onlyIfAbsent: Bool) {
        let keyspace = client.keyspace
        let database = client.database
        let now = client.now
        let source = client.args[1]
        let destination = client.args[2]
        let sourceHash = keyspace.hash(source)
        let destinationHash = keyspace.hash(destination)
        let sourceShard = keyspace.shard(hash: sourceHash)
        let destinationShard = keyspace.shard(hash: destinationHash)
        withShardsLocked(client, keys: 1..<3) {
            guard let entry = sourceShard.find(database: database, key: source, hash: sourceHash, now: now) else {
                client.reply.error(ErrorReply.noSuchKey)
                return
            }
            if ByteStrings.equal(source, destination) {
                if onlyIfAbsent { client.reply.integer(0) } else { client.reply.ok() }
                return
            }
            if onlyIfAbsent,
               destinationShard.peek(database: database, key: destination, hash: destinationHash, now: now) != nil {
                client.reply.integer(0)
                return
            }
            // An entry holds its key, so it cannot be relinked: the keyspace moves the value (and
            // ownership of a hash's or set's object) into a new entry under the new name.
            sourceShard.moveEntry(entry, database: database, hash: sourceHash, to: destinationShard,
                                  toDatabase: database, key: destination, keyHash: destinationHash)
            // Redis: dbAdd of the destination ("new", even over a replaced key, which gets no "del"),
            // then "rename_from" and "rename_to".
            let events = client.context.events
            events.notify(.newKey, "new", key: destination, database: database)
            events.notify(.generic, "rename_from", key: source, database: database)
            events.notify(.generic, "rename_to", key: destination, database: database)
            if onlyIfAbsent { client.reply.integer(1) } else { client.reply.ok() }
        }
    }

    // MARK: RANDOMKEY, DBSIZE

    /// RANDOMKEY: a random live key of the selected database, or a null bulk when it is empty.
    /// Starts at a random shard and takes the first shard that has a live key (shards are filled
    /// evenly by the hash, so this is close to uniform).
    static func randomkey(_ client: Client) {
        let keyspace = client.keyspace
        let shardCount = keyspace.shardCount
        let start = Int.random(in: 0..<shardCount)
        for step in 0..<shardCount {
            let shard = keyspace.shards[(start + step) & (shardCount - 1)]
            shard.lock()
            if let entry = shard.randomEntry(database: client.database, now: client.now) {
                client.reply.bulk(entry.key)
                shard.unlock()
                return
            }
            shard.unlock()
        }
        client.reply.null()
    }

    /// DBSIZE: keys in the selected database.
    static func dbsize(_ client: Client) {
        client.reply.integer(client.keyspace.count(database: client.database))
    }

    // MARK: SWAPDB

    /// Exchanges two databases for every client at once (all shards locked, O(shards)).
    static func swapdb(_ client: Client) {
        guard let first = ByteStrings.parseInt64(client.args[1]) else {
            client.reply.error(ErrorReply.invalidFirstDBIndex)
            return
        }
        guard let second = ByteStrings.parseInt64(client.args[2]) else {
            client.reply.error(ErrorReply.invalidSecondDBIndex)
            return
        }
        let keyspace = client.keyspace
        let count = Int64(keyspace.databaseCount)
        guard first >= 0, first < count, second >= 0, second < count else {
            client.reply.error(ErrorReply.dbIndexOutOfRange)
            return
        }
        if first != second {
            keyspace.lockAll()
            keyspace.swapDatabases(Int(first), Int(second))
            keyspace.unlockAll()
        }
        // propagate: SWAPDB first second
        client.reply.ok()
    }

    // MARK: FLUSHDB, FLUSHALL

    /// The optional ASYNC | SYNC argument (Redis `getFlushCommandFlags`); we always free inline.
    private static func flushArgumentsValid(_ client: Client) -> Bool {
        let args = client.args
        if args.count > 2 { return false }
        if args.count == 2 {
            return ByteStrings.equalsIgnoringCase(args[1], "sync") || ByteStrings.equalsIgnoringCase(args[1], "async")
        }
        return true
    }

    static func flushdb(_ client: Client) { flush(client, database: client.database) }
    static func flushall(_ client: Client) { flush(client, database: nil) }

    private static func flush(_ client: Client, database: Int?) {
        guard flushArgumentsValid(client) else {
            client.reply.error(ErrorReply.syntax)
            return
        }
        let keyspace = client.keyspace
        keyspace.lockAll()
        for shard in keyspace.shards {
            shard.removeAll(database: database)
        }
        keyspace.unlockAll()
        client.reply.ok()
    }

    // MARK: Table

    public static let commands: [Command] = [
        Command("del", arity: -2, flags: [.write, .zeroMeansUnchanged], categories: [.keyspace, .write, .slow],
                keys: .all, group: "generic", since: "1.0.0", summary: "Delete a key",
                handler: { del($0) }),
        Command("unlink", arity: -2, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.keyspace, .write, .fast],
                keys: .all, group: "generic", since: "4.0.0",
                summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
                handler: { del($0) }),
        Command("exists", arity: -2, flags: [.readonly, .fast], categories: [.keyspace, .read, .fast],
                keys: .all, group: "generic", since: "1.0.0", summary: "Determine if a key exists",
                handler: { exists($0) }),
        Command("type", arity: 2, flags: [.readonly, .fast], categories: [.keyspace, .read, .fast],
                keys: .single, group: "generic", since: "1.0.0", summary: "Determine the type stored at key",
                handler: { type($0) }),
        Command("touch", arity: -2, flags: [.readonly, .fast], categories: [.keyspace, .read, .fast],
                keys: .all, group: "generic", since: "3.2.1",
                summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.",
                handler: { touch($0) }),
        Command("rename", arity: 3, flags: [.write], categories: [.keyspace, .write, .slow],
                keys: KeyPositions(first: 1, last: 2, step: 1), group: "generic", since: "1.0.0",
                summary: "Rename a key", handler: { rename($0) }),
        Command("renamenx", arity: 3, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.keyspace, .write, .fast],
                keys: KeyPositions(first: 1, last: 2, step: 1), group: "generic", since: "1.0.0",
                summary: "Rename a key, only if the new key does not exist", handler: { renamenx($0) }),
        Command("keys", arity: 2, flags: [.readonly], categories: [.keyspace, .read, .slow, .dangerous],
                group: "generic", since: "1.0.0", summary: "Find all keys matching the given pattern",
                handler: { keys($0) }),
        Command("scan", arity: -2, flags: [.readonly], categories: [.keyspace, .read, .slow],
                group: "generic", since: "2.8.0", summary: "Incrementally iterate the keys space",
                handler: { scan($0) }),
        Command("randomkey", arity: 1, flags: [.readonly], categories: [.keyspace, .read, .slow],
                group: "generic", since: "1.0.0", summary: "Return a random key from the keyspace",
                handler: { randomkey($0) }),
        Command("dbsize", arity: 1, flags: [.readonly, .fast], categories: [.keyspace, .read, .fast],
                group: "server", since: "1.0.0", summary: "Return the number of keys in the selected database",
                handler: { dbsize($0) }),
        Command("flushdb", arity: -1, flags: [.write], categories: [.keyspace, .write, .slow, .dangerous],
                group: "server", since: "1.0.0", summary: "Remove all keys from the current database",
                handler: { flushdb($0) }),
        Command("swapdb", arity: 3, flags: [.write, .fast], categories: [.keyspace, .write, .fast, .dangerous],
                group: "server", since: "4.0.0", summary: "Swaps two Redis databases",
                handler: { swapdb($0) }),
        Command("flushall", arity: -1, flags: [.write], categories: [.keyspace, .write, .slow, .dangerous],
                group: "server", since: "1.0.0", summary: "Remove all keys from all databases",
                handler: { flushall($0) }),
    ]
}
