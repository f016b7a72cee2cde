import Bytes
import Keyspace
import RESP

// APPEND, STRLEN, GETRANGE (and its alias SUBSTR), SETRANGE: byte ranges of a string value.
extension StringFamily {
    static func append(_ client: Client) {
        let key = client.args[1]
        let suffix = client.args[2]
        let database = client.database
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        guard let entry = shard.find(database: database, key: key, hash: hash, now: client.now) else {
            // A missing key is created, even with an empty value.
            shard.setString(database: database, key: key, hash: hash, value: suffix, expireAt: 0)
            client.context.events.notify(.newKey, "new", key: key, database: database)
            client.context.events.notify(.string, "append", key: key, database: database)
            client.reply.integer(suffix.count)
            return
        }
        guard entry.type == .string else {
            client.reply.error(ErrorReply.wrongType)
            return
        }
        let oldLength = entry.value.count
        let (total, overflow) = oldLength.addingReportingOverflow(suffix.count)
        guard !overflow, total <= maxStringLength else {
            client.reply.error(ErrorReply.stringTooLong)
            return
        }
        if suffix.count > 0 {
            // The TTL stays: the entry is resized in place.
            let resized = shard.resizeValue(entry, database: database, hash: hash, to: total)
            (resized.value.baseAddress! + oldLength).copyMemory(from: suffix.baseAddress!, byteCount: suffix.count)
        }
        // Redis fires "append" even when nothing was appended to an existing key.
        client.context.events.notify(.string, "append", key: key, database: database)
        client.reply.integer(total)
    }

    static func strlen(_ client: Client) {
        let key = client.args[1]
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        guard let entry = shard.find(database: client.database, key: key, hash: hash, now: client.now) else {
            client.stats.keyspaceMisses.bump()
            client.context.events.notify(.keyMiss, "keymiss", key: key, database: client.database)
            client.reply.integer(0)
            return
        }
        client.stats.keyspaceHits.bump()
        guard entry.type == .string else {
            client.reply.error(ErrorReply.wrongType)
            return
        }
        client.reply.integer(entry.value.count)
    }

    /// GETRANGE key start end, with Redis 7.0's clamping (e.g. "hello" 0 -100 is "h").
    static func getrange(_ client: Client) {
        let args = client.args
        guard let start = ByteStrings.parseInt64(args[2]), let end = ByteStrings.parseInt64(args[3]) else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        let key = args[1]
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        guard let entry = shard.find(database: client.database, key: key, hash: hash, now: client.now) else {
            client.stats.keyspaceMisses.bump()
            client.context.events.notify(.keyMiss, "keymiss", key: key, database: client.database)
            client.reply.bulk("")
            return
        }
        client.stats.keyspaceHits.bump()
        guard entry.type == .string else {
            client.reply.error(ErrorReply.wrongType)
            return
        }
        let value = UnsafeRawBufferPointer(entry.value)
        guard let range = clampRange(start: start, end: end, length: value.count) else {
            client.reply.bulk("")
            return
        }
        client.reply.bulk(UnsafeRawBufferPointer(rebasing: value[range]))
    }

    /// Redis 7.0 getrangeCommand's index arithmetic; nil when the result is empty.
    @inline(__always)
    static func clampRange(start: Int64, end: Int64, length: Int) -> Range<Int>? {
        if start < 0 && end < 0 && start > end { return nil }
        let count = Int64(length)
        var first = start < 0 ? count + start : start
        var last = end < 0 ? count + end : end
        if first < 0 { first = 0 }
        if last < 0 { last = 0 }
        if last >= count { last = count - 1 }
        if first > last || count == 0 { return nil }
        return Int(first)..<Int(last) + 1
    }

    static func setrange(_ client: Client) {
        let args = client.args
        guard let offset64 = ByteStrings.parseInt64(args[2]) else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        guard offset64 >= 0 else {
            client.reply.error(ErrorReply.offsetOutOfRange)
            return
        }
        let offset = Int(offset64)
        let patch = args[3]
        let key = args[1]
        let database = client.database
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        let existing = shard.find(database: database, key: key, hash: hash, now: client.now)
        if let existing, existing.type != .string {
            client.reply.error(ErrorReply.wrongType)
            return
        }
        let oldLength = existing?.value.count ?? 0
        // Setting nothing changes nothing (and creates nothing).
        guard patch.count > 0 else {
            client.reply.integer(oldLength)
            return
        }
        let (end, overflow) = offset.addingReportingOverflow(patch.count)
        guard !overflow, end <= maxStringLength else {
            client.reply.error(ErrorReply.stringTooLong)
            return
        }
        let entry: Entry
        if let existing {
            // Grown in place: the TTL stays.
            entry = end > oldLength ? shard.resizeValue(existing, database: database, hash: hash, to: end) : existing
        } else {
            entry = shard.insertString(database: database, key: key, hash: hash, valueLength: end, expireAt: 0)
        }
        let bytes = entry.value.baseAddress!
        if offset > oldLength { (bytes + oldLength).initializeMemory(as: UInt8.self, repeating: 0, count: offset - oldLength) }
        (bytes + offset).copyMemory(from: patch.baseAddress!, byteCount: patch.count)
        if existing == nil { client.context.events.notify(.newKey, "new", key: key, database: database) }
        client.context.events.notify(.string, "setrange", key: key, database: database)
        client.reply.integer(entry.value.count)
    }
}
