import Bytes
import Keyspace
import RESP

/// The set family (Redis t_set.c): single-key commands here, the multi-key algebra (SINTER…,
/// SMOVE, SINTERCARD) in SetsMulti.swift. Sets reply as RESP3 sets ("~"), as in Redis.
/// Encodings follow Redis 7.0: intset for small all-integer sets, hashtable otherwise.
public enum SetFamily {
    typealias Access = CollectionAccess

    static func sadd(_ client: Client) {
        let args = client.args
        Access.withKey(client, .set, read: false) { shard, hash, existing in
            var entry = existing ?? shard.createCollection(type: .set, database: client.database, key: args[1], hash: hash)
            var added = 0
            for index in 2..<args.count {
                let (moved, isNew) = shard.setAdd(entry, database: client.database, hash: hash, member: args[index])
                entry = moved
                if isNew { added += 1 }
            }
            // A new key always gains a member, so "new" never comes without "sadd".
            if existing == nil { client.context.events.notify(.newKey, "new", key: args[1], database: client.database) }
            if added > 0 { client.context.events.notify(.set, "sadd", key: args[1], database: client.database) }
            client.reply.integer(added)
        }
    }

    static func srem(_ client: Client) {
        let args = client.args
        Access.withKey(client, .set, read: false) { shard, hash, existing in
            guard var entry = existing else { return client.reply.integer(0) }
            var removed = 0
            for index in 2..<args.count {
                let (moved, wasThere) = shard.setRemove(entry, database: client.database, hash: hash, member: args[index])
                entry = moved
                if wasThere { removed += 1 }
                if entry.elementCount == 0 { break }
            }
            if removed > 0 {
                client.context.events.notify(.set, "srem", key: args[1], database: client.database)
                Access.removeIfEmpty(client, shard, entry, hash: hash, key: args[1])
            }
            client.reply.integer(removed)
        }
    }

    static func smembers(_ client: Client) {
        Access.withKey(client, .set, read: true) { _, _, entry in
            client.reply.set(count: entry?.elementCount ?? 0)
            entry?.forEachElement { member, _ in client.reply.bulk(member) }
        }
    }

    static func sismember(_ client: Client) {
        Access.withKey(client, .set, read: true) { _, _, entry in
            client.reply.integer(entry?.setContains(client.args[2]) == true ? 1 : 0)
        }
    }

    static func smismember(_ client: Client) {
        let args = client.args
        Access.withKey(client, .set, read: true) { _, _, entry in
            client.reply.array(count: args.count - 2)
            for index in 2..<args.count { client.reply.integer(entry?.setContains(args[index]) == true ? 1 : 0) }
        }
    }

    static func scard(_ client: Client) {
        Access.withKey(client, .set, read: true) { _, _, entry in client.reply.integer(entry?.elementCount ?? 0) }
    }

    /// SPOP key [count]: without a count a bulk (or null); with one a RESP3 set. The key is deleted
    /// when it empties.
    static func spop(_ client: Client) {
        let args = client.args
        guard args.count <= 3 else { return client.reply.error(ErrorReply.syntax) }
        var count = -1
        if args.count == 3 {
            guard let parsed = ByteStrings.parseInt64(args[2]), parsed >= 0 else {
                return client.reply.error(ErrorReply.mustBePositive)
            }
            count = Int(parsed)
        }
        // Random: never replayed as SPOP. Redis 7.0 logs SREM of the popped members (batches of
        // 1024, several wrapped in MULTI/EXEC) or DEL when the count covers the whole set.
        client.suppressPropagation()
        Access.withKey(client, .set, read: false) { shard, hash, existing in
            guard var entry = existing else {
                if count < 0 { client.reply.null() } else { client.reply.set(count: 0) }
                return
            }
            let n = count < 0 ? 1 : min(count, entry.elementCount)
            if count >= 0 { client.reply.set(count: n) }
            if count >= entry.elementCount {
                // Redis replies the whole set in its own order (SUNION of the key), then deletes it.
                entry.forEachElement { member, _ in client.reply.bulk(member) }
                client.context.events.notify(.set, "spop", key: args[1], database: client.database)
                shard.remove(entry, database: client.database, hash: hash)
                client.context.events.notify(.generic, "del", key: args[1], database: client.database)
                if client.propagates { client.propagateDel(args[1]) }
                return
            }
            // A member is copied out before its removal invalidates the bytes.
            var member: [UInt8] = []
            var popped = 0
            for _ in 0..<n {
                entry.randomElement(shard.nextRandom) { bytes, _ in
                    member.removeAll(keepingCapacity: true)
                    member.append(contentsOf: bytes)
                }
                member.withUnsafeBytes { bytes in
                    client.reply.bulk(bytes)
                    if client.propagates { propagateSrem(client, member: bytes, index: popped, total: n) }
                    entry = shard.setRemove(entry, database: client.database, hash: hash, member: bytes).0
                }
                popped += 1
            }
            // Redis: "spop" once for the whole pop (none for SPOP key 0), then "del" if emptied.
            guard n > 0 else { return }
            client.context.events.notify(.set, "spop", key: args[1], database: client.database)
            Access.removeIfEmpty(client, shard, entry, hash: hash, key: args[1])
        }
    }

    /// Member `index` of `total` popped: starts a new `SREM key m…` op every 1024 members.
    private static func propagateSrem(_ client: Client, member: UnsafeRawBufferPointer, index: Int, total: Int) {
        let batch = 1024
        if index % batch == 0 {
            client.propagateCommand(argumentCount: 2 + min(batch, total - index))
            client.propagateArgument("SREM")
            client.propagateArgument(client.args[1])
        }
        client.propagateArgument(member)
    }

    /// SRANDMEMBER key [count]: like HRANDFIELD without values.
    static func srandmember(_ client: Client) {
        let args = client.args
        guard args.count <= 3 else { return client.reply.error(ErrorReply.syntax) }
        guard args.count == 3 else {
            Access.withKey(client, .set, read: true) { shard, _, entry in
                guard let entry else { return client.reply.null() }
                entry.randomElement(shard.nextRandom) { member, _ in client.reply.bulk(member) }
            }
            return
        }
        guard let count = ByteStrings.parseInt64(args[2]) else { return client.reply.error(ErrorReply.notInteger) }
        guard count != Int64.min else { return client.reply.error(ErrorReply.longOutOfRange) }
        Access.withKey(client, .set, read: true) { shard, _, entry in
            guard let entry, count != 0 else { return client.reply.array(count: 0) }
            Access.replyRandom(client, shard, entry, count: Int(count), values: false)
        }
    }

    // MARK: Table

    public static let commands: [Command] = [
        Command("sadd", arity: -3, flags: [.write, .zeroMeansUnchanged, .denyOOM, .fast], categories: [.write, .set, .fast],
                keys: .single, group: "set", since: "1.0.0", summary: "Add one or more members to a set",
                handler: { sadd($0) }),
        Command("srem", arity: -3, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.write, .set, .fast],
                keys: .single, group: "set", since: "1.0.0", summary: "Remove one or more members from a set",
                handler: { srem($0) }),
        Command("smembers", arity: 2, flags: [.readonly], categories: [.read, .set, .slow],
                keys: .single, group: "set", since: "1.0.0", summary: "Get all the members in a set",
                handler: { smembers($0) }),
        Command("sismember", arity: 3, flags: [.readonly, .fast], categories: [.read, .set, .fast],
                keys: .single, group: "set", since: "1.0.0", summary: "Determine if a given value is a member of a set",
                handler: { sismember($0) }),
        Command("smismember", arity: -3, flags: [.readonly, .fast], categories: [.read, .set, .fast],
                keys: .single, group: "set", since: "6.2.0",
                summary: "Returns the membership associated with the given elements for a set", handler: { smismember($0) }),
        Command("scard", arity: 2, flags: [.readonly, .fast], categories: [.read, .set, .fast],
                keys: .single, group: "set", since: "1.0.0", summary: "Get the number of members in a set",
                handler: { scard($0) }),
        Command("spop", arity: -2, flags: [.write, .fast], categories: [.write, .set, .fast],
                keys: .single, group: "set", since: "1.0.0", summary: "Remove and return one or multiple random members from a set",
                handler: { spop($0) }),
        Command("srandmember", arity: -2, flags: [.readonly], categories: [.read, .set, .slow],
                keys: .single, group: "set", since: "1.0.0", summary: "Get one or multiple random members from a set",
                handler: { srandmember($0) }),
        Command("sscan", arity: -3, flags: [.readonly], categories: [.read, .set, .slow],
                keys: .single, group: "set", since: "2.8.0", summary: "Incrementally iterate Set elements",
                handler: { CollectionAccess.scan($0, .set) }),
        Command("sinter", arity: -2, flags: [.readonly], categories: [.read, .set, .slow],
                keys: .all, group: "set", since: "1.0.0", summary: "Intersect multiple sets",
                handler: { algebra($0, .inter, store: false) }),
        Command("sunion", arity: -2, flags: [.readonly], categories: [.read, .set, .slow],
                keys: .all, group: "set", since: "1.0.0", summary: "Add multiple sets",
                handler: { algebra($0, .union, store: false) }),
        Command("sdiff", arity: -2, flags: [.readonly], categories: [.read, .set, .slow],
                keys: .all, group: "set", since: "1.0.0", summary: "Subtract multiple sets",
                handler: { algebra($0, .diff, store: false) }),
        Command("sinterstore", arity: -3, flags: [.write, .denyOOM], categories: [.write, .set, .slow],
                keys: .all, group: "set", since: "1.0.0", summary: "Intersect multiple sets and store the resulting set in a key",
                handler: { algebra($0, .inter, store: true) }),
        Command("sunionstore", arity: -3, flags: [.write, .denyOOM], categories: [.write, .set, .slow],
                keys: .all, group: "set", since: "1.0.0", summary: "Add multiple sets and store the resulting set in a key",
                handler: { algebra($0, .union, store: true) }),
        Command("sdiffstore", arity: -3, flags: [.write, .denyOOM], categories: [.write, .set, .slow],
                keys: .all, group: "set", since: "1.0.0", summary: "Subtract multiple sets and store the resulting set in a key",
                handler: { algebra($0, .diff, store: true) }),
        Command("smove", arity: 4, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.write, .set, .fast],
                keys: KeyPositions(first: 1, last: 2, step: 1), group: "set", since: "1.0.0",
                summary: "Move a member from one set to another", handler: { smove($0) }),
        Command("sintercard", arity: -3, flags: [.readonly, .movableKeys], categories: [.read, .set, .slow],
                group: "set", since: "7.0.0", summary: "Intersect multiple sets and return the cardinality of the result",
                handler: { sintercard($0) }),
    ]
}
