import Bytes
import Keyspace
import RESP

// SINTER, SUNION, SDIFF (and their STORE forms), SINTERCARD, SMOVE: atomic over every shard their
// keys live in (locked once each, in increasing index order, by `KeyFamily.withShardsLocked`).
// Results are copied out before anything is written, because the destination may be a source.
extension SetFamily {
    enum Operation { case inter, union, diff }

    /// Looks up `args[range]` as sets (nil = missing). Replies WRONGTYPE and returns nil when one
    /// holds another type: Redis checks every key's type before computing anything. Every lookup is
    /// a read (lookupKeyRead, also for the STORE forms): a miss counts and fires "keymiss", so the
    /// misses before a WRONGTYPE key have fired already.
    private static func lookupSets(_ client: Client, _ range: Range<Int>) -> [Entry?]? {
        var entries: [Entry?] = []
        entries.reserveCapacity(range.count)
        for index in range {
            let key = client.args[index]
            let hash = client.keyspace.hash(key)
            let entry = client.keyspace.shard(hash: hash).find(database: client.database, key: key, hash: hash, now: client.now)
            if entry == nil {
                client.stats.keyspaceMisses.bump()
                client.context.events.notify(.keyMiss, "keymiss", key: key, database: client.database)
            } else {
                client.stats.keyspaceHits.bump()
            }
            if let entry, entry.type != .set {
                client.reply.error(ErrorReply.wrongType)
                return nil
            }
            entries.append(entry)
        }
        return entries
    }

    private static func compute(_ op: Operation, _ sets: [Entry?]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        switch op {
        case .inter:
            guard let present = sets as? [Entry], !present.isEmpty else { return [] }
            let smallest = present.min { $0.elementCount < $1.elementCount }!
            smallest.forEachElement { member, _ in
                if present.allSatisfy({ $0 == smallest || $0.setContains(member) }) { result.append(Array(member)) }
            }
        case .union:
            var seen = Set<[UInt8]>()
            for entry in sets {
                entry?.forEachElement { member, _ in
                    let bytes = Array(member)
                    if seen.insert(bytes).inserted { result.append(bytes) }
                }
            }
        case .diff:
            guard let first = sets[0] else { return [] }
            let others = sets.dropFirst().compactMap { $0 }.filter { $0 != first }
            if sets.dropFirst().contains(where: { $0 == first }) { return [] }
            first.forEachElement { member, _ in
                if !others.contains(where: { $0.setContains(member) }) { result.append(Array(member)) }
            }
        }
        return result
    }

    private static func storeEvent(_ op: Operation) -> StaticString {
        switch op {
        case .inter: "sinterstore"
        case .union: "sunionstore"
        case .diff: "sdiffstore"
        }
    }

    static func algebra(_ client: Client, _ op: Operation, store: Bool) {
        let args = client.args
        let first = store ? 2 : 1
        KeyFamily.withShardsLocked(client, keys: 1..<args.count) {
            guard let sets = lookupSets(client, first..<args.count) else { return }
            let members = compute(op, sets)
            guard store else {
                client.reply.set(count: members.count)
                for member in members { member.withUnsafeBytes { client.reply.bulk($0) } }
                return
            }
            let destination = args[1]
            let hash = client.keyspace.hash(destination)
            let shard = client.keyspace.shard(hash: hash)
            let events = client.context.events
            let old = shard.peek(database: client.database, key: destination, hash: hash, now: client.now)
            if members.isEmpty {
                // Redis deletes the destination ("del" only if it existed) and fires no store event.
                if let old {
                    shard.remove(old, database: client.database, hash: hash)
                    events.notify(.generic, "del", key: destination, database: client.database)
                }
            } else {
                var entry = shard.createCollection(type: .set, database: client.database, key: destination, hash: hash)
                for member in members {
                    member.withUnsafeBytes { entry = shard.setAdd(entry, database: client.database, hash: hash, member: $0).0 }
                }
                // setKey: "new" only when the destination did not exist (an overwrite is silent).
                if old == nil { events.notify(.newKey, "new", key: destination, database: client.database) }
                events.notify(.set, storeEvent(op), key: destination, database: client.database)
            }
            client.reply.integer(members.count)
        }
    }

    /// SINTERCARD numkeys key [key ...] [LIMIT limit] (Redis 7.0 texts for every argument error).
    static func sintercard(_ client: Client) {
        let args = client.args
        guard let numkeys = ByteStrings.parseInt64(args[1]), numkeys >= 1 else {
            return client.reply.error(ErrorReply.numkeysNotPositive)
        }
        guard numkeys <= Int64(args.count - 2) else { return client.reply.error(ErrorReply.numkeysTooMany) }
        let end = 2 + Int(numkeys)
        var limit = 0
        var index = end
        while index < args.count {
            guard ByteStrings.equalsIgnoringCase(args[index], "limit"), index + 1 < args.count else {
                return client.reply.error(ErrorReply.syntax)
            }
            guard let value = ByteStrings.parseInt64(args[index + 1]), value >= 0 else {
                return client.reply.error(ErrorReply.limitNegative)
            }
            limit = Int(value)
            index += 2
        }
        KeyFamily.withShardsLocked(client, keys: 2..<end) {
            guard let sets = lookupSets(client, 2..<end) else { return }
            guard let present = sets as? [Entry] else { return client.reply.integer(0) }
            let smallest = present.min { $0.elementCount < $1.elementCount }!
            var count = 0
            smallest.forEachElement { member, _ in
                if limit != 0 && count >= limit { return }
                if present.allSatisfy({ $0 == smallest || $0.setContains(member) }) { count += 1 }
            }
            client.reply.integer(count)
        }
    }

    /// SMOVE source destination member (Redis `smoveCommand`'s order of checks).
    static func smove(_ client: Client) {
        let args = client.args
        let database = client.database
        KeyFamily.withShardsLocked(client, keys: 1..<3) {
            let sourceHash = client.keyspace.hash(args[1])
            let sourceShard = client.keyspace.shard(hash: sourceHash)
            let destinationHash = client.keyspace.hash(args[2])
            let destinationShard = client.keyspace.shard(hash: destinationHash)
            guard let source = sourceShard.find(database: database, key: args[1], hash: sourceHash, now: client.now) else {
                return client.reply.integer(0)
            }
            let destination = destinationShard.find(database: database, key: args[2], hash: destinationHash, now: client.now)
            guard source.type == .set, destination == nil || destination!.type == .set else {
                return client.reply.error(ErrorReply.wrongType)
            }
            if source == destination { return client.reply.integer(source.setContains(args[3]) ? 1 : 0) }
            let (remaining, removed) = sourceShard.setRemove(source, database: database, hash: sourceHash, member: args[3])
            guard removed else { return client.reply.integer(0) }
            // Redis's order: "srem" source, "del" source if emptied, "new" destination if created,
            // "sadd" destination only if the member was not there already.
            let events = client.context.events
            events.notify(.set, "srem", key: args[1], database: database)
            CollectionAccess.removeIfEmpty(client, sourceShard, remaining, hash: sourceHash, key: args[1])
            let target = destination ?? destinationShard.createCollection(type: .set, database: database, key: args[2],
                                                                          hash: destinationHash)
            if destination == nil { events.notify(.newKey, "new", key: args[2], database: database) }
            if destinationShard.setAdd(target, database: database, hash: destinationHash, member: args[3]).1 {
                events.notify(.set, "sadd", key: args[2], database: database)
            }
            client.reply.integer(1)
        }
    }
}
