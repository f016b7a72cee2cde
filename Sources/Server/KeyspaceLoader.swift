import Keyspace
import Persistence

/// Inserts keys decoded from a dump (RDB file or the RDB preamble of an AOF) into the keyspace.
/// Reusable by every loader: `KeyspaceLoader.insert(_:into:now:dropExpired:)`.
enum KeyspaceLoader {
    /// What happened to one key.
    enum Outcome { case inserted, expired }

    /// Inserts `record` (strings, hashes, sets, with expiry) into its database.
    ///
    /// - `dropExpired`: a key whose expiry is already past at `now` is not inserted, as a Redis
    ///   master does when loading an RDB file. Pass false for an AOF's RDB preamble (Redis keeps those
    ///   keys: the AOF tail that follows may refer to them and expires them itself).
    /// - A database index beyond `databases` and a key present twice are errors (Redis exits on both).
    /// Types the keyspace does not store never reach here: `RDBReader` reports them by key and type.
    static func insert(_ record: PersistedKey, into keyspace: Keyspace, now: Int64,
                       dropExpired: Bool = true) throws(PersistenceError) -> Outcome {
        guard record.database < keyspace.databaseCount else {
            throw PersistenceError.corrupt(offset: 0, reason: "Data file was created with a Redis server configured to handle more than \(keyspace.databaseCount) databases (key '\(String(decoding: record.key, as: UTF8.self))' is in DB \(record.database))")
        }
        if dropExpired && record.expireAtMilliseconds != 0 && now > record.expireAtMilliseconds { return .expired }
        let db = record.database
        let expireAt = record.expireAtMilliseconds
        let duplicate: Bool = record.key.withUnsafeBytes { key in
            let hash = keyspace.hash(key)
            let shard = keyspace.shard(hash: hash)
            shard.lock()
            defer { shard.unlock() }
            if shard.peek(database: db, key: key, hash: hash, now: now) != nil { return true }
            switch record.value {
            case .string(let value):
                _ = value.withUnsafeBytes { shard.setString(database: db, key: key, hash: hash, value: $0, expireAt: expireAt) }
            case .hash(let fields):
                precondition(!fields.isEmpty, "the RDB reader rejects empty hashes")
                var entry = shard.createCollection(type: .hash, database: db, key: key, hash: hash, expireAt: expireAt)
                for f in fields {
                    f.field.withUnsafeBytes { field in
                        f.value.withUnsafeBytes { value in
                            entry = shard.hashSet(entry, database: db, hash: hash, field: field, value: value).0
                        }
                    }
                }
            case .set(let members):
                precondition(!members.isEmpty, "the RDB reader rejects empty sets")
                var entry = shard.createCollection(type: .set, database: db, key: key, hash: hash, expireAt: expireAt)
                for m in members {
                    m.withUnsafeBytes { entry = shard.setAdd(entry, database: db, hash: hash, member: $0).0 }
                }
            }
            return false
        }
        if duplicate {
            throw PersistenceError.corrupt(offset: 0, reason: "RDB has duplicated key '\(String(decoding: record.key, as: UTF8.self))' in DB \(db)")
        }
        return .inserted
    }
}
