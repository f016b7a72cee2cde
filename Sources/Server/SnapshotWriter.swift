import Keyspace
import Persistence

/// Streams the keyspace into an `RDBWriter`: every database in order, shard by shard.
///
/// Each (database, shard) pair is copied into a flat memory buffer under that shard's lock — a
/// memcpy per entry, so the lock is held for far less time than encoding (LZF, listpacks) and file
/// I/O take — and encoded and written after the lock is released. Every key is therefore written in
/// one consistent state (Redis's per-key consistency; a key changed during the walk is written
/// either before or after the change). Expired keys are skipped. Memory: one shard's share of one
/// database at a time (1/shards of it).
struct SnapshotWriter {
    let keyspace: Keyspace
    /// Unix ms at the start: keys expired at this time are not written.
    let now: Int64
    /// Checked between shards; true stops the walk with `SnapshotWriter.cancelled`.
    let isCancelled: () -> Bool
    /// Called with the number of keys written after each shard (INFO current_save_keys_processed).
    let progress: (Int) -> Void

    static let cancelled = PersistenceError.io(operation: "snapshot cancelled", errno: 125)  // ECANCELED

    /// Keys (as RESIZEDB counts them: every entry, like dictSize) per database, with expiry.
    func databaseSizes() -> [(keys: Int, expires: Int)] {
        (0..<keyspace.databaseCount).map { db in
            var keys = 0, expires = 0
            for shard in keyspace.shards {
                shard.lock()
                keys += shard.count(database: db)
                expires += shard.volatileCount(database: db)
                shard.unlock()
            }
            return (keys, expires)
        }
    }

    /// Header, every non-empty database, EOF and checksum.
    func write(into writer: inout RDBWriter, aux: RDBAuxInfo) throws(PersistenceError) {
        try writer.writeHeader(aux)
        let sizes = databaseSizes()
        var copy = ShardCopy()
        var written = 0
        for db in 0..<keyspace.databaseCount where sizes[db].keys > 0 {
            // SELECTDB is written before the first key we actually find, so a database emptied
            // since the count is skipped as Redis skips empty ones.
            var selected = false
            for shard in keyspace.shards {
                if isCancelled() { throw SnapshotWriter.cancelled }
                copy.reset()
                shard.lock()
                shard.forEachLive(database: db, now: now) { copy.append($0) }
                shard.unlock()
                if copy.count == 0 { continue }
                if !selected {
                    try writer.selectDatabase(db, keys: sizes[db].keys, expires: sizes[db].expires)
                    selected = true
                }
                try copy.replay(into: &writer)
                written += copy.count
                progress(written)
            }
        }
        _ = try writer.finish()
    }
}

/// A flat copy of some entries: [type u8][expireAt i64][key length u32][key][payload], where the
/// payload is a string's [length u32][bytes], or a hash's / set's [count u32] followed by
/// [length u32][bytes] per field and value (hash) or member (set).
struct ShardCopy {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    mutating func append(_ entry: Entry) {
        let type = entry.type
        bytes.append(type.rawValue)
        appendInteger(UInt64(bitPattern: entry.expireAt), bytes: 8)
        appendBlob(entry.key)
        switch type {
        case .string:
            appendBlob(UnsafeRawBufferPointer(entry.value))
        case .hash:
            appendInteger(UInt64(entry.elementCount), bytes: 4)
            entry.forEachElement { field, value in
                appendBlob(field)
                appendBlob(value)
            }
        case .set:
            appendInteger(UInt64(entry.elementCount), bytes: 4)
            entry.forEachElement { member, _ in appendBlob(member) }
        case .list, .zset, .stream:
            preconditionFailure("the keyspace holds a type Tessera does not implement")
        }
        count += 1
    }

    private mutating func appendInteger(_ value: UInt64, bytes n: Int) {
        for i in 0..<n { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    private mutating func appendBlob(_ blob: UnsafeRawBufferPointer) {
        appendInteger(UInt64(blob.count), bytes: 4)
        bytes.append(contentsOf: blob)
    }

    /// Hands every copied entry to the writer (strings as borrowed bytes of this buffer).
    func replay(into writer: inout RDBWriter) throws(PersistenceError) {
        try withBytes(bytes) { (raw) throws(PersistenceError) in
            var at = 0
            func integer(_ n: Int) -> UInt64 {
                var v: UInt64 = 0
                for i in 0..<n { v |= UInt64(raw[at + i]) << (8 * UInt64(i)) }
                at += n
                return v
            }
            func blob() -> UnsafeRawBufferPointer {
                let length = Int(integer(4))
                defer { at += length }
                return UnsafeRawBufferPointer(rebasing: raw[at..<(at + length)])
            }
            func array(_ b: UnsafeRawBufferPointer) -> [UInt8] { Array(b) }
            while at < raw.count {
                guard let type = ValueType(rawValue: raw[at]) else { preconditionFailure("corrupt snapshot copy") }
                at += 1
                let expireAt = Int64(bitPattern: integer(8))
                let key = blob()
                switch type {
                case .string:
                    try writer.writeString(key: key, value: blob(), expireAtMilliseconds: expireAt)
                case .hash:
                    let n = Int(integer(4))
                    var fields: [PersistedValue.HashField] = []
                    fields.reserveCapacity(n)
                    for _ in 0..<n {
                        let field = array(blob())
                        fields.append(.init(field, array(blob())))
                    }
                    try writer.write(key: key, value: .hash(fields), expireAtMilliseconds: expireAt)
                case .set:
                    let n = Int(integer(4))
                    var members: [[UInt8]] = []
                    members.reserveCapacity(n)
                    for _ in 0..<n { members.append(array(blob())) }
                    try writer.write(key: key, value: .set(members), expireAtMilliseconds: expireAt)
                case .list, .zset, .stream:
                    preconditionFailure("corrupt snapshot copy")
                }
            }
        }
    }
}

/// `Array.withUnsafeBytes` is untyped-rethrows; this keeps typed throws through the closure.
func withBytes<R>(_ array: [UInt8],
                  _ body: (UnsafeRawBufferPointer) throws(PersistenceError) -> R) throws(PersistenceError) -> R {
    let result: Result<R, PersistenceError> = array.withUnsafeBytes { b in
        Result { () throws(PersistenceError) -> R in try body(b) }
    }
    return try result.get()
}
