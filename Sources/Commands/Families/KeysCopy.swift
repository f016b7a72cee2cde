import Bytes
import Keyspace
import RESP

/// COPY and MOVE (Redis db.c `copyCommand`, `moveCommand`): any type, the TTL goes along.
/// A key's shard depends only on its name, so MOVE stays inside one shard (another database's
/// table) and COPY locks at most two shards.
public enum KeysCopyFamily {
    /// Redis `getIntFromObjectOrReply` then `selectDb`: an int, then a valid database index.
    private static func databaseIndex(_ client: Client, _ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let value = ByteStrings.parseInt64(bytes), value >= Int64(Int32.min), value <= Int64(Int32.max) else {
            client.reply.error(ErrorReply.notInteger)
            return nil
        }
        guard value >= 0 && value < Int64(client.keyspace.databaseCount) else {
            client.reply.error(ErrorReply.dbIndexOutOfRange)
            return nil
        }
        return Int(value)
    }

    /// COPY source destination [DB destination-db] [REPLACE]
    static func copy(_ client: Client) {
        let args = client.args
        var replace = false
        var targetDatabase = client.database
        var index = 3
        while index < args.count {
            if ByteStrings.equalsIgnoringCase(args[index], "replace") {
                replace = true
            } else if ByteStrings.equalsIgnoringCase(args[index], "db") && index + 1 < args.count {
                guard let database = databaseIndex(client, args[index + 1]) else { return }
                targetDatabase = database
                index += 1
            } else {
                return client.reply.error(ErrorReply.syntax)
            }
            index += 1
        }
        let source = args[1]
        let destination = args[2]
        if targetDatabase == client.database && ByteStrings.equal(source, destination) {
            return client.reply.error(ErrorReply.sameObject)
        }
        let keyspace = client.keyspace
        let sourceHash = keyspace.hash(source)
        let destinationHash = keyspace.hash(destination)
        let sourceShard = keyspace.shard(hash: sourceHash)
        let destinationShard = keyspace.shard(hash: destinationHash)
        KeyFamily.withShardsLocked(client, keys: 1..<3) {
            guard let entry = sourceShard.find(database: client.database, key: source, hash: sourceHash, now: client.now) else {
                // The source is a read lookup (lookupKeyRead); the destination's is a write one.
                client.context.events.notify(.keyMiss, "keymiss", key: source, database: client.database)
                return client.reply.integer(0)
            }
            if !replace, destinationShard.find(database: targetDatabase, key: destination, hash: destinationHash,
                                               now: client.now) != nil {
                return client.reply.integer(0)
            }
            sourceShard.copyEntry(entry, to: destinationShard, toDatabase: targetDatabase, key: destination,
                                  keyHash: destinationHash, expireAt: entry.expireAt)
            // A replaced destination is deleted silently, then re-added: "new" even with REPLACE.
            client.context.events.notify(.newKey, "new", key: destination, database: targetDatabase)
            client.context.events.notify(.generic, "copy_to", key: destination, database: targetDatabase)
            // The dispatcher breaks WATCHes of the key arguments in the current database only.
            if targetDatabase != client.database { client.context.watches.touch(database: targetDatabase, key: destination) }
            client.reply.integer(1)
        }
    }

    /// MOVE key db: 1 when moved; 0 when the key is missing or already exists in the target.
    static func move(_ client: Client) {
        guard let target = databaseIndex(client, client.args[2]) else { return }
        guard target != client.database else { return client.reply.error(ErrorReply.sameObject) }
        let key = client.args[1]
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        guard let entry = shard.find(database: client.database, key: key, hash: hash, now: client.now) else {
            return client.reply.integer(0)
        }
        if shard.find(database: target, key: key, hash: hash, now: client.now) != nil {
            return client.reply.integer(0)
        }
        shard.moveEntry(entry, database: client.database, hash: hash, to: shard, toDatabase: target, key: key, keyHash: hash)
        // "new" in the target (dbAdd), then "move_from" in the source and "move_to" in the target.
        let events = client.context.events
        events.notify(.newKey, "new", key: key, database: target)
        events.notify(.generic, "move_from", key: key, database: client.database)
        events.notify(.generic, "move_to", key: key, database: target)
        // Redis signals the key in both databases; the dispatcher covers the source one.
        client.context.watches.touch(database: target, key: key)
        client.reply.integer(1)
    }

    public static let commands: [Command] = [
        Command("copy", arity: -3, flags: [.write, .zeroMeansUnchanged, .denyOOM], categories: [.keyspace, .write, .slow],
                keys: KeyPositions(first: 1, last: 2, step: 1), group: "generic", since: "6.2.0",
                summary: "Copy a key", handler: { copy($0) }),
        Command("move", arity: 3, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.keyspace, .write, .fast],
                keys: .single, group: "generic", since: "1.0.0", summary: "Move a key to another database",
                handler: { move($0) }),
    ]
}
