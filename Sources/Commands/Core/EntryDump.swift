import Bytes
import Keyspace

/// One key as the commands that rebuild it (Redis rewriteAppendOnlyFileRio with
/// aof-use-rdb-preamble no): SET / HSET / SADD (at most 64 elements per command, Redis's
/// AOF_REWRITE_ITEMS_PER_CMD), then PEXPIREAT for a key with a TTL. The caller holds the shard lock.
public enum EntryDump {
    public static let itemsPerCommand = 64

    public static func append(_ entry: Entry, into buffer: inout ByteBuffer) {
        let key = entry.key
        switch entry.type {
        case .string:
            buffer.write("*3\r\n$3\r\nSET\r\n")
            Propagation.argument(key, into: &buffer)
            Propagation.argument(UnsafeRawBufferPointer(entry.value), into: &buffer)
        case .hash, .set:
            let isHash = entry.type == .hash
            var remaining = entry.elementCount
            var inCommand = 0
            entry.forEachElement { element, value in
                if inCommand == 0 {
                    let items = min(itemsPerCommand, remaining)
                    buffer.write(byte: UInt8(ascii: "*"))
                    buffer.writeDecimal(2 + items * (isHash ? 2 : 1))
                    buffer.write(isHash ? "\r\n$4\r\nHSET\r\n" : "\r\n$4\r\nSADD\r\n")
                    Propagation.argument(key, into: &buffer)
                    inCommand = items
                }
                Propagation.argument(element, into: &buffer)
                if isHash { Propagation.argument(value, into: &buffer) }
                inCommand -= 1
                remaining -= 1
            }
        default:
            preconditionFailure("the keyspace holds only strings, hashes and sets")
        }
        let expireAt = entry.expireAt
        if expireAt != 0 {
            buffer.write("*3\r\n$9\r\nPEXPIREAT\r\n")
            Propagation.argument(key, into: &buffer)
            Propagation.writeDecimalArgument(Int(expireAt), into: &buffer)
        }
    }

    /// `DEL key`, then the key's commands if it exists: the key's current state, whatever was there.
    public static func appendState(database: Int, key: UnsafeRawBufferPointer, keyspace: Keyspace,
                                   into buffer: inout ByteBuffer) {
        buffer.write("*2\r\n$3\r\nDEL\r\n")
        Propagation.argument(key, into: &buffer)
        let hash = keyspace.hash(key)
        // now 0: never expire here (that would re-enter the log); a past deadline replays as expired.
        if let entry = keyspace.shard(hash: hash).peek(database: database, key: key, hash: hash, now: 0) {
            append(entry, into: &buffer)
        }
    }

    /// The arguments of one RESP multibulk record (as the log holds them).
    static func arguments(of record: UnsafeRawBufferPointer) -> [UnsafeRawBufferPointer] {
        var at = 0
        func number() -> Int {
            at += 1 // '*' or '$'
            var value = 0
            while record[at] != 13 {
                value = value * 10 + Int(record[at] - 48)
                at += 1
            }
            at += 2
            return value
        }
        var result: [UnsafeRawBufferPointer] = []
        let count = number()
        for _ in 0..<count {
            let length = number()
            result.append(UnsafeRawBufferPointer(rebasing: record[at..<at + length]))
            at += length + 2
        }
        return result
    }
}
