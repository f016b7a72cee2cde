import Bytes
import Keyspace
import RESP

// MGET, MSET, MSETNX: atomic over every shard their keys live in.
extension StringFamily {
    /// Locks the shards of keys `args[first]`, `args[first + step]`… (each once, in increasing index
    /// order: the keyspace's lock discipline), runs `body` with each key's hash, then unlocks.
    /// Uses a stack bitmap instead of `Keyspace.lockShards`' array so the path does not allocate.
    @inline(__always)
    static func withKeysLocked(_ client: Client, first: Int, step: Int,
                               _ body: (UnsafeMutableBufferPointer<UInt64>) -> Void) {
        let args = client.args
        let keyspace = client.keyspace
        let keyCount = (args.count - first + step - 1) / step
        let words = (keyspace.shardCount + 63) >> 6
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: keyCount) { hashes in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { bitmap in
                bitmap.initialize(repeating: 0)
                var index = first
                var slot = 0
                while index < args.count {
                    let hash = keyspace.hash(args[index])
                    hashes[slot] = hash
                    let shard = keyspace.shardIndex(hash: hash)
                    bitmap[shard >> 6] |= 1 << UInt64(shard & 63)
                    slot += 1
                    index += step
                }
                forEachShard(in: bitmap) { keyspace.shards[$0].lock() }
                body(hashes)
                forEachShard(in: bitmap) { keyspace.shards[$0].unlock() }
            }
        }
    }

    /// Calls `visit` with each set bit's index, in increasing order.
    @inline(__always)
    static func forEachShard(in bitmap: UnsafeMutableBufferPointer<UInt64>, _ visit: (Int) -> Void) {
        for word in 0..<bitmap.count {
            var bits = bitmap[word]
            while bits != 0 {
                visit(word << 6 | bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
    }

    static func mget(_ client: Client) {
        let args = client.args
        let database = client.database
        withKeysLocked(client, first: 1, step: 1) { hashes in
            client.reply.array(count: args.count - 1)
            for index in 1..<args.count {
                let hash = hashes[index - 1]
                let shard = client.keyspace.shard(hash: hash)
                guard let entry = shard.find(database: database, key: args[index], hash: hash, now: client.now) else {
                    client.stats.keyspaceMisses.bump()
                    client.context.events.notify(.keyMiss, "keymiss", key: args[index], database: database)
                    client.reply.null()
                    continue
                }
                client.stats.keyspaceHits.bump()
                if entry.type == .string {
                    client.reply.bulk(UnsafeRawBufferPointer(entry.value))
                } else {
                    client.reply.null()
                }
            }
        }
    }

    static func mset(_ client: Client) {
        guard client.args.count & 1 == 1 else {
            client.replyWrongArity()
            return
        }
        // Every pair stored, TTLs cleared; a repeated key keeps its last value.
        withKeysLocked(client, first: 1, step: 2) { hashes in storePairs(client, hashes) }
        client.reply.ok()
    }

    static func msetnx(_ client: Client) {
        let args = client.args
        guard args.count & 1 == 1 else {
            client.replyWrongArity()
            return
        }
        let database = client.database
        withKeysLocked(client, first: 1, step: 2) { hashes in
            var index = 1
            while index < args.count {
                let hash = hashes[index >> 1]
                if client.keyspace.shard(hash: hash).find(database: database, key: args[index], hash: hash,
                                                          now: client.now) != nil {
                    client.reply.integer(0)
                    return
                }
                index += 2
            }
            storePairs(client, hashes)
            client.reply.integer(1)
        }
    }

    /// Stores every key/value pair of argv (the shards are locked by the caller), firing "set" per
    /// pair after it is stored, preceded by "new" for a created key (Redis setKey → dbAdd). Whether
    /// the key existed is looked up only when "new" events are enabled.
    @inline(__always)
    static func storePairs(_ client: Client, _ hashes: UnsafeMutableBufferPointer<UInt64>) {
        let args = client.args
        let database = client.database
        let events = client.context.events
        let wantsNew = events.isEnabled(.newKey)
        var index = 1
        while index < args.count {
            let hash = hashes[index >> 1]
            let key = args[index]
            let shard = client.keyspace.shard(hash: hash)
            let created = wantsNew && shard.peek(database: database, key: key, hash: hash, now: client.now) == nil
            shard.setString(database: database, key: key, hash: hash, value: args[index + 1], expireAt: 0)
            if created { events.notify(.newKey, "new", key: key, database: database) }
            events.notify(.string, "set", key: key, database: database)
            index += 2
        }
    }
}
