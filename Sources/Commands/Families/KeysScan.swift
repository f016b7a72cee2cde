import Bytes
import Keyspace
import RESP

/// KEYS and SCAN: the commands that walk a whole database (table entries are in `Keys.swift`).
extension KeyFamily {
    // MARK: KEYS

    /// Entries visited per `Keyspace.scan` step by KEYS, and the largest SCAN COUNT passed on (a
    /// hint in Redis too); bounds how long one shard lock is held and keeps the keyspace's
    /// per-step arithmetic far from overflow.
    static let keysStepEntries = 1 << 16
    static let scanCountMax = 1 << 24

    /// KEYS pattern: every live key of the selected database matching the glob, in no particular
    /// order. Walked in `Keyspace.scan` steps, each under one shard lock (never all at once), so a
    /// concurrent writer is never blocked for the whole command; the steps cover disjoint ranges of
    /// hash space, so a key present throughout is listed exactly once. The reply length is written
    /// when known.
    static func keys(_ client: Client) {
        let pattern = client.args[1]
        let matchesAll = pattern.count == 1 && pattern[0] == UInt8(ascii: "*")
        let token = client.reply.beginDeferred(UInt8(ascii: "*"))
        var found = 0
        var cursor: UInt64 = 0
        repeat {
            cursor = client.keyspace.scan(database: client.database, cursor: cursor, count: keysStepEntries,
                                          now: client.now) { entry in
                let key = entry.key
                if matchesAll || ByteStrings.globMatch(pattern: pattern, string: key, ignoringCase: false) {
                    client.reply.bulk(key)
                    found += 1
                }
            }
        } while cursor != 0
        client.reply.finishDeferred(token, count: found)
    }

    // MARK: SCAN

    /// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] (Redis `scanGenericCommand`).
    /// The cursor comes from `Keyspace.scan`: every key present for the whole iteration is returned
    /// at least once. COUNT is the number of entries visited (before MATCH/TYPE filtering), so a
    /// call may return fewer keys than COUNT, or none, with a non-zero cursor.
    static func scan(_ client: Client) {
        let args = client.args
        guard let cursor = parseCursor(args[1]) else {
            client.reply.error(ErrorReply.invalidCursor)
            return
        }
        var count = 10
        var pattern: UnsafeRawBufferPointer?
        var typeName: UnsafeRawBufferPointer?
        var i = 2
        while i < args.count {
            let option = args[i]
            guard args.count - i >= 2 else {
                client.reply.error(ErrorReply.syntax)
                return
            }
            if ByteStrings.equalsIgnoringCase(option, "count") {
                guard let value = ByteStrings.parseInt64(args[i + 1]) else {
                    client.reply.error(ErrorReply.notInteger)
                    return
                }
                guard value >= 1 else {
                    client.reply.error(ErrorReply.syntax)
                    return
                }
                count = Int(min(value, Int64(scanCountMax)))
            } else if ByteStrings.equalsIgnoringCase(option, "match") {
                let value = args[i + 1]
                pattern = value.count == 1 && value[0] == UInt8(ascii: "*") ? nil : value
            } else if ByteStrings.equalsIgnoringCase(option, "type") {
                typeName = args[i + 1]
            } else {
                client.reply.error(ErrorReply.syntax)
                return
            }
            i += 2
        }

        // Keys are copied out under the shard locks (length-prefixed, one growable buffer), because
        // the cursor, which is known only at the end, comes first in the reply.
        var collected: [UInt8] = []
        var keyCount = 0
        let next = client.keyspace.scan(database: client.database, cursor: cursor, count: count,
                                        now: client.now) { entry in
            let key = entry.key
            if let pattern, !ByteStrings.globMatch(pattern: pattern, string: key, ignoringCase: false) { return }
            if let typeName, !ByteStrings.equalsIgnoringCase(typeName, entry.type.name) { return }
            withUnsafeBytes(of: key.count) { collected.append(contentsOf: $0) }
            collected.append(contentsOf: key)
            keyCount += 1
        }

        client.reply.array(count: 2)
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { digits in
            client.reply.bulk(UnsafeRawBufferPointer(rebasing: digits[formatUnsigned(next, into: digits)...]))
        }
        client.reply.array(count: keyCount)
        collected.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let length = bytes.loadUnaligned(fromByteOffset: offset, as: Int.self)
                offset += MemoryLayout<Int>.size
                client.reply.bulk(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]))
                offset += length
            }
        }
    }

    /// Writes `value` in decimal at the end of `buffer` (20 bytes); returns the first digit's index.
    private static func formatUnsigned(_ value: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var value = value
        var index = buffer.count
        repeat {
            index -= 1
            buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
            value /= 10
        } while value != 0
        return index
    }

    /// Redis `parseScanCursorOrReply`: C `strtoul(…, 10)` on the argument, rejecting a leading space,
    /// trailing characters and overflow. Like strtoul it takes an optional sign ("-1" wraps to
    /// 2^64-1), and the empty string is cursor 0. The C string ends at a NUL byte.
    static func parseCursor(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        var end = 0
        while end < bytes.count && bytes[end] != 0 { end += 1 }
        if end == 0 { return 0 }
        let first = bytes[0]
        // isspace in the C locale: space, \t, \n, \v, \f, \r.
        if first == 0x20 || (first >= 0x09 && first <= 0x0d) { return nil }
        var index = 0
        var negative = false
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            index = 1
        }
        guard index < end else { return nil }
        var value: UInt64 = 0
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit <= 9 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
            index += 1
        }
        return negative ? 0 &- value : value
    }
}
