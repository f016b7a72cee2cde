import XCTest
@testable import Commands
import Keyspace

/// maxmemory through the real dispatcher. The harness never samples malloc, so "used memory" is
/// exactly the keyspace's bytes: limits below are set relative to it.
final class EvictionTests: XCTestCase {
    let oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n"

    func limitToCurrent(_ h: CommandHarness, _ policy: EvictionPolicy, slack: Int = 0, samples: Int = 5) {
        h.context.memory.configure(maxBytes: h.context.keyspace.memoryBytes + slack, policy: policy, samples: samples)
        h.context.keyspace.accessTracking.configure(lfu: policy.isLFU, logFactor: 10, decayMinutes: 1)
    }

    func testNoevictionRefusesDenyoomCommandsOnly() {
        let h = CommandHarness()
        h.run(["set", "a", "1"])
        limitToCurrent(h, .noeviction)
        h.run(["set", "b", "2"])  // one key over: the next write is refused
        XCTAssertEqual(h.run(["set", "c", "3"]), oom)
        XCTAssertEqual(h.run(["get", "a"]), "$1\r\n1\r\n")
        XCTAssertEqual(h.run(["expire", "a", "100"]), ":1\r\n", "not denyoom")
        XCTAssertEqual(h.run(["flushall"]), "+OK\r\n")
        XCTAssertEqual(h.run(["set", "c", "3"]), "+OK\r\n", "freeing memory makes room")
        XCTAssertEqual(h.context.memory.evictedKeys, 0)
    }

    func testOOMInsideMultiAbortsTheTransaction() {
        let h = CommandHarness()
        h.run(["set", "a", "1"])
        limitToCurrent(h, .noeviction)
        h.run(["set", "b", "2"])
        XCTAssertEqual(h.run(["multi"]), "+OK\r\n")
        XCTAssertEqual(h.run(["set", "c", "3"]), oom)
        XCTAssertEqual(h.run(["get", "a"]), oom, "queueing takes memory too (Redis rejects any queued command)")
        XCTAssertEqual(h.run(["exec"]), "-EXECABORT Transaction discarded because of previous errors.\r\n")
        XCTAssertEqual(h.run(["get", "a"]), "$1\r\n1\r\n", "outside MULTI reads are served")
    }

    func testAllkeysLRUEvictsTheIdleKeysAndKeepsTheHotOnes() {
        let h = CommandHarness()
        for i in 0..<200 { h.run(["set", "cold:\(i)", String(repeating: "v", count: 100)]) }
        h.clock.advance(by: 1_000)
        for i in 0..<20 { h.run(["set", "hot:\(i)", String(repeating: "v", count: 100)]) }
        limitToCurrent(h, .allkeysLRU)
        for round in 0..<100 {
            h.clock.advance(by: 10)
            for i in 0..<20 { _ = h.run(["get", "hot:\(i)"]) }
            h.run(["set", "new:\(round)", String(repeating: "v", count: 100)])
        }
        XCTAssertGreaterThanOrEqual(h.context.memory.evictedKeys, 90)
        XCTAssertLessThanOrEqual(h.context.keyspace.memoryBytes, h.context.memory.maxBytes + 512)
        for i in 0..<20 { XCTAssertEqual(h.run(["exists", "hot:\(i)"]), ":1\r\n", "hot:\(i) was evicted") }
    }

    func testVolatileTTLEvictsTheNearestExpiryAndNeverPersistentKeys() {
        let h = CommandHarness()
        for i in 0..<50 { h.run(["set", "keep:\(i)", "x"]) }
        for i in 0..<50 { h.run(["set", "ttl:\(i)", "x", "EX", "\(1000 + i)"]) }
        // Each step samples one shard; the pool keeps the nearest expiries seen so far.
        limitToCurrent(h, .volatileTTL, slack: -1, samples: 64)
        for i in 0..<20 { h.run(["set", "new:\(i)", "x"]) }
        let evicted = (0..<50).filter { h.run(["exists", "ttl:\($0)"]) == ":0\r\n" }
        XCTAssertGreaterThanOrEqual(evicted.count, 15)
        XCTAssertGreaterThanOrEqual(evicted.filter { $0 < 25 }.count, evicted.count * 3 / 4,
                                    "nearest expiries go first: \(evicted)")
        XCTAssertEqual(h.run(["exists", "ttl:49"]), ":1\r\n")
        h.run(["set", "new:0", "x", "EX", "5000"])
        let replies = (20..<140).map { h.run(["set", "new:\($0)", "x"]) }
        for i in 0..<50 { XCTAssertEqual(h.run(["exists", "keep:\(i)"]), ":1\r\n") }
        XCTAssertEqual(replies.last, oom, "nothing volatile left")
        XCTAssertEqual(h.run(["exists", "new:0"]), ":0\r\n")
    }

    func testEvictionNotifiesAndBreaksWatch() {
        let h = CommandHarness()
        h.context.events.classes = KeyspaceEvents.parse("Ee")!
        XCTAssertTrue(h.run(["psubscribe", "__keyevent@*__:*"], on: h.subscriber).hasPrefix("*3\r\n"))
        h.run(["set", "victim", "x"])
        let other = CommandHarness(sharing: h)
        other.run(["watch", "victim"])
        limitToCurrent(h, .allkeysLRU)
        h.clock.advance(by: 1_000)
        h.run(["set", "fresh", "x"])   // at the limit, not over it: nothing evicted yet
        XCTAssertEqual(h.context.memory.evictedKeys, 0)
        h.run(["set", "fresh2", "x"])  // over: the least recently used key goes
        XCTAssertEqual(h.context.memory.evictedKeys, 1)
        XCTAssertEqual(h.run(["exists", "victim"]), ":0\r\n")
        other.run(["multi"])
        other.run(["ping"])
        XCTAssertEqual(other.run(["exec"]), "*-1\r\n", "eviction breaks WATCH")
        let events = h.mailbox.drain().map { String(decoding: $0.channel + [32] + $0.payload, as: UTF8.self) }
        // (Queueing PING in MULTI runs the gate too and may evict again: only the first is checked.)
        XCTAssertEqual(events.first, "__keyevent@0__:evicted victim")
    }

    func testLFUCounterAndObjectFreq() {
        let h = CommandHarness()
        limitToCurrent(h, .allkeysLFU, slack: 1 << 30)
        h.run(["set", "k", "v"])
        XCTAssertEqual(h.run(["object", "freq", "k"]), ":5\r\n", "LFU_INIT_VAL")
        for _ in 0..<200 { h.run(["get", "k"]) }
        let hot = Int(h.run(["object", "freq", "k"]).dropFirst().dropLast(1))!
        XCTAssertGreaterThan(hot, 6)
        XCTAssertLessThan(hot, 40, "logarithmic, not linear")
        h.clock.advance(by: 3 * 60_000)  // lfu-decay-time 1: one step per minute
        XCTAssertEqual(h.run(["object", "freq", "k"]), ":\(hot - 3)\r\n")
        XCTAssertTrue(h.run(["object", "idletime", "k"]).hasPrefix("-ERR An LFU maxmemory policy is selected"))
        limitToCurrent(h, .allkeysLRU, slack: 1 << 30)
        XCTAssertTrue(h.run(["object", "freq", "k"]).hasPrefix("-ERR An LFU maxmemory policy is not selected"))
    }

    func testPolicyNames() {
        for policy in EvictionPolicy.allCases { XCTAssertEqual(EvictionPolicy(name: policy.name), policy) }
        XCTAssertEqual(EvictionPolicy.allCases.map(\.name).filter { $0.hasPrefix("volatile") }.count, 4)
        XCTAssertTrue(EvictionPolicy.volatileTTL.volatileOnly && !EvictionPolicy.allkeysLFU.volatileOnly)
    }
}
