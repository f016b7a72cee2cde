import Synchronization
import XCTest
@testable import Keyspace

/// Deterministic generator so failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Collects expiration-handler calls (the handler is @Sendable and runs under shard locks).
final class ExpiredLog: Sendable {
    let events = Mutex<[(Int, [UInt8])]>([])
    func record(_ db: Int, _ key: UnsafeRawBufferPointer) { events.withLock { $0.append((db, Array(key))) } }
    func drain() -> [(Int, [UInt8])] { events.withLock { let e = $0; $0.removeAll(); return e } }
}

/// Small locking wrappers so tests read like commands.
final class Harness {
    let ks: Keyspace
    let log = ExpiredLog()

    init(shards: Int = 4, databases: Int = 4, seed: UInt64 = 42) {
        ks = Keyspace(shardCount: shards, databaseCount: databases, hashSeed: seed)
        let log = self.log
        ks.expirationHandler = { db, key in log.record(db, key) }
    }

    func withShard<R>(_ key: [UInt8], _ body: (Shard, UInt64) -> R) -> R {
        key.withUnsafeBytes { k in
            let h = ks.hash(k)
            let shard = ks.shard(hash: h)
            shard.lock()
            defer { shard.unlock() }
            return body(shard, h)
        }
    }

    @discardableResult
    func set(_ db: Int, _ key: [UInt8], _ value: [UInt8], expireAt: Int64 = 0) -> Entry {
        withShard(key) { shard, h in
            key.withUnsafeBytes { k in
                value.withUnsafeBytes { v in shard.setString(database: db, key: k, hash: h, value: v, expireAt: expireAt) }
            }
        }
    }

    func get(_ db: Int, _ key: [UInt8], now: Int64) -> [UInt8]? {
        withShard(key) { shard, h in
            key.withUnsafeBytes { k in shard.find(database: db, key: k, hash: h, now: now).map { Array($0.value) } }
        }
    }

    func expireAt(_ db: Int, _ key: [UInt8], now: Int64) -> Int64? {
        withShard(key) { shard, h in
            key.withUnsafeBytes { k in shard.peek(database: db, key: k, hash: h, now: now)?.expireAt }
        }
    }

    @discardableResult
    func delete(_ db: Int, _ key: [UInt8], now: Int64) -> Bool {
        withShard(key) { shard, h in
            key.withUnsafeBytes { k in
                guard let e = shard.find(database: db, key: k, hash: h, now: now) else { return false }
                shard.remove(e, database: db, hash: h)
                return true
            }
        }
    }

    func expire(_ db: Int, _ key: [UInt8], at expireAt: Int64, now: Int64) -> Bool {
        withShard(key) { shard, h in
            key.withUnsafeBytes { k in
                guard let e = shard.find(database: db, key: k, hash: h, now: now) else { return false }
                shard.setExpiration(e, expireAt: expireAt)
                return true
            }
        }
    }

    func resize(_ db: Int, _ key: [UInt8], to length: Int, now: Int64) -> Entry? {
        withShard(key) { shard, h in
            key.withUnsafeBytes { k in
                guard let e = shard.find(database: db, key: k, hash: h, now: now) else { return nil }
                return shard.resizeValue(e, database: db, hash: h, to: length)
            }
        }
    }

    /// Runs the wheel on every shard; returns keys removed.
    @discardableResult
    func expireDue(now: Int64, budget: Int = .max) -> Int {
        var total = 0
        for shard in ks.shards {
            shard.lock()
            total += shard.expireDue(now: now, budget: budget)
            shard.unlock()
        }
        return total
    }

    func nextDeadline() -> Int64? {
        var best: Int64?
        for shard in ks.shards {
            shard.lock()
            if let d = shard.nextDeadline { best = min(best ?? d, d) }
            shard.unlock()
        }
        return best
    }

    /// Whether any table of any shard is mid-migration (white-box, to prove tests hit that state).
    var migrating: Bool {
        ks.shards.contains { s in (0..<ks.databaseCount).contains { s.core.pointee.tables[$0].isMigrating } }
    }

    func allKeys(_ db: Int, now: Int64, count: Int = 10) -> [[UInt8]] {
        var keys: [[UInt8]] = []
        var cursor: UInt64 = 0
        repeat {
            cursor = ks.scan(database: db, cursor: cursor, count: count, now: now) { keys.append(Array($0.key)) }
        } while cursor != 0
        return keys
    }
}

func randomBytes<G: RandomNumberGenerator>(_ n: Int, _ rng: inout G) -> [UInt8] {
    (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
}
