import XCTest
@testable import Keyspace

final class ScanTests: XCTestCase {
    func testScanVisitsEveryKeyOnceWhenStable() {
        var rng = SplitMix(seed: 5)
        let h = Harness(shards: 8, databases: 2)
        var keys = Set<[UInt8]>()
        for _ in 0..<5000 {
            let k = randomBytes(Int.random(in: 1...40, using: &rng), &rng)
            keys.insert(k)
            h.set(1, k, [1])
        }
        for count in [1, 10, 1000] {
            let seen = h.allKeys(1, now: 0, count: count)
            XCTAssertEqual(Set(seen), keys, "count \(count)")
            // Without resizes between calls, no duplicates.
            XCTAssertEqual(seen.count, keys.count, "count \(count)")
        }
        XCTAssertTrue(h.allKeys(0, now: 0).isEmpty)
    }

    /// Keys present for the whole scan are visited at least once although the tables grow,
    /// migrate and shrink between calls.
    func testScanIsStableAcrossGrowthAndShrink() {
        var rng = SplitMix(seed: 11)
        for (shards, seedOffset) in [(1, 0), (4, 1)] {
            let h = Harness(shards: shards, databases: 1, seed: 1234 + UInt64(seedOffset))
            var stable = Set<[UInt8]>()
            for _ in 0..<300 {
                let k = randomBytes(16, &rng)
                stable.insert(k)
                h.set(0, k, [0])
            }
            var transient: [[UInt8]] = []
            var seen = Set<[UInt8]>()
            var cursor: UInt64 = 0
            var calls = 0
            var sawMigration = false
            repeat {
                cursor = h.ks.scan(database: 0, cursor: cursor, count: 5, now: 0) { seen.insert(Array($0.key)) }
                calls += 1
                // First half: grow by thousands of keys; second half: delete them all (shrinks).
                if calls < 40 {
                    for _ in 0..<150 {
                        let k = randomBytes(20, &rng)
                        transient.append(k)
                        h.set(0, k, [1])
                    }
                } else if !transient.isEmpty {
                    for k in transient.suffix(400) { XCTAssertTrue(h.delete(0, k, now: 0)) }
                    transient.removeLast(min(400, transient.count))
                }
                sawMigration = sawMigration || h.migrating
            } while cursor != 0
            XCTAssertTrue(stable.isSubset(of: seen), "missed \(stable.subtracting(seen).count) keys, shards \(shards)")
            XCTAssertTrue(sawMigration)
        }
    }

    func testScanSkipsExpiredWithoutRemoving() {
        let h = Harness(shards: 2, databases: 1)
        h.set(0, [1], [], expireAt: 100)
        h.set(0, [2], [])
        XCTAssertEqual(h.allKeys(0, now: 101), [[2]])
        XCTAssertEqual(h.ks.count(database: 0), 2)
    }

    func testShardScanPositions() {
        let h = Harness(shards: 1, databases: 1)
        for i in 0..<100 { h.set(0, [UInt8(i)], []) }
        let shard = h.ks.shards[0]
        shard.lock()
        defer { shard.unlock() }
        var position: UInt64? = 0
        var seen = 0
        var previous: UInt64 = 0
        while let p = position {
            position = shard.scan(database: 0, from: p, count: 7, now: 0) { _ in seen += 1 }
            if let next = position { XCTAssertGreaterThan(next, previous) ; previous = next }
        }
        XCTAssertEqual(seen, 100)
    }

    func testRandomEntry() {
        let h = Harness(shards: 1, databases: 1)
        let shard = h.ks.shards[0]
        shard.lock()
        XCTAssertNil(shard.randomEntry(database: 0, now: 0))
        shard.unlock()
        for i in 0..<50 { h.set(0, [UInt8(i)], [], expireAt: i < 45 ? 10 : 0) }
        shard.lock()
        defer { shard.unlock() }
        var seen = Set<[UInt8]>()
        for _ in 0..<500 {
            guard let e = shard.randomEntry(database: 0, now: 0) else { return XCTFail("nil") }
            seen.insert(Array(e.key))
        }
        XCTAssertGreaterThan(seen.count, 40, "random entries should cover most keys")
        for _ in 0..<100 {
            let e = shard.randomEntry(database: 0, now: 11)
            XCTAssertNotNil(e)
            XCTAssertGreaterThanOrEqual(e.map { Int($0.key[0]) } ?? -1, 45, "expired entry returned")
        }
    }
}
