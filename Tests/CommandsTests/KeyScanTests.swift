import Bytes
@testable import Commands
import Keyspace
import RESP
import XCTest

// Expected bytes below were taken from redis-server 7.0.15. KeysReply and the keysPut/keysSorted
// helpers are in KeyTests.swift.

final class KeyScanTests: XCTestCase {
    // MARK: KEYS

    func testKeysPatterns() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["keys", "*"]), "*0\r\n")
        for key in ["firstname", "Lastname", "age", "hello", "hallo", "hxllo", "hllo", "heeeello", "a*b", "a?b"] {
            h.keysPut(key)
        }
        XCTAssertEqual(h.keysSorted("*name*"), ["Lastname", "firstname"])
        XCTAssertEqual(h.keysSorted("a??"), ["a*b", "a?b", "age"])
        XCTAssertEqual(h.keysSorted("*").count, 10)
        XCTAssertEqual(h.keysSorted("h?llo"), ["hallo", "hello", "hxllo"])
        XCTAssertEqual(h.keysSorted("h*llo"), ["hallo", "heeeello", "hello", "hllo", "hxllo"])
        XCTAssertEqual(h.keysSorted("h[ae]llo"), ["hallo", "hello"])
        XCTAssertEqual(h.keysSorted("h[^e]llo"), ["hallo", "hxllo"])
        XCTAssertEqual(h.keysSorted("h[a-b]llo"), ["hallo"])
        XCTAssertEqual(h.keysSorted("a\\*b"), ["a*b"])
        XCTAssertEqual(h.keysSorted("LASTNAME"), [])
        XCTAssertEqual(h.keysSorted("nomatch*"), [])
        XCTAssertEqual(h.run(["keys", "age"]), "*1\r\n$3\r\nage\r\n")
        XCTAssertEqual(h.run(["keys", "x*", "y"]), "-ERR wrong number of arguments for 'keys' command\r\n")
    }

    func testKeysSkipsExpiredAndSpansShards() {
        let h = CommandHarness(shardCount: 16)
        let now = h.clock.nowMilliseconds()
        for i in 0..<1000 { h.keysPut("key:\(i)", expireAt: i % 10 == 0 ? now + 50 : 0) }
        XCTAssertEqual(h.keysSorted("*").count, 1000)
        h.clock.advance(by: 51)
        let keys = h.keysSorted("key:*")
        XCTAssertEqual(keys.count, 900)
        XCTAssertEqual(Set(keys), Set((0..<1000).filter { $0 % 10 != 0 }.map { "key:\($0)" }))
        XCTAssertEqual(h.keysSorted("key:1?").count, 9)
    }

    // MARK: SCAN

    /// Runs a full SCAN iteration; returns every key returned (with repeats) and the number of calls.
    private func scanAll(_ h: CommandHarness, _ options: [String] = [],
                         between: (Int) -> Void = { _ in }) -> (keys: [String], calls: Int) {
        var cursor = "0"
        var keys: [String] = []
        var calls = 0
        repeat {
            let reply = KeysReply.parse(h.run(["scan", cursor] + options))
            guard case .array(let items?) = reply, items.count == 2, case .bulk(let next?) = items[0] else {
                XCTFail("unexpected SCAN reply \(reply)")
                return (keys, calls)
            }
            XCTAssertNotNil(UInt64(next), "cursor \(next) is an unsigned decimal")
            keys += items[1].strings
            cursor = next
            calls += 1
            between(calls)
            if calls > 100_000 { XCTFail("SCAN does not terminate"); break }
        } while cursor != "0"
        return (keys, calls)
    }

    func testScanReturnsEveryKeyOverAFullIteration() {
        for shards in [1, 4, 16] {
            let h = CommandHarness(shardCount: shards)
            let all = Set((0..<3000).map { "key:\($0)" })
            for key in all { h.keysPut(key) }
            for count in [nil, 1, 7, 100, 5000] {
                let options = count.map { ["COUNT", "\($0)"] } ?? []
                let (keys, calls) = scanAll(h, options)
                XCTAssertEqual(Set(keys), all, "shards \(shards) count \(String(describing: count))")
                // At most a few repeats (none without a resize).
                XCTAssertLessThanOrEqual(keys.count, all.count + all.count / 10)
                if let count, count >= 5000 { XCTAssertLessThanOrEqual(calls, shards + 1) }
                if count == nil { XCTAssertGreaterThanOrEqual(calls, 3000 / 20) }
            }
        }
    }

    func testScanMatchAndType() {
        let h = CommandHarness(shardCount: 4)
        for i in 0..<2000 { h.keysPut("user:\(i)") }
        for i in 0..<500 { h.keysPut("session:\(i)") }
        let users = Set((0..<2000).map { "user:\($0)" })
        XCTAssertEqual(Set(scanAll(h, ["MATCH", "user:*"]).keys), users)
        XCTAssertEqual(Set(scanAll(h, ["match", "user:1*", "count", "50"]).keys),
                       Set(users.filter { $0.hasPrefix("user:1") }))
        XCTAssertEqual(Set(scanAll(h, ["MATCH", "*", "COUNT", "1000"]).keys).count, 2500)
        XCTAssertEqual(Set(scanAll(h, ["TYPE", "string"]).keys).count, 2500)
        XCTAssertEqual(Set(scanAll(h, ["type", "STRING", "match", "session:*"]).keys),
                       Set((0..<500).map { "session:\($0)" }))
        XCTAssertEqual(scanAll(h, ["TYPE", "hash"]).keys, [])
        XCTAssertEqual(scanAll(h, ["TYPE", "nosuchtype", "COUNT", "10000"]).keys, [])
        // Later options override earlier ones.
        XCTAssertEqual(Set(scanAll(h, ["MATCH", "user:*", "MATCH", "session:*"]).keys).count, 500)
    }

    func testScanSkipsExpiredKeys() {
        let h = CommandHarness()
        let now = h.clock.nowMilliseconds()
        for i in 0..<100 { h.keysPut("k\(i)", expireAt: i < 40 ? now + 10 : 0) }
        h.clock.advance(by: 11)
        XCTAssertEqual(Set(scanAll(h).keys), Set((40..<100).map { "k\($0)" }))
    }

    func testScanKeysPresentThroughoutAreReturnedDespiteWrites() {
        let h = CommandHarness(shardCount: 4)
        let stable = Set((0..<2000).map { "stable:\($0)" })
        for key in stable { h.keysPut(key) }
        for i in 0..<1000 { h.keysPut("churn:\(i)") }
        var next = 1000
        let (keys, _) = scanAll(h, ["COUNT", "25"]) { call in
            // Grow the tables (forcing resizes mid-iteration) and delete other keys.
            for _ in 0..<40 {
                h.keysPut("churn:\(next)")
                next += 1
            }
            h.run(["del", "churn:\(call)", "churn:\(call * 3)"])
        }
        XCTAssertTrue(stable.isSubset(of: Set(keys)), "missing \(stable.subtracting(keys).count) keys")
    }

    func testScanEmptyDatabase() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["scan", "0"]), "*2\r\n$1\r\n0\r\n*0\r\n")
    }

    func testScanSingleKey() {
        let h = CommandHarness()
        h.keysPut("a")
        XCTAssertEqual(h.run(["scan", "0", "COUNT", "100"]), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n")
    }

    func testScanCursorParsing() {
        let h = CommandHarness()
        h.keysPut("a")
        for bad in ["abc", " 5", "5 ", "18446744073709551616", "0x10", "-", "+", "1.5", "99999999999999999999999"] {
            XCTAssertEqual(h.run(["scan", bad]), "-ERR invalid cursor\r\n", bad)
        }
        XCTAssertEqual(h.run(["scan", "abc", "COUNT", "0"]), "-ERR invalid cursor\r\n")
        XCTAssertEqual(KeyFamily.parseCursor(UnsafeRawBufferPointer(start: nil, count: 0)), 0)
        XCTAssertEqual(Array("-1".utf8).withUnsafeBytes { KeyFamily.parseCursor($0) }, UInt64.max)
        XCTAssertEqual(Array("+5".utf8).withUnsafeBytes { KeyFamily.parseCursor($0) }, 5)
        XCTAssertEqual(Array("007".utf8).withUnsafeBytes { KeyFamily.parseCursor($0) }, 7)
        XCTAssertEqual(Array("18446744073709551615".utf8).withUnsafeBytes { KeyFamily.parseCursor($0) }, UInt64.max)
        XCTAssertEqual(Array("-18446744073709551615".utf8).withUnsafeBytes { KeyFamily.parseCursor($0) }, 1)
        XCTAssertEqual([UInt8(ascii: "5"), 0, UInt8(ascii: "x")].withUnsafeBytes { KeyFamily.parseCursor($0) }, 5)
        // Unusual cursors are accepted as in Redis and lead to a valid reply.
        for odd in ["", "-1", "+0", "007", "18446744073709551615", "12345678901234567"] {
            let reply = KeysReply.parse(h.run(["scan", odd]))
            guard case .array(let items?) = reply, items.count == 2 else {
                XCTFail("cursor \(odd): \(reply)")
                continue
            }
        }
        XCTAssertEqual(h.run(["scan", ""]), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n")
    }

    func testScanOptionErrors() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["scan", "0", "count", "0"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["scan", "0", "count", "-1"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["scan", "0", "count", "abc"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["scan", "0", "count"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["scan", "0", "match"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["scan", "0", "type"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["scan", "0", "foo", "bar"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["scan", "0", "match", "*", "count"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["scan"]), "-ERR wrong number of arguments for 'scan' command\r\n")
        XCTAssertEqual(h.run(["scan", "0", "COUNT", "10", "MATCH", "*", "TYPE", "string"]), "*2\r\n$1\r\n0\r\n*0\r\n")
    }
}
