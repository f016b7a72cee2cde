import Bytes
import Keyspace
import RESP

/// Key expiry (Redis `expire.c`): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME,
/// PEXPIRETIME, PERSIST. Deadlines are absolute Unix ms computed from `client.now`.
public enum ExpireFamily {
    // MARK: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT

    /// NX / XX / GT / LT of the EXPIRE family.
    struct Conditions: OptionSet {
        let rawValue: UInt8
        static let nx = Conditions(rawValue: 1 << 0)
        static let xx = Conditions(rawValue: 1 << 1)
        static let gt = Conditions(rawValue: 1 << 2)
        static let lt = Conditions(rawValue: 1 << 3)
    }

    static func expire(_ client: Client) { expireGeneric(client, relative: true, seconds: true) }
    static func pexpire(_ client: Client) { expireGeneric(client, relative: true, seconds: false) }
    static func expireat(_ client: Client) { expireGeneric(client, relative: false, seconds: true) }
    static func pexpireat(_ client: Client) { expireGeneric(client, relative: false, seconds: false) }

    /// Redis `expireGenericCommand`: options are checked first, then the number, then overflow, then
    /// the key. A deadline at or before now deletes the key (and replies 1).
    static func expireGeneric(_ client: Client, relative: Bool, seconds: Bool) {
        let args = client.args
        guard let conditions = parseConditions(client) else { return }
        guard var when = ByteStrings.parseInt64(args[2]) else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        if seconds {
            guard when <= Int64.max / 1000 && when >= Int64.min / 1000 else {
                replyInvalidExpireTime(client)
                return
            }
            when *= 1000
        }
        if relative {
            let base = client.now
            guard when <= Int64.max - base else {
                replyInvalidExpireTime(client)
                return
            }
            when += base
        }

        let key = args[1]
        let keyspace = client.keyspace
        let hash = keyspace.hash(key)
        let shard = keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        // A relative EXPIRE must never be replayed as such: only applied changes are logged, as
        // PEXPIREAT (or DEL when the deadline has passed), like Redis 7.0.
        client.suppressPropagation()
        guard let entry = shard.find(database: client.database, key: key, hash: hash, now: client.now) else {
            client.reply.integer(0)
            return
        }
        if !conditions.isEmpty {
            let current = entry.expireAt // 0 = no expiry, which GT and LT treat as infinite
            if conditions.contains(.nx) && current != 0
                || conditions.contains(.xx) && current == 0
                || conditions.contains(.gt) && (current == 0 || when <= current)
                || conditions.contains(.lt) && current != 0 && when >= current {
                client.reply.integer(0)
                return
            }
        }
        if when <= client.now {
            shard.remove(entry, database: client.database, hash: hash)
            client.context.events.notify(.generic, "del", key: key, database: client.database)
            if client.propagates { client.propagateDel(key) }
        } else {
            shard.setExpiration(entry, expireAt: when)
            client.context.events.notify(.generic, "expire", key: key, database: client.database)
            if client.propagates { client.propagatePExpireAt(key, when) }
        }
        client.reply.integer(1)
    }

    /// Redis `parseExtendedExpireArgumentsOrReply`: any of NX XX GT LT (repeats allowed), checked
    /// for compatibility once all are read. Replies the error and returns nil when invalid.
    private static func parseConditions(_ client: Client) -> Conditions? {
        let args = client.args
        var conditions: Conditions = []
        var i = 3
        while i < args.count {
            let option = args[i]
            if ByteStrings.equalsIgnoringCase(option, "nx") {
                conditions.insert(.nx)
            } else if ByteStrings.equalsIgnoringCase(option, "xx") {
                conditions.insert(.xx)
            } else if ByteStrings.equalsIgnoringCase(option, "gt") {
                conditions.insert(.gt)
            } else if ByteStrings.equalsIgnoringCase(option, "lt") {
                conditions.insert(.lt)
            } else {
                // Redis formats the option with %s: it ends at a NUL byte.
                var length = 0
                while length < option.count && option[length] != 0 { length += 1 }
                client.reply.error([Client.bytes("ERR Unsupported option "),
                                    UnsafeRawBufferPointer(rebasing: option[..<length])])
                return nil
            }
            i += 1
        }
        if conditions.contains(.nx) && !conditions.isDisjoint(with: [.xx, .gt, .lt]) {
            client.reply.error(ErrorReply.nxAndXX)
            return nil
        }
        if conditions.contains([.gt, .lt]) {
            client.reply.error(ErrorReply.gtAndLt)
            return nil
        }
        return conditions
    }

    /// "ERR invalid expire time in '<command>' command"
    private static func replyInvalidExpireTime(_ client: Client) {
        let name = client.command?.fullName ?? []
        name.withUnsafeBytes { nameBytes in
            client.reply.error([Client.bytes("ERR invalid expire time in '"), nameBytes, Client.bytes("' command")])
        }
    }

    // MARK: TTL, PTTL, EXPIRETIME, PEXPIRETIME

    static func ttl(_ client: Client) { ttlGeneric(client, milliseconds: false, absolute: false) }
    static func pttl(_ client: Client) { ttlGeneric(client, milliseconds: true, absolute: false) }
    static func expiretime(_ client: Client) { ttlGeneric(client, milliseconds: false, absolute: true) }
    static func pexpiretime(_ client: Client) { ttlGeneric(client, milliseconds: true, absolute: true) }

    /// Redis `ttlGenericCommand`: -2 when missing, -1 without expiry, else the remaining time (or the
    /// deadline) never below 0; seconds are rounded to the nearest ((ms + 500) / 1000).
    /// Looks up without touching the access clock (LOOKUP_NOTOUCH) but counts a hit or miss.
    static func ttlGeneric(_ client: Client, milliseconds: Bool, absolute: Bool) {
        let key = client.args[1]
        let keyspace = client.keyspace
        let hash = keyspace.hash(key)
        let shard = keyspace.shard(hash: hash)
        shard.lock()
        guard let entry = shard.peek(database: client.database, key: key, hash: hash, now: client.now) else {
            client.context.events.notify(.keyMiss, "keymiss", key: key, database: client.database)
            shard.unlock()
            client.stats.keyspaceMisses.bump()
            client.reply.integer(-2)
            return
        }
        let expireAt = entry.expireAt
        shard.unlock()
        client.stats.keyspaceHits.bump()
        guard expireAt != 0 else {
            client.reply.integer(-1)
            return
        }
        let time = max(0, absolute ? expireAt : expireAt - client.now)
        // Unsigned, as Redis's compiled `(ttl+500)/1000` behaves near LLONG_MAX (EXPIRETIME of a
        // PEXPIREAT 9223372036854775807 key is 9223372036854776).
        client.reply.integer(milliseconds ? Int(time) : Int((UInt64(time) + 500) / 1000))
    }

    // MARK: PERSIST

    /// PERSIST key: 1 if an expiry was removed, 0 if the key is missing or has none.
    static func persist(_ client: Client) {
        let key = client.args[1]
        let keyspace = client.keyspace
        let hash = keyspace.hash(key)
        let shard = keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        guard let entry = shard.find(database: client.database, key: key, hash: hash, now: client.now),
              entry.expireAt != 0 else {
            client.reply.integer(0)
            return
        }
        shard.setExpiration(entry, expireAt: 0)
        client.context.events.notify(.generic, "persist", key: key, database: client.database)
        client.reply.integer(1)
    }

    // MARK: Table

    public static let commands: [Command] = [
        Command("expire", arity: -3, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.keyspace, .write, .fast],
                keys: .single, group: "generic", since: "1.0.0", summary: "Set a key's time to live in seconds",
                handler: { expire($0) }),
        Command("pexpire", arity: -3, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.keyspace, .write, .fast],
                keys: .single, group: "generic", since: "2.6.0",
                summary: "Set a key's time to live in milliseconds", handler: { pexpire($0) }),
        Command("expireat", arity: -3, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.keyspace, .write, .fast],
                keys: .single, group: "generic", since: "1.2.0",
                summary: "Set the expiration for a key as a UNIX timestamp", handler: { expireat($0) }),
        Command("pexpireat", arity: -3, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.keyspace, .write, .fast],
                keys: .single, group: "generic", since: "2.6.0",
                summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
                handler: { pexpireat($0) }),
        Command("ttl", arity: 2, flags: [.readonly, .fast], categories: [.keyspace, .read, .fast],
                keys: .single, group: "generic", since: "1.0.0", summary: "Get the time to live for a key in seconds",
                handler: { ttl($0) }),
        Command("pttl", arity: 2, flags: [.readonly, .fast], categories: [.keyspace, .read, .fast],
                keys: .single, group: "generic", since: "2.6.0",
                summary: "Get the time to live for a key in milliseconds", handler: { pttl($0) }),
        Command("expiretime", arity: 2, flags: [.readonly, .fast], categories: [.keyspace, .read, .fast],
                keys: .single, group: "generic", since: "7.0.0",
                summary: "Get the expiration Unix timestamp for a key", handler: { expiretime($0) }),
        Command("pexpiretime", arity: 2, flags: [.readonly, .fast], categories: [.keyspace, .read, .fast],
                keys: .single, group: "generic", since: "7.0.0",
                summary: "Get the expiration Unix timestamp for a key in milliseconds", handler: { pexpiretime($0) }),
        Command("persist", arity: 2, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.keyspace, .write, .fast],
                keys: .single, group: "generic", since: "2.2.0", summary: "Remove the expiration from a key",
                handler: { persist($0) }),
    ]
}
