import XCTest
@testable import Keyspace

/// Randomised operations against a Dictionary model, across growth, shrink and migration.
final class ModelTests: XCTestCase {
    struct Item: Equatable { var value: [UInt8]; var expireAt: Int64 }

    func testRandomOperationsMatchModel() {
        var rng = SplitMix(seed: 7)
        let h = Harness(shards: 4, databases: 3)
        var model: [[[UInt8]: Item]] = Array(repeating: [:], count: 3)
        var now: Int64 = 1_700_000_000_000
        // A pool so that operations hit existing keys often; includes empty and long binary keys.
        var pool: [[UInt8]] = (0..<4000).map { i in randomBytes(i % 61, &rng) }
        pool.append([])
        var sawMigration = false

        func purgeModel() {
            for db in 0..<3 { model[db] = model[db].filter { $0.value.expireAt == 0 || now <= $0.value.expireAt } }
        }

        for step in 0..<45_000 {
            let db = Int.random(in: 0..<3, using: &rng)
            let key = pool[Int.random(in: 0..<pool.count, using: &rng)]
            // Phases: grow (mostly sets), then shrink (mostly deletes), then mixed.
            let phase = step / 15_000
            let roll = Int.random(in: 0..<100, using: &rng)
            let setShare = phase == 0 ? 70 : (phase == 1 ? 10 : 40)
            if roll < setShare {
                let value = randomBytes(Int.random(in: 0..<100, using: &rng), &rng)
                let expireAt: Int64 = Bool.random(using: &rng) ? 0 : now + Int64.random(in: 1...5000, using: &rng)
                h.set(db, key, value, expireAt: expireAt)
                model[db][key] = Item(value: value, expireAt: expireAt)
            } else if roll < setShare + 30 {
                let existed = model[db][key].map { $0.expireAt == 0 || now <= $0.expireAt } ?? false
                XCTAssertEqual(h.delete(db, key, now: now), existed, "step \(step)")
                model[db][key] = nil
            } else if roll < setShare + 40 {
                let expected = model[db][key].flatMap { ($0.expireAt == 0 || now <= $0.expireAt) ? $0.value : nil }
                XCTAssertEqual(h.get(db, key, now: now), expected, "step \(step)")
                if expected == nil { model[db][key] = nil }
            } else if roll < setShare + 45 {
                let length = Int.random(in: 0..<300, using: &rng)
                if let entry = h.resize(db, key, to: length, now: now), var item = model[db][key] {
                    let kept = min(length, item.value.count)
                    item.value = Array(item.value.prefix(kept)) + Array(entry.value[kept...])
                    XCTAssertEqual(Array(entry.value.prefix(kept)), Array(item.value.prefix(kept)))
                    model[db][key] = item
                } else {
                    model[db][key] = nil
                }
            } else if roll < setShare + 50 {
                let expireAt: Int64 = Bool.random(using: &rng) ? 0 : now + Int64.random(in: 1...3000, using: &rng)
                if h.expire(db, key, at: expireAt, now: now) { model[db][key]?.expireAt = expireAt } else { model[db][key] = nil }
            } else {
                now += Int64.random(in: 0...40, using: &rng)
                h.expireDue(now: now)
                purgeModel()
            }
            sawMigration = sawMigration || h.migrating
            if step % 2000 == 1999 {
                h.expireDue(now: now)
                purgeModel()
                for db in 0..<3 {
                    XCTAssertEqual(h.ks.count(database: db), model[db].count, "count db \(db) step \(step)")
                    XCTAssertEqual(h.ks.volatileCount(database: db), model[db].values.filter { $0.expireAt != 0 }.count)
                    for (k, item) in model[db] { XCTAssertEqual(h.get(db, k, now: now), item.value) }
                }
            }
        }
        XCTAssertTrue(sawMigration, "test never exercised an incremental migration")
        // Expiry handler received only keys that were really expired (checked by counts above);
        // now let everything expire and check the tables drain.
        now += 10_000
        h.expireDue(now: now)
        purgeModel()
        for db in 0..<3 { XCTAssertEqual(h.ks.count(database: db), model[db].count) }
    }

    /// Every key inserted is findable after each single operation while a migration is running,
    /// including deletes and replaces of keys still in the old table.
    func testNoEntryLostDuringMigration() {
        var rng = SplitMix(seed: 99)
        let h = Harness(shards: 1, databases: 1)
        var model: [[UInt8]: [UInt8]] = [:]
        var checkedDuringMigration = 0
        for i in 0..<6000 {
            let key = randomBytes(8 + i % 24, &rng)
            let value = randomBytes(i % 50, &rng)
            h.set(0, key, value)
            model[key] = value
            if h.migrating {
                // Replace one and delete one existing key mid-migration.
                let keys = Array(model.keys.prefix(3))
                let replacement = randomBytes(77, &rng)
                h.set(0, keys[0], replacement)
                model[keys[0]] = replacement
                XCTAssertTrue(h.delete(0, keys[1], now: 1))
                model[keys[1]] = nil
                if checkedDuringMigration < 20 {
                    checkedDuringMigration += 1
                    for (k, v) in model { XCTAssertEqual(h.get(0, k, now: 1), v) }
                }
            }
        }
        XCTAssertGreaterThan(checkedDuringMigration, 5)
        XCTAssertEqual(h.ks.count(database: 0), model.count)
        for (k, v) in model { XCTAssertEqual(h.get(0, k, now: 1), v) }
        // Shrink: delete almost everything, verifying the survivors throughout.
        var keys = Array(model.keys)
        keys.shuffle(using: &rng)
        for (n, k) in keys.dropLast(40).enumerated() {
            XCTAssertTrue(h.delete(0, k, now: 1))
            model[k] = nil
            if n % 500 == 0 || h.migrating && n % 7 == 0 {
                for (k, v) in model { XCTAssertEqual(h.get(0, k, now: 1), v) }
            }
        }
        XCTAssertEqual(h.ks.count(database: 0), 40)
        for (k, v) in model { XCTAssertEqual(h.get(0, k, now: 1), v) }
        let table = h.ks.shards[0].core.pointee.tables[0]
        XCTAssertLessThanOrEqual(table.capacity, 256, "table did not shrink")
    }
}
