import Bytes
import Commands
import Keyspace
import Persistence

/// Writes a shard's keys as the commands that rebuild them (see EntryDump). Runs with the shard locked.
enum KeyspaceDump {
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
        EntryDump.append(entry, into: &buffer)
    }

    static func bytes(_ text: StaticString) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}
