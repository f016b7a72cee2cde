import Bytes
import Keyspace
import RESP

/// Shared plumbing of the hash and set families: one key's shard locked, its entry type-checked.
enum CollectionAccess {
    /// Locks the shard of `args[index]` and calls `body` with the shard, the key's hash and its live
    /// entry (nil when missing). Replies WRONGTYPE instead when the key holds another type.
    /// Counts a keyspace hit or miss when `read` (Redis's lookupKeyRead, which also fires "keymiss";
    /// write lookups fire nothing).
    @inline(__always)
    static func withKey(_ client: Client, _ type: ValueType, keyIndex: Int = 1, read: Bool,
                        _ body: (Shard, UInt64, Entry?) -> Void) {
        let key = client.args[keyIndex]
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        let entry = shard.find(database: client.database, key: key, hash: hash, now: client.now)
        if read {
            if entry == nil {
                client.stats.keyspaceMisses.bump()
                client.context.events.notify(.keyMiss, "keymiss", key: key, database: client.database)
            } else {
                client.stats.keyspaceHits.bump()
            }
        }
        if let entry, entry.type != type {
            client.reply.error(ErrorReply.wrongType)
            return
        }
        body(shard, hash, entry)
    }

    /// Removes a collection that has become empty (Redis deletes empty hashes and sets) and fires
    /// its "del", which Redis publishes after the command's own event ("hdel", "srem", "spop").
    @inline(__always)
    static func removeIfEmpty(_ client: Client, _ shard: Shard, _ entry: Entry, hash: UInt64, key: UnsafeRawBufferPointer) {
        guard entry.elementCount == 0 else { return }
        shard.remove(entry, database: client.database, hash: hash)
        client.context.events.notify(.generic, "del", key: key, database: client.database)
    }

    /// Parses "[MATCH pattern] [COUNT count]" from `first` (HSCAN/SSCAN); false after replying an error.
    static func parseScanOptions(_ client: Client, from first: Int, pattern: inout UnsafeRawBufferPointer?,
                                 count: inout Int) -> Bool {
        let args = client.args
        var i = first
        while i < args.count {
            guard args.count - i >= 2 else {
                client.reply.error(ErrorReply.syntax)
                return false
            }
            if ByteStrings.equalsIgnoringCase(args[i], "count") {
                guard let value = ByteStrings.parseInt64(args[i + 1]) else {
                    client.reply.error(ErrorReply.notInteger)
                    return false
                }
                guard value >= 1 else {
                    client.reply.error(ErrorReply.syntax)
                    return false
                }
                count = Int(min(value, 1 << 24))
            } else if ByteStrings.equalsIgnoringCase(args[i], "match") {
                let value = args[i + 1]
                pattern = value.count == 1 && value[0] == UInt8(ascii: "*") ? nil : value
            } else {
                client.reply.error(ErrorReply.syntax)
                return false
            }
            i += 2
        }
        return true
    }

    /// HSCAN / SSCAN key cursor [MATCH pattern] [COUNT count]: hashes reply field, value pairs.
    static func scan(_ client: Client, _ type: ValueType) {
        guard let cursor = KeyFamily.parseCursor(client.args[2]) else {
            client.reply.error(ErrorReply.invalidCursor)
            return
        }
        withKey(client, type, read: true) { _, _, entry in
            guard let entry else {
                client.reply.array(count: 2)
                client.reply.bulk("0")
                client.reply.array(count: 0)
                return
            }
            var pattern: UnsafeRawBufferPointer?
            var count = 10
            guard parseScanOptions(client, from: 3, pattern: &pattern, count: &count) else { return }
            // The cursor comes first but is known only after the step: a dry run (same table, lock
            // held, so the same stopping point) finds it without buffering the elements.
            let next = entry.scanElements(cursor: cursor, count: count) { _, _ in }
            client.reply.array(count: 2)
            client.reply.bulk(unsigned: next)
            let token = client.reply.beginDeferred(UInt8(ascii: "*"))
            var written = 0
            _ = entry.scanElements(cursor: cursor, count: count) { field, value in
                if let pattern, !ByteStrings.globMatch(pattern: pattern, string: field, ignoringCase: false) { return }
                client.reply.bulk(field)
                written += 1
                if type == .hash {
                    client.reply.bulk(value)
                    written += 1
                }
            }
            client.reply.finishDeferred(token, count: written)
        }
    }
}

extension ReplyWriter {
    /// A bulk string holding `value` in decimal (scan cursors are unsigned 64-bit).
    mutating func bulk(unsigned value: UInt64) {
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { digits in
            var v = value
            var index = 20
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
                v /= 10
            } while v != 0
            bulk(UnsafeRawBufferPointer(rebasing: digits[index...]))
        }
    }
}
