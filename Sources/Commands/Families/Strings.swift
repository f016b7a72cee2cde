import Bytes
import Keyspace
import RESP

/// The string family (Redis t_string.c): GET/SET and friends here, counters in StringsNumeric.swift,
/// APPEND/STRLEN/GETRANGE/SETRANGE and the multi-key commands in StringsRange.swift.
/// GET and SET are the server's hot path: no allocations, options parsed in place, values written
/// straight from the entry into the reply while the shard lock is held.
public enum StringFamily {
    /// proto-max-bulk-len (Redis's default; the limit on strings built by APPEND and SETRANGE).
    static let maxStringLength = 512 * 1024 * 1024

    /// Redis's OBJ_SET_* / OBJ_EX… option bits (parseExtendedStringArgumentsOrReply).
    enum Option {
        static let nx: UInt16 = 1 << 0
        static let xx: UInt16 = 1 << 1
        static let ex: UInt16 = 1 << 2
        static let px: UInt16 = 1 << 3
        static let keepTTL: UInt16 = 1 << 4
        static let get: UInt16 = 1 << 5
        static let exat: UInt16 = 1 << 6
        static let pxat: UInt16 = 1 << 7
        static let persist: UInt16 = 1 << 8
        static let expireOptions: UInt16 = ex | px | exat | pxat
    }

    // MARK: Shared helpers

    /// Redis compares option names as C strings: bytes after a NUL are ignored ("nx\0junk" is NX).
    @inline(__always)
    static func optionName(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0 { return UnsafeRawBufferPointer(rebasing: bytes[0..<index]) }
            index += 1
        }
        return bytes
    }

    /// Redis `parseExtendedStringArgumentsOrReply` for SET (`forSet`) and GETEX: any unknown or
    /// conflicting option is a syntax error (the caller replies). Repeating an option is allowed and
    /// the last expiry wins. `expireIndex` is the argument holding the expiry (0 = none).
    @inline(__always)
    static func parseOptions(_ args: Arguments, from first: Int, forSet: Bool,
                             flags: inout UInt16, expireIndex: inout Int) -> Bool {
        var index = first
        let count = args.count
        while index < count {
            let option = optionName(args[index])
            let hasNext = index + 1 < count
            if forSet && ByteStrings.equalsIgnoringCase(option, "nx") && flags & Option.xx == 0 {
                flags |= Option.nx
            } else if forSet && ByteStrings.equalsIgnoringCase(option, "xx") && flags & Option.nx == 0 {
                flags |= Option.xx
            } else if forSet && ByteStrings.equalsIgnoringCase(option, "get") {
                flags |= Option.get
            } else if forSet && ByteStrings.equalsIgnoringCase(option, "keepttl")
                        && flags & (Option.persist | Option.expireOptions) == 0 {
                flags |= Option.keepTTL
            } else if !forSet && ByteStrings.equalsIgnoringCase(option, "persist")
                        && flags & (Option.keepTTL | Option.expireOptions) == 0 {
                flags |= Option.persist
            } else if hasNext, flags & (Option.keepTTL | Option.persist) == 0,
                      let unit = expireOption(option), flags & (Option.expireOptions & ~unit) == 0 {
                flags |= unit
                expireIndex = index + 1
                index += 1
            } else {
                return false
            }
            index += 1
        }
        return true
    }

    /// EX, PX, EXAT or PXAT as its option bit; nil for anything else.
    @inline(__always)
    static func expireOption(_ option: UnsafeRawBufferPointer) -> UInt16? {
        if ByteStrings.equalsIgnoringCase(option, "ex") { return Option.ex }
        if ByteStrings.equalsIgnoringCase(option, "px") { return Option.px }
        if ByteStrings.equalsIgnoringCase(option, "exat") { return Option.exat }
        if ByteStrings.equalsIgnoringCase(option, "pxat") { return Option.pxat }
        return nil
    }

    /// Redis `getExpireMillisecondsOrReply`: the absolute deadline in Unix ms for an EX/PX (relative to
    /// `client.now`) or EXAT/PXAT argument, or nil after replying the error.
    static func expireDeadline(_ client: Client, _ argument: UnsafeRawBufferPointer, flags: UInt16) -> Int64? {
        guard let amount = ByteStrings.parseInt64(argument) else {
            client.reply.error(ErrorReply.notInteger)
            return nil
        }
        let seconds = flags & (Option.ex | Option.exat) != 0
        guard amount > 0, !seconds || amount <= Int64.max / 1000 else {
            replyInvalidExpireTime(client)
            return nil
        }
        var milliseconds = seconds ? amount * 1000 : amount
        if flags & (Option.ex | Option.px) != 0 {
            let (sum, overflow) = milliseconds.addingReportingOverflow(client.now)
            guard !overflow, sum > 0 else {
                replyInvalidExpireTime(client)
                return nil
            }
            milliseconds = sum
        }
        return milliseconds
    }

    /// "ERR invalid expire time in '<command>' command" (Redis names the running command).
    static func replyInvalidExpireTime(_ client: Client) {
        let name = client.command?.fullName ?? []
        name.withUnsafeBytes { nameBytes in
            client.reply.error([Client.bytes("ERR invalid expire time in '"), nameBytes, Client.bytes("' command")])
        }
    }

    /// Redis `getGenericCommand` on an already looked-up entry of `args[1]`: replies the value or nil
    /// and counts a keyspace hit or miss (a key of another type is a hit); a miss fires "keymiss"
    /// (lookupKeyRead). Returns false after a WRONGTYPE reply.
    @inline(__always)
    static func replyValue(_ client: Client, _ entry: Entry?) -> Bool {
        guard let entry else {
            client.stats.keyspaceMisses.bump()
            client.notify(.keyMiss, "keymiss", key: client.args[1], database: client.database)
            client.reply.null()
            return true
        }
        client.stats.keyspaceHits.bump()
        guard entry.type == .string else {
            client.reply.error(ErrorReply.wrongType)
            return false
        }
        client.reply.bulk(UnsafeRawBufferPointer(entry.value))
        return true
    }

    // MARK: GET

    static func get(_ client: Client) {
        let key = client.args[1]
        let hash = client.keyspace.hash(key)
        client.keyspace.withShard(hash: hash) { shard in
            shard.lock()
            defer { shard.unlock() }
            _ = replyValue(client, shard.find(database: client.database, key: key, hash: hash, now: client.now))
        }
    }

    // MARK: SET, SETNX, SETEX, PSETEX, GETSET

    static func set(_ client: Client) {
        let args = client.args
        var flags: UInt16 = 0
        var expireIndex = 0
        if args.count > 3 && !parseOptions(args, from: 3, forSet: true, flags: &flags, expireIndex: &expireIndex) {
            client.reply.error(ErrorReply.syntax)
            return
        }
        var expireAt: Int64 = 0
        if expireIndex != 0 {
            guard let deadline = expireDeadline(client, args[expireIndex], flags: flags) else { return }
            expireAt = deadline
        }
        setGeneric(client, value: args[2], flags: flags, expireAt: expireAt, integerReply: false)
    }

    static func setnx(_ client: Client) {
        setGeneric(client, value: client.args[2], flags: Option.nx, expireAt: 0, integerReply: true)
    }

    static func setex(_ client: Client) {
        guard let deadline = expireDeadline(client, client.args[2], flags: Option.ex) else { return }
        setGeneric(client, value: client.args[3], flags: Option.ex, expireAt: deadline, integerReply: false)
    }

    static func psetex(_ client: Client) {
        guard let deadline = expireDeadline(client, client.args[2], flags: Option.px) else { return }
        setGeneric(client, value: client.args[3], flags: Option.px, expireAt: deadline, integerReply: false)
    }

    /// GETSET is SET ... GET: the old value (or nil), then the new value without a TTL.
    static func getset(_ client: Client) {
        setGeneric(client, value: client.args[2], flags: Option.get, expireAt: 0, integerReply: false)
    }

    /// Redis `setGenericCommand` once the expiry is validated: `expireAt` is the absolute deadline
    /// (0 = none, the TTL is cleared unless KEEPTTL). Replies +OK / nil, or :1 / :0 (SETNX).
    @inline(__always)
    static func setGeneric(_ client: Client, value: UnsafeRawBufferPointer, flags: UInt16, expireAt: Int64,
                           integerReply: Bool) {
        let key = client.args[1]
        let hash = client.keyspace.hash(key)
        client.keyspace.withShard(hash: hash) { shard in
            setLocked(client, shard, key: key, hash: hash, value: value, flags: flags, expireAt: expireAt,
                      integerReply: integerReply)
        }
    }

    @inline(__always)
    static func setLocked(_ client: Client, _ shard: Shard, key: UnsafeRawBufferPointer, hash: UInt64,
                          value: UnsafeRawBufferPointer, flags: UInt16, expireAt: Int64, integerReply: Bool) {
        let database = client.database
        shard.lock()
        defer { shard.unlock() }
        let existing = shard.find(database: database, key: key, hash: hash, now: client.now)
        let withGet = flags & Option.get != 0
        if withGet && !replyValue(client, existing) { return }
        if existing == nil ? flags & Option.xx != 0 : flags & Option.nx != 0 {
            // Nothing changed: not propagated (Redis propagates only writes that dirtied the db).
            client.suppressPropagation()
            if !withGet {
                if integerReply { client.reply.integer(0) } else { client.reply.null() }
            }
            return
        }
        var deadline = expireAt
        if flags & Option.keepTTL != 0, let existing { deadline = existing.expireAt }
        if let existing {
            shard.overwriteString(existing, database: database, key: key, hash: hash, value: value, expireAt: deadline)
        } else {
            shard.setString(database: database, key: key, hash: hash, value: value, expireAt: deadline)
        }
        // Redis: "new" (dbAdd), "set", then "expire" when an expiry argument was given (not KEEPTTL).
        if existing == nil { client.notify(.newKey, "new", key: key, database: database) }
        client.notify(.string, "set", key: key, database: database)
        if expireAt != 0 { client.notify(.generic, "expire", key: key, database: database) }
        if client.propagates { propagateSet(client, value: value, flags: flags, expireAt: expireAt) }
        if !withGet {
            if integerReply { client.reply.integer(1) } else { client.reply.ok() }
        }
    }

    /// Redis 7.0 setGenericCommand's rewrites: a relative expiry (EX/PX, SETEX/PSETEX) becomes
    /// `SET key value PXAT <ms>`; GET arguments are dropped (GETSET becomes SET key value);
    /// SETNX and anything else go verbatim.
    static func propagateSet(_ client: Client, value: UnsafeRawBufferPointer, flags: UInt16, expireAt: Int64) {
        let args = client.args
        let key = args[1]
        if expireAt != 0 && flags & Option.pxat == 0 {
            client.propagateCommand(argumentCount: 5)
            client.propagateArgument("SET")
            client.propagateArgument(key)
            client.propagateArgument(value)
            client.propagateArgument("PXAT")
            client.propagateArgument(expireAt)
        } else if flags & Option.get != 0 {
            var kept = 0
            for i in 0..<args.count where i < 3 || !ByteStrings.equalsIgnoringCase(args[i], "get") { kept += 1 }
            client.propagateCommand(argumentCount: max(kept, 3))
            client.propagateArgument("SET")
            client.propagateArgument(key)
            client.propagateArgument(value)
            for i in 3..<max(args.count, 3) where !ByteStrings.equalsIgnoringCase(args[i], "get") {
                client.propagateArgument(args[i])
            }
        }
    }

    // MARK: GETEX, GETDEL

    static func getex(_ client: Client) {
        let args = client.args
        var flags: UInt16 = 0
        var expireIndex = 0
        if !parseOptions(args, from: 2, forSet: false, flags: &flags, expireIndex: &expireIndex) {
            client.reply.error(ErrorReply.syntax)
            return
        }
        let key = args[1]
        let database = client.database
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        // GETEX writes only when it changes the expiry (rewritten below); otherwise nothing to log.
        client.suppressPropagation()
        guard let entry = shard.find(database: database, key: key, hash: hash, now: client.now) else {
            client.stats.keyspaceMisses.bump()
            client.notify(.keyMiss, "keymiss", key: key, database: database)
            client.reply.null()
            return
        }
        client.stats.keyspaceHits.bump()
        guard entry.type == .string else {
            client.reply.error(ErrorReply.wrongType)
            return
        }
        // Redis validates the expiry only once the key is known to exist.
        var deadline: Int64 = 0
        if expireIndex != 0 {
            guard let validated = expireDeadline(client, args[expireIndex], flags: flags) else { return }
            deadline = validated
        }
        client.reply.bulk(UnsafeRawBufferPointer(entry.value))
        if flags & (Option.exat | Option.pxat) != 0 && deadline <= client.now {
            // An absolute deadline already reached deletes the key (Redis checkAlreadyExpired).
            shard.remove(entry, database: database, hash: hash)
            client.notify(.generic, "del", key: key, database: database)
            if client.propagates { client.propagateDel(key) }
        } else if expireIndex != 0 {
            shard.setExpiration(entry, expireAt: deadline)
            client.notify(.generic, "expire", key: key, database: database)
            if client.propagates { client.propagatePExpireAt(key, deadline) }
        } else if flags & Option.persist != 0 && entry.expireAt != 0 {
            shard.setExpiration(entry, expireAt: 0)
            client.notify(.generic, "persist", key: key, database: database)
            if client.propagates {
                client.propagateCommand(argumentCount: 2)
                client.propagateArgument("PERSIST")
                client.propagateArgument(key)
            }
        }
    }

    static func getdel(_ client: Client) {
        let key = client.args[1]
        let database = client.database
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        let entry = shard.find(database: database, key: key, hash: hash, now: client.now)
        client.suppressPropagation()
        guard replyValue(client, entry), let entry else { return }
        shard.remove(entry, database: database, hash: hash)
        client.notify(.generic, "del", key: key, database: database)
        if client.propagates { client.propagateDel(key) }
    }

    // MARK: Command table

    public static let commands: [Command] = [
        Command("get", arity: 2, flags: [.readonly, .fast], categories: [.read, .string, .fast],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Get the value of a key", handler: get),
        Command("set", arity: -3, flags: [.write, .denyOOM], categories: [.write, .string, .slow],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Set the string value of a key", handler: set),
        Command("setnx", arity: 3, flags: [.write, .zeroMeansUnchanged, .denyOOM, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Set the value of a key, only if the key does not exist", handler: setnx),
        Command("setex", arity: 4, flags: [.write, .denyOOM], categories: [.write, .string, .slow],
                keys: .single, group: "string", since: "2.0.0",
                summary: "Set the value and expiration of a key", handler: setex),
        Command("psetex", arity: 4, flags: [.write, .denyOOM], categories: [.write, .string, .slow],
                keys: .single, group: "string", since: "2.6.0",
                summary: "Set the value and expiration in milliseconds of a key", handler: psetex),
        Command("getset", arity: 3, flags: [.write, .denyOOM, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Set the string value of a key and return its old value", handler: getset),
        Command("getex", arity: -2, flags: [.write, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "6.2.0",
                summary: "Get the value of a key and optionally set its expiration", handler: getex),
        Command("getdel", arity: 2, flags: [.write, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "6.2.0",
                summary: "Get the value of a key and delete the key", handler: getdel),
        Command("mget", arity: -2, flags: [.readonly, .fast], categories: [.read, .string, .fast],
                keys: .all, group: "string", since: "1.0.0",
                summary: "Get the values of all the given keys", handler: mget),
        Command("mset", arity: -3, flags: [.write, .denyOOM], categories: [.write, .string, .slow],
                keys: KeyPositions(first: 1, last: -1, step: 2), group: "string", since: "1.0.1",
                summary: "Set multiple keys to multiple values", handler: mset),
        Command("msetnx", arity: -3, flags: [.write, .zeroMeansUnchanged, .denyOOM], categories: [.write, .string, .slow],
                keys: KeyPositions(first: 1, last: -1, step: 2), group: "string", since: "1.0.1",
                summary: "Set multiple keys to multiple values, only if none of the keys exist", handler: msetnx),
        Command("append", arity: 3, flags: [.write, .denyOOM, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "2.0.0",
                summary: "Append a value to a key", handler: append),
        Command("strlen", arity: 2, flags: [.readonly, .fast], categories: [.read, .string, .fast],
                keys: .single, group: "string", since: "2.2.0",
                summary: "Get the length of the value stored in a key", handler: strlen),
        Command("getrange", arity: 4, flags: [.readonly], categories: [.read, .string, .slow],
                keys: .single, group: "string", since: "2.4.0",
                summary: "Get a substring of the string stored at a key", handler: getrange),
        Command("substr", arity: 4, flags: [.readonly], categories: [.read, .string, .slow],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Get a substring of the string stored at a key", handler: getrange),
        Command("setrange", arity: 4, flags: [.write, .denyOOM], categories: [.write, .string, .slow],
                keys: .single, group: "string", since: "2.2.0",
                summary: "Overwrite part of a string at key starting at the specified offset", handler: setrange),
        Command("incr", arity: 2, flags: [.write, .denyOOM, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Increment the integer value of a key by one", handler: incr),
        Command("decr", arity: 2, flags: [.write, .denyOOM, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Decrement the integer value of a key by one", handler: decr),
        Command("incrby", arity: 3, flags: [.write, .denyOOM, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Increment the integer value of a key by the given amount", handler: incrby),
        Command("decrby", arity: 3, flags: [.write, .denyOOM, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "1.0.0",
                summary: "Decrement the integer value of a key by the given number", handler: decrby),
        Command("incrbyfloat", arity: 3, flags: [.write, .denyOOM, .fast], categories: [.write, .string, .fast],
                keys: .single, group: "string", since: "2.6.0",
                summary: "Increment the float value of a key by the given amount", handler: incrbyfloat),
    ]
}
