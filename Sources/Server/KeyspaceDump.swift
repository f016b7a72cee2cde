import Bytes
import Commands
import Keyspace
import Persistence

/// Writes a shard's keys as the commands that rebuild them (Redis rewriteAppendOnlyFileRio with
/// aof-use-rdb-preamble no): SET / HSET / SADD (at most 64 elements per command, Redis's
/// AOF_REWRITE_ITEMS_PER_CMD), then PEXPIREAT for keys with a TTL. Runs with the shard locked.
enum KeyspaceDump {
    static let itemsPerCommand = 64

    static func dump(_ shard: Shard, databaseCount: Int, database: inout Int, into buffer: inout ByteBuffer) {
        let now = Clock.systemMilliseconds()
        for db in 0..<databaseCount where shard.count(database: db) > 0 {
            var position: UInt64? = 0
            while let from = position {
                position = shard.scan(database: db, from: from, count: Int.max, now: now) { entry in
                    if database != db {
                        database = db
                        AOFEncoder.appendSelect(db, into: &buffer)
                    }
                    dumpEntry(entry, into: &buffer)
                }
            }
        }
    }

    static func dumpEntry(_ entry: Entry, into buffer: inout ByteBuffer) {
        let key = entry.key
        switch entry.type {
        case .string:
            AOFEncoder.appendHeader(argumentCount: 3, into: &buffer)
            AOFEncoder.appendArgument(bytes("SET"), into: &buffer)
            AOFEncoder.appendArgument(key, into: &buffer)
            AOFEncoder.appendArgument(UnsafeRawBufferPointer(entry.value), into: &buffer)
        case .hash, .set:
            let isHash = entry.type == .hash
            var remaining = entry.elementCount
            var inCommand = 0
            entry.forEachElement { element, value in
                if inCommand == 0 {
                    let items = min(itemsPerCommand, remaining)
                    AOFEncoder.appendHeader(argumentCount: 2 + items * (isHash ? 2 : 1), into: &buffer)
                    AOFEncoder.appendArgument(bytes(isHash ? "HSET" : "SADD"), into: &buffer)
                    AOFEncoder.appendArgument(key, into: &buffer)
                    inCommand = items
                }
                AOFEncoder.appendArgument(element, into: &buffer)
                if isHash { AOFEncoder.appendArgument(value, into: &buffer) }
                inCommand -= 1
                remaining -= 1
            }
        default:
            preconditionFailure("the keyspace holds only strings, hashes and sets")
        }
        let expireAt = entry.expireAt
        if expireAt != 0 {
            AOFEncoder.appendHeader(argumentCount: 3, into: &buffer)
            AOFEncoder.appendArgument(bytes("PEXPIREAT"), into: &buffer)
            AOFEncoder.appendArgument(key, into: &buffer)
            let digits = Array(String(expireAt).utf8)
            digits.withUnsafeBytes { AOFEncoder.appendArgument($0, into: &buffer) }
        }
    }

    static func bytes(_ text: StaticString) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}
