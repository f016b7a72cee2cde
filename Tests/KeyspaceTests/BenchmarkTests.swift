import Foundation
import XCTest
@testable import Keyspace

/// Opt-in timing (TESSERA_BENCH=1, meaningful only with -c release): ns per SET/GET/DEL of a
/// session-sized key through the public shard API including locking.
final class BenchmarkTests: XCTestCase {
    func testSessionWorkloadTiming() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["TESSERA_BENCH"] == "1", "set TESSERA_BENCH=1")
        let ks = Keyspace(shardCount: 16, databaseCount: 16, hashSeed: 0x1234)
        let n = Int(ProcessInfo.processInfo.environment["TESSERA_BENCH_N"] ?? "") ?? 500_000
        let keys: [[UInt8]] = (0..<n).map { i in
            var k = [UInt8](repeating: 0x6b, count: 40)
            withUnsafeBytes(of: UInt64(i).littleEndian) { for j in 0..<8 { k[j] = $0[j] } }
            return k
        }
        let value = [UInt8](repeating: 0x61, count: 400)
        func time(_ label: String, _ body: () -> Void) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n)
            print("Keyspace bench: \(label) \(String(format: "%.1f", ns)) ns/op")
        }
        value.withUnsafeBytes { v in
            time("SET new (with TTL)") {
                for k in keys {
                    k.withUnsafeBytes { kb in
                        let h = ks.hash(kb); let s = ks.shard(hash: h)
                        s.lock(); s.setString(database: 0, key: kb, hash: h, value: v, expireAt: 2_000_000 + Int64(kb[0])); s.unlock()
                    }
                }
            }
            time("SET replace same size") {
                for k in keys {
                    k.withUnsafeBytes { kb in
                        let h = ks.hash(kb); let s = ks.shard(hash: h)
                        s.lock(); s.setString(database: 0, key: kb, hash: h, value: v, expireAt: 3_000_000); s.unlock()
                    }
                }
            }
        }
        var sink = 0
        time("GET hit") {
            for i in 0..<n {
                keys[(i &* 7919) % n].withUnsafeBytes { kb in
                    let h = ks.hash(kb); let s = ks.shard(hash: h)
                    s.lock(); sink &+= s.find(database: 0, key: kb, hash: h, now: 1_000_000)?.value.count ?? 0; s.unlock()
                }
            }
        }
        time("DEL") {
            for k in keys {
                k.withUnsafeBytes { kb in
                    let h = ks.hash(kb); let s = ks.shard(hash: h)
                    s.lock()
                    if let e = s.find(database: 0, key: kb, hash: h, now: 1_000_000) { s.remove(e, database: 0, hash: h) }
                    s.unlock()
                }
            }
        }
        XCTAssertEqual(sink, n * 400)
    }
}
