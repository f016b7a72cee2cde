import CLinux
import XCTest
@testable import Keyspace

final class EntryTests: XCTestCase {
    func testResizeValueKeepsBytesAndTTL() {
        let h = Harness(shards: 1, databases: 2)
        h.expireDue(now: 1000)
        let value = (0..<100).map { UInt8($0) }
        h.set(1, [9, 9], value, expireAt: 5000)
        h.set(1, [8], [1], expireAt: 5000)
        // Grow far enough to force a move, then shrink hard.
        for length in [5000, 100_000, 10, 0, 64] {
            guard let e = h.resize(1, [9, 9], to: length, now: 1000) else { return XCTFail("gone") }
            XCTAssertEqual(e.value.count, length)
            XCTAssertEqual(e.expireAt, 5000)
            XCTAssertEqual(Array(e.key), [9, 9])
            let kept = min(length, 10)
            XCTAssertEqual(Array(e.value.prefix(kept)), Array(value.prefix(kept)))
        }
        XCTAssertEqual(h.ks.volatileCount(database: 1), 2)
        // The wheel must hold the moved pointer: expiry removes it cleanly.
        XCTAssertEqual(h.expireDue(now: 5001), 2)
        XCTAssertEqual(h.ks.count(database: 1), 0)
    }

    func testInsertStringAndInPlaceWrites() {
        let h = Harness(shards: 1, databases: 1)
        let entry: Entry = h.withShard([1, 2, 3]) { shard, hash in
            [UInt8]([1, 2, 3]).withUnsafeBytes { k in
                shard.insertString(database: 0, key: k, hash: hash, valueLength: 4, expireAt: 0)
            }
        }
        h.withShard([1, 2, 3]) { _, _ in
            for i in 0..<4 { entry.value[i] = UInt8(40 + i) }
            XCTAssertEqual(entry.type, .string)
            XCTAssertEqual(entry.type.name.description, "string")
        }
        XCTAssertEqual(h.get(0, [1, 2, 3], now: 0), [40, 41, 42, 43])
        // Replacing with a same-size value reuses the allocation; a bigger one moves.
        let again = h.set(0, [1, 2, 3], [7, 7, 7, 7])
        XCTAssertEqual(again.pointer, entry.pointer)
        h.set(0, [1, 2, 3], Array(repeating: 5, count: 4000))
        XCTAssertEqual(h.get(0, [1, 2, 3], now: 0), Array(repeating: 5, count: 4000))
        XCTAssertEqual(h.ks.count(database: 0), 1)
    }

    /// SET's path for a key it has just found: in place when the value fits, else a new entry; the
    /// TTL bookkeeping (volatile count, wheel) follows either way.
    func testOverwriteStringInPlaceAndMoved() {
        let h = Harness(shards: 1, databases: 2)
        h.expireDue(now: 1000)
        let first = h.set(1, [4, 2], [1, 1, 1, 1], expireAt: 5000)
        func overwrite(_ value: [UInt8], expireAt: Int64) -> Entry {
            h.withShard([4, 2]) { shard, hash in
                [UInt8]([4, 2]).withUnsafeBytes { k in
                    value.withUnsafeBytes { v in
                        guard let found = shard.find(database: 1, key: k, hash: hash, now: 1000) else {
                            preconditionFailure("key must exist")
                        }
                        return shard.overwriteString(found, database: 1, key: k, hash: hash, value: v, expireAt: expireAt)
                    }
                }
            }
        }
        // Same size, TTL cleared: rewritten in place.
        var e = overwrite([2, 2, 2, 2], expireAt: 0)
        XCTAssertEqual(e.pointer, first.pointer)
        XCTAssertEqual(h.get(1, [4, 2], now: 1000), [2, 2, 2, 2])
        XCTAssertEqual(h.ks.volatileCount(database: 1), 0)
        // Same size, TTL set again: still in place, and the wheel expires it.
        e = overwrite([3, 3, 3], expireAt: 6000)
        XCTAssertEqual(e.pointer, first.pointer)
        XCTAssertEqual(h.ks.volatileCount(database: 1), 1)
        // Much bigger: a new entry replaces the old one in the table and on the wheel.
        e = overwrite(Array(repeating: 9, count: 3000), expireAt: 7000)
        XCTAssertEqual(h.get(1, [4, 2], now: 1000), Array(repeating: 9, count: 3000))
        XCTAssertEqual(h.ks.count(database: 1), 1)
        XCTAssertEqual(h.ks.volatileCount(database: 1), 1)
        XCTAssertEqual(h.expireDue(now: 6500), 0)
        XCTAssertEqual(h.expireDue(now: 7001), 1)
        XCTAssertEqual(h.ks.count(database: 1), 0)
    }

    func testAccessClock() {
        let h = Harness(shards: 1, databases: 1)
        h.set(0, [1], [1])
        _ = h.get(0, [1], now: 1_700_000_005_000)
        h.withShard([1]) { shard, hash in
            [UInt8]([1]).withUnsafeBytes { k in
                XCTAssertEqual(shard.peek(database: 0, key: k, hash: hash, now: 1_700_000_099_000)?.accessClock,
                               UInt32(truncatingIfNeeded: 1_700_000_005_000 >> 2))
            }
        }
    }

    func testSwapDatabases() {
        let h = Harness(shards: 4, databases: 3)
        h.expireDue(now: 0)
        for i in 0..<200 { h.set(0, Array("a\(i)".utf8), [0], expireAt: i == 0 ? 50 : 0) }
        for i in 0..<10 { h.set(2, Array("b\(i)".utf8), [2]) }
        h.ks.lockAll()
        h.ks.swapDatabases(0, 2)
        h.ks.unlockAll()
        XCTAssertEqual(h.ks.count(database: 0), 10)
        XCTAssertEqual(h.ks.count(database: 2), 200)
        XCTAssertEqual(h.ks.volatileCount(database: 2), 1)
        XCTAssertEqual(h.get(0, Array("b3".utf8), now: 1), [2])
        XCTAssertEqual(h.get(2, Array("a3".utf8), now: 1), [0])
        XCTAssertNil(h.get(0, Array("a3".utf8), now: 1))
        // Wheel expiry reports the database the key is in now.
        XCTAssertEqual(h.expireDue(now: 51), 1)
        let events = h.log.drain()
        XCTAssertEqual(events.first?.0, 2)
        XCTAssertEqual(events.first?.1, Array("a0".utf8))
        // New writes into a swapped database land in the right table.
        h.set(2, Array("c".utf8), [3], expireAt: 60)
        XCTAssertEqual(h.expireDue(now: 61), 1)
        XCTAssertEqual(h.log.drain().first?.0, 2)
    }

    func testRemoveAllAndMemoryAccounting() {
        let h = Harness(shards: 4, databases: 2)
        let idle = h.ks.memoryBytes
        h.expireDue(now: 0)
        for i in 0..<3000 {
            h.set(i % 2, Array("key-\(i)".utf8), Array(repeating: 1, count: 400), expireAt: i % 3 == 0 ? 100_000 : 0)
        }
        let full = h.ks.memoryBytes
        XCTAssertGreaterThan(full - idle, 3000 * 440)
        XCTAssertLessThan(full - idle, 3000 * 600)
        for shard in h.ks.shards { shard.lock(); shard.removeAll(database: 1); shard.unlock() }
        XCTAssertEqual(h.ks.count(database: 1), 0)
        XCTAssertEqual(h.ks.volatileCount(database: 1), 0)
        XCTAssertEqual(h.ks.count(database: 0), 1500)
        XCTAssertLessThan(h.ks.memoryBytes, full - 1400 * 440)
        // Remaining volatile keys of db 0 still expire; db 1's were unscheduled.
        XCTAssertEqual(h.expireDue(now: 100_001), 500)
        for shard in h.ks.shards { shard.lock(); shard.removeAll(database: nil); shard.unlock() }
        XCTAssertEqual(h.ks.count(database: 0), 0)
        XCTAssertNil(h.nextDeadline())
        XCTAssertEqual(h.ks.memoryBytes, idle)
        // Usable again afterwards.
        h.set(0, [1], [2], expireAt: 200_000)
        XCTAssertEqual(h.get(0, [1], now: 100_002), [2])
        XCTAssertEqual(h.expireDue(now: 200_001), 1)
    }

    func testMemoryReturnsAfterMassExpiryAndDeletes() {
        let h = Harness(shards: 2, databases: 1)
        h.expireDue(now: 0)
        let idle = h.ks.memoryBytes
        for i in 0..<20_000 { h.set(0, Array("s\(i)".utf8), Array(repeating: 0, count: 100), expireAt: 1000 + Int64(i % 50)) }
        XCTAssertGreaterThan(h.ks.memoryBytes, idle + 20_000 * 140)
        XCTAssertEqual(h.expireDue(now: 2000), 20_000)
        // Tables shrink via expireDue's maintenance; give it a few calls to finish migrations.
        for t in 0..<10 { h.expireDue(now: 2001 + Int64(t)) }
        XCTAssertEqual(h.ks.count(database: 0), 0)
        XCTAssertLessThanOrEqual(h.ks.memoryBytes, idle + 2 * 8 * 8, "tables/wheel did not give memory back")
    }

    /// Per-entry cost for a session-sized key: header + malloc overhead ≤ 48 bytes.
    func testPerEntryOverhead() {
        let h = Harness(shards: 1, databases: 1)
        let key = Array(repeating: UInt8(ascii: "k"), count: 40)
        let e = h.set(0, key, Array(repeating: 1, count: 400), expireAt: 1)
        let usable = tessera_malloc_usable_size(e.pointer)
        // glibc keeps an 8-byte size word in front of every chunk.
        let overhead = usable + 8 - 440
        XCTAssertLessThanOrEqual(overhead, 48, "usable \(usable)")
        XCTAssertEqual(EntryLayout.headerSize, 32)
    }

    func testLockShardsDeduplicatesAndSorts() {
        let ks = Keyspace(shardCount: 8, databaseCount: 1, hashSeed: 1)
        var indices = [5, 1, 5, 3, 1]
        ks.lockShards(&indices)
        XCTAssertEqual(indices, [1, 3, 5])
        ks.unlockShards(indices)
        ks.lockAll()
        ks.unlockAll()
    }

    func testHashIsSeededAndSpreads() {
        let a = Keyspace(shardCount: 16, databaseCount: 1, hashSeed: 1)
        let b = Keyspace(shardCount: 16, databaseCount: 1, hashSeed: 2)
        var counts = [Int](repeating: 0, count: 16)
        var differ = 0
        for i in 0..<16_000 {
            let key = Array("user:session:\(i)".utf8)
            key.withUnsafeBytes { k in
                counts[a.shardIndex(hash: a.hash(k))] += 1
                if a.hash(k) != b.hash(k) { differ += 1 }
                XCTAssertEqual(a.hash(k), a.hash(k))
            }
        }
        XCTAssertEqual(differ, 16_000)
        XCTAssertTrue(counts.allSatisfy { $0 > 800 && $0 < 1200 }, "\(counts)")
        // Every length class (0, 1-3, 4-16, 17-48, >48) hashes and distinguishes keys.
        var seen = Set<UInt64>()
        for n in 0..<120 { Array(repeating: UInt8(7), count: n).withUnsafeBytes { _ = seen.insert(a.hash($0)) } }
        XCTAssertEqual(seen.count, 120)
    }

    /// Prefetch hints run on empty, growing (migrating) and full tables, for keys present, absent
    /// and sharing a home slot, and change nothing.
    func testPrefetchHintsChangeNothing() {
        let h = Harness(shards: 1, databases: 2)
        let hint = { (db: Int, key: [UInt8]) in
            h.withShard(key) { shard, hash in
                shard.prefetchSlot(database: db, hash: hash)
                shard.prefetchEntry(database: db, hash: hash)
            }
        }
        hint(0, [1])                                   // no slot array yet
        for i in 0..<5000 {
            let key = Array("k\(i)".utf8)
            h.set(0, key, [UInt8(i & 0xFF)])
            hint(0, key)                               // passes through several migrations
            hint(0, Array("absent\(i)".utf8))
            hint(1, key)
        }
        for i in 0..<5000 {
            XCTAssertEqual(h.get(0, Array("k\(i)".utf8), now: 0), [UInt8(i & 0xFF)])
        }
        XCTAssertEqual(h.ks.count(database: 0), 5000)
        XCTAssertEqual(h.ks.count(database: 1), 0)
    }
}
