import XCTest
@testable import Keyspace

final class WheelTests: XCTestCase {
    let base: Int64 = 1_700_000_000_123

    /// Each key survives expireDue(now: expireAt) and is removed by expireDue(now: expireAt + 1),
    /// for deadlines from 1 ms to beyond the top level (overflow), with large time jumps between.
    func testExactDeadlinesAcrossLevels() {
        let h = Harness(shards: 2, databases: 2)
        let offsets: [Int64] = [1, 2, 3, 255, 256, 257, 511, 1000, 16_383, 16_384, 16_385, 60_000, 1_048_576,
                                3_600_000, 67_108_864, 86_400_000, 3 * 86_400_000, 30 * 86_400_000,
                                60 * 86_400_000, 400 * 86_400_000]
        // Start the wheel's clock, as a running server would, then schedule.
        h.expireDue(now: base)
        for (i, offset) in offsets.enumerated() {
            h.set(i % 2, Array("key\(i)".utf8), [UInt8(i)], expireAt: base + offset)
        }
        XCTAssertEqual(h.nextDeadline(), base + 1)
        var remaining = offsets.count
        for (i, offset) in offsets.enumerated() {
            let deadline = base + offset
            XCTAssertEqual(h.expireDue(now: deadline), 0, "key\(i) expired early")
            XCTAssertEqual(h.ks.count(database: 0) + h.ks.count(database: 1), remaining)
            XCTAssertEqual(h.nextDeadline(), deadline, "nextDeadline before key\(i)")
            XCTAssertEqual(h.expireDue(now: deadline + 1), 1, "key\(i) not expired on time")
            remaining -= 1
            let events = h.log.drain()
            XCTAssertEqual(events.count, 1)
            XCTAssertEqual(events.first?.0, i % 2)
            XCTAssertEqual(events.first?.1, Array("key\(i)".utf8))
        }
        XCTAssertNil(h.nextDeadline())
        XCTAssertEqual(h.ks.expiredKeys, offsets.count)
    }

    /// Keys scheduled before the wheel has ever run (its clock at 0) still expire exactly.
    func testFirstCallJumpFromZero() {
        let h = Harness(shards: 1, databases: 1)
        h.set(0, [1], [1], expireAt: base + 10)
        h.set(0, [2], [2], expireAt: base + 70_000)
        XCTAssertEqual(h.nextDeadline(), base + 10)
        XCTAssertEqual(h.expireDue(now: base), 0)
        XCTAssertEqual(h.expireDue(now: base + 10), 0)
        XCTAssertEqual(h.expireDue(now: base + 11), 1)
        XCTAssertEqual(h.expireDue(now: base + 70_000), 0)
        XCTAssertEqual(h.expireDue(now: base + 70_001), 1)
    }

    /// Random deadlines from ms to ~10 days, random clock steps (small and huge): after each
    /// unlimited expireDue exactly the keys with expireAt < now are gone.
    func testRandomDeadlinesNeverEarlyNeverLate() {
        var rng = SplitMix(seed: 3)
        let h = Harness(shards: 2, databases: 1)
        var now = base
        h.expireDue(now: now)
        var live: [[UInt8]: Int64] = [:]
        for round in 0..<300 {
            for _ in 0..<30 {
                let key = randomBytes(12, &rng)
                // Log-uniform spread so every level gets traffic.
                let exponent = Double.random(in: 0...29.7, using: &rng)
                let deadline = now + Int64(pow(2.0, exponent))
                h.set(0, key, [], expireAt: deadline)
                live[key] = deadline
            }
            let step: Int64 = round % 10 == 0 ? Int64.random(in: 0...20_000_000, using: &rng)
                                              : Int64.random(in: 0...300, using: &rng)
            now += step
            let expected = live.filter { $0.value < now }
            XCTAssertEqual(h.expireDue(now: now), expected.count, "round \(round)")
            let expiredKeys = Set(h.log.drain().map { $0.1 })
            XCTAssertEqual(expiredKeys, Set(expected.keys))
            for k in expected.keys { live[k] = nil }
            XCTAssertEqual(h.ks.count(database: 0), live.count)
            if let next = h.nextDeadline() { XCTAssertEqual(next, live.values.min()) }
        }
        now += 11 * 86_400_000
        XCTAssertEqual(h.expireDue(now: now), live.count)
        XCTAssertEqual(h.ks.count(database: 0), 0)
    }

    func testBudgetRespectedAndResumed() {
        let h = Harness(shards: 1, databases: 1)
        h.expireDue(now: base)
        for i in 0..<1000 { h.set(0, Array("k\(i)".utf8), [], expireAt: base + 100 + Int64(i % 3)) }
        var total = 0
        for _ in 0..<10 {
            let n = h.expireDue(now: base + 500, budget: 100)
            XCTAssertEqual(n, 100)
            total += n
        }
        XCTAssertEqual(h.expireDue(now: base + 500, budget: 100), 0)
        XCTAssertEqual(total, 1000)
        XCTAssertEqual(h.ks.count(database: 0), 0)
        XCTAssertEqual(h.ks.volatileCount(database: 0), 0)
    }

    func testLazyExpiryInFindAndPeek() {
        let h = Harness(shards: 1, databases: 2)
        h.set(1, [7], [1, 2], expireAt: base)
        XCTAssertEqual(h.get(1, [7], now: base), [1, 2], "now == expireAt is still live")
        XCTAssertNil(h.expireAt(1, [7], now: base + 1))
        let events = h.log.drain()
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events.first?.0, 1)
        XCTAssertEqual(h.ks.count(database: 1), 0)
        XCTAssertEqual(h.expireDue(now: base + 2), 0, "lazily expired key must be off the wheel")
        XCTAssertEqual(h.ks.expiredKeys, 1)
    }

    func testPersistAndRescheduleMoveTheDeadline() {
        let h = Harness(shards: 1, databases: 1)
        h.expireDue(now: base)
        h.set(0, [1], [], expireAt: base + 50)
        h.set(0, [2], [], expireAt: base + 50)
        XCTAssertTrue(h.expire(0, [1], at: 0, now: base))          // PERSIST
        XCTAssertTrue(h.expire(0, [2], at: base + 5000, now: base)) // later
        XCTAssertEqual(h.ks.volatileCount(database: 0), 1)
        XCTAssertEqual(h.expireDue(now: base + 100), 0)
        XCTAssertEqual(h.expireDue(now: base + 5001), 1)
        XCTAssertEqual(h.get(0, [1], now: base + 10_000), [])
        // Overwriting with SET without TTL clears it; with a TTL in the past it is due at once.
        h.set(0, [3], [9], expireAt: base + 20_000)
        h.set(0, [3], [8])
        XCTAssertEqual(h.ks.volatileCount(database: 0), 0)
        h.set(0, [4], [9], expireAt: base + 1)
        XCTAssertEqual(h.expireDue(now: base + 10_001), 1)
    }

    /// A jump of years on a non-empty wheel must not iterate milliseconds.
    func testHugeJumpIsCheap() {
        let h = Harness(shards: 1, databases: 1)
        h.expireDue(now: 1000)
        h.set(0, [1], [], expireAt: 1000 + 100 * 365 * 86_400_000)
        h.set(0, [2], [], expireAt: 5000)
        let start = Date()
        XCTAssertEqual(h.expireDue(now: 1000 + 50 * 365 * 86_400_000), 1)
        XCTAssertEqual(h.expireDue(now: 1000 + 100 * 365 * 86_400_000 + 1), 1)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
    }
}
