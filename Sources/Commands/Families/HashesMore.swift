import Bytes
import Keyspace
import RESP

// HINCRBY, HINCRBYFLOAT, HRANDFIELD.
extension HashFamily {
    static func hincrby(_ client: Client) {
        let args = client.args
        guard let increment = ByteStrings.parseInt64(args[3]) else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        Access.withKey(client, .hash, read: false) { shard, hash, existing in
            var current: Int64 = 0
            if let old = existing?.hashValue(args[2]) {
                guard let parsed = ByteStrings.parseInt64(old) else {
                    client.reply.error(ErrorReply.hashValueNotInteger)
                    return
                }
                current = parsed
            }
            let (result, overflow) = current.addingReportingOverflow(increment)
            guard !overflow else {
                client.reply.error(ErrorReply.overflow)
                return
            }
            let entry = existing ?? shard.createCollection(type: .hash, database: client.database, key: args[1], hash: hash)
            withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { buffer in
                let n = ByteStrings.formatInt64(result, into: buffer)
                _ = shard.hashSet(entry, database: client.database, hash: hash, field: args[2],
                                  value: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            }
            notifyWrite(client, "hincrby", created: existing == nil)
            client.reply.integer(Int(result))
        }
    }

    /// Redis uses long double here, as INCRBYFLOAT does: same parser and formatter.
    static func hincrbyfloat(_ client: Client) {
        let args = client.args
        guard let increment = LongDouble.parse(args[3]) else {
            client.reply.error(ErrorReply.notFloat)
            return
        }
        guard increment.isFinite else {
            client.reply.error(ErrorReply.nanOrInfinityValue)
            return
        }
        Access.withKey(client, .hash, read: false) { shard, hash, existing in
            var current: LongDouble.Value = 0
            if let old = existing?.hashValue(args[2]) {
                guard let parsed = LongDouble.parse(old) else {
                    client.reply.error(ErrorReply.hashValueNotFloat)
                    return
                }
                current = parsed
            }
            let result = current + increment
            guard result.isFinite else {
                client.reply.error(ErrorReply.nanOrInfinity)
                return
            }
            let entry = existing ?? shard.createCollection(type: .hash, database: client.database, key: args[1], hash: hash)
            withUnsafeTemporaryAllocation(byteCount: LongDouble.maxCharacters, alignment: 8) { buffer in
                let n = LongDouble.formatHuman(result, into: buffer)
                let text = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                _ = shard.hashSet(entry, database: client.database, hash: hash, field: args[2], value: text)
                notifyWrite(client, "hincrbyfloat", created: existing == nil)
                client.reply.bulk(text)
                // Redis: HSET key field <result>.
                if client.propagates {
                    client.propagateCommand(argumentCount: 4)
                    client.propagateArgument("HSET")
                    client.propagateArgument(args[1])
                    client.propagateArgument(args[2])
                    client.propagateArgument(text)
                }
            }
        }
    }

    /// HRANDFIELD key [count [WITHVALUES]] (Redis `hrandfieldWithCountCommand`).
    static func hrandfield(_ client: Client) {
        let args = client.args
        guard args.count >= 3 else {
            Access.withKey(client, .hash, read: true) { shard, _, entry in
                guard let entry else { return client.reply.null() }
                entry.randomElement(shard.nextRandom) { field, _ in client.reply.bulk(field) }
            }
            return
        }
        // Redis parses the count before looking at WITHVALUES.
        guard let count = ByteStrings.parseInt64(args[2]) else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        guard count != Int64.min else {
            client.reply.error(ErrorReply.longOutOfRange)
            return
        }
        var withValues = false
        if args.count >= 4 {
            guard args.count == 4, ByteStrings.equalsIgnoringCase(args[3], "withvalues") else {
                client.reply.error(ErrorReply.syntax)
                return
            }
            withValues = true
        }
        if withValues && count < -(Int64.max / 2) {
            client.reply.error(ErrorReply.outOfRange)
            return
        }
        Access.withKey(client, .hash, read: true) { shard, _, entry in
            guard let entry, count != 0 else { return client.reply.array(count: 0) }
            Access.replyRandom(client, shard, entry, count: Int(count), values: withValues)
        }
    }
}

extension CollectionAccess {
    /// The random-sample replies of HRANDFIELD / SRANDMEMBER with a count: a negative count may
    /// repeat elements; a positive one returns distinct elements (all of them when count ≥ size),
    /// always an array (even for sets in RESP3), chosen by selection sampling in one pass (uniform, no allocation). With values, RESP3 nests
    /// each pair in a 2-array, RESP2 flattens them.
    static func replyRandom(_ client: Client, _ shard: Shard, _ entry: Entry, count: Int, values: Bool) {
        let pairs = values && client.protocolVersion == .resp3
        let perItem = values && !pairs ? 2 : 1
        let size = entry.elementCount
        let emit = { (field: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) in
            if pairs { client.reply.array(count: 2) }
            client.reply.bulk(field)
            if values { client.reply.bulk(value) }
        }
        if count < 0 {
            let n = -count
            client.reply.array(count: n * perItem)
            for _ in 0..<n { entry.randomElement(shard.nextRandom, emit) }
            return
        }
        let n = min(count, size)
        client.reply.array(count: n * perItem)
        var needed = n
        var remaining = size
        entry.forEachElement { field, value in
            if needed > 0 && Int(shard.nextRandom() % UInt64(remaining)) < needed {
                emit(field, value)
                needed -= 1
            }
            remaining -= 1
        }
    }
}
