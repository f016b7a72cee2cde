import Foundation
import XCTest
@testable import Keyspace

/// Memory per session key and a multi-threaded smoke test.
final class FootprintTests: XCTestCase {
    private func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// 200k session keys (40-byte key, 400-byte value, TTL): accounted bytes per key stay within
    /// budget, and both accounting and RSS drop after they all expire.
    func testBytesPerSessionKey() {
        let h = Harness(shards: 16, databases: 16)
        // No logging handler: its allocations would interleave with freed entries and pin pages.
        h.ks.expirationHandler = nil
        h.expireDue(now: 1_000)
        let n = 200_000
        let value = [UInt8](repeating: 0x61, count: 400)
        let rssBefore = residentBytes()
        let before = h.ks.memoryBytes
        var key = [UInt8](repeating: 0x6b, count: 40)
        for i in 0..<n {
            withUnsafeBytes(of: UInt64(i)) { for j in 0..<8 { key[j] = $0[j] } }
            h.set(0, key, value, expireAt: 60_000 + Int64(i % 5000))
        }
        let perKey = Double(h.ks.memoryBytes - before) / Double(n)
        let rssPerKey = Double(residentBytes() - rssBefore) / Double(n)
        print("Keyspace footprint: \(perKey) accounted bytes/key, \(rssPerKey) RSS bytes/key")
        // 472 usable + 8 malloc word + table + wheel; Redis needs ~600.
        XCTAssertLessThan(perKey, 510)
        XCTAssertEqual(h.expireDue(now: 70_000), n)
        for t in 0..<40 { h.expireDue(now: 70_001 + Int64(t)) }
        XCTAssertLessThan(h.ks.memoryBytes - before, 64 * 1024)
        // malloc_trim is rate-limited to ~1/s; a housekeeping tick after that returns the pages.
        let rssFull = Double(n) * rssPerKey
        Thread.sleep(forTimeInterval: 1.1)
        h.expireDue(now: 80_000)
        let rssAfter = residentBytes() - rssBefore
        print("Keyspace footprint: RSS after expiry \(rssAfter) bytes above start")

        XCTAssertLessThan(Double(rssAfter), rssFull * 0.25, "RSS not returned after mass expiry")
    }

    /// Several threads writing, reading and expiring through the shard locks.
    func testConcurrentAccessUnderLocks() {
        let h = Harness(shards: 4, databases: 1)
        let ks = h.ks
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            var rng = SplitMix(seed: UInt64(t))
            for i in 0..<5000 {
                let key = Array("t\(t)-\(i % 700)".utf8)
                key.withUnsafeBytes { k in
                    let hash = ks.hash(k)
                    let shard = ks.shard(hash: hash)
                    shard.lock()
                    defer { shard.unlock() }
                    if Bool.random(using: &rng) {
                        shard.setString(database: 0, key: k, hash: hash, value: k, expireAt: Int64(i % 3 == 0 ? 10 + i : 0))
                    } else if let e = shard.find(database: 0, key: k, hash: hash, now: Int64(i)) {
                        XCTAssertEqual(Array(e.value), key)
                    }
                    if i % 100 == 0 { _ = shard.expireDue(now: Int64(i), budget: 50) }
                }
            }
        }
        h.expireDue(now: 1_000_000)
        XCTAssertLessThanOrEqual(ks.count(database: 0), 4 * 700)
    }
}
