import Commands
import Synchronization
import XCTest

// Expected bytes below were taken from redis-server 7.0.15. The harness clock starts at
// 1_700_000_000_000 ms, so deadlines are easy to read.

final class ExpireTests: XCTestCase {
    let start: Int64 = 1_700_000_000_000

    // MARK: Setting a TTL

    func testExpireFamilySetsDeadlines() {
        let h = CommandHarness()
        h.keysPut("k")
        XCTAssertEqual(h.run(["expire", "k", "100"]), ":1\r\n")
        XCTAssertEqual(h.run(["ttl", "k"]), ":100\r\n")
        XCTAssertEqual(h.run(["pttl", "k"]), ":100000\r\n")
        XCTAssertEqual(h.run(["expiretime", "k"]), ":1700000100\r\n")
        XCTAssertEqual(h.run(["pexpiretime", "k"]), ":1700000100000\r\n")

        XCTAssertEqual(h.run(["pexpire", "k", "1234"]), ":1\r\n")
        XCTAssertEqual(h.run(["pttl", "k"]), ":1234\r\n")
        XCTAssertEqual(h.run(["pexpiretime", "k"]), ":1700000001234\r\n")

        XCTAssertEqual(h.run(["expireat", "k", "1700000500"]), ":1\r\n")
        XCTAssertEqual(h.run(["pexpiretime", "k"]), ":1700000500000\r\n")
        XCTAssertEqual(h.run(["ttl", "k"]), ":500\r\n")

        XCTAssertEqual(h.run(["pexpireat", "k", "1700000000001"]), ":1\r\n")
        XCTAssertEqual(h.run(["pttl", "k"]), ":1\r\n")
        XCTAssertEqual(h.run(["ttl", "k"]), ":0\r\n")
        XCTAssertEqual(h.run(["expiretime", "k"]), ":1700000000\r\n")
    }

    func testMissingKeyReturnsZero() {
        let h = CommandHarness()
        for command in ["expire", "pexpire", "expireat", "pexpireat"] {
            XCTAssertEqual(h.run([command, "nope", "100"]), ":0\r\n", command)
            XCTAssertEqual(h.run([command, "nope", "100", "NX"]), ":0\r\n", command)
        }
        XCTAssertEqual(h.run(["exists", "nope"]), ":0\r\n")
    }

    func testPastDeadlineDeletesTheKey() {
        let h = CommandHarness()
        let cases: [[String]] = [
            ["expire", "k", "0"], ["pexpire", "k", "0"], ["expire", "k", "-5"], ["pexpire", "k", "-1"],
            ["expireat", "k", "1699999999"], ["expireat", "k", "0"], ["pexpireat", "k", "1700000000000"],
            ["pexpireat", "k", "1"], ["expireat", "k", "-100"],
            ["pexpire", "k", "-9223372036854775808"], ["expire", "k", "-9223372036854775"],
        ]
        for argv in cases {
            h.keysPut("k")
            XCTAssertEqual(h.run(argv), ":1\r\n", argv.joined(separator: " "))
            XCTAssertEqual(h.run(["exists", "k"]), ":0\r\n", argv.joined(separator: " "))
        }
        // One millisecond in the future is kept.
        h.keysPut("k")
        XCTAssertEqual(h.run(["pexpireat", "k", "1700000000001"]), ":1\r\n")
        XCTAssertEqual(h.run(["exists", "k"]), ":1\r\n")
        XCTAssertEqual(h.run(["pexpire", "k", "1"]), ":1\r\n")
        XCTAssertEqual(h.run(["pttl", "k"]), ":1\r\n")
    }

    func testOverflow() {
        let h = CommandHarness()
        h.keysPut("k")
        XCTAssertEqual(h.run(["expire", "k", "9223372036854775807"]), "-ERR invalid expire time in 'expire' command\r\n")
        XCTAssertEqual(h.run(["expire", "k", "9223372036854775"]), "-ERR invalid expire time in 'expire' command\r\n")
        XCTAssertEqual(h.run(["expire", "k", "9223372036854774"]), "-ERR invalid expire time in 'expire' command\r\n")
        XCTAssertEqual(h.run(["expire", "k", "-9223372036854776"]), "-ERR invalid expire time in 'expire' command\r\n")
        XCTAssertEqual(h.run(["pexpire", "k", "9223372036854775807"]), "-ERR invalid expire time in 'pexpire' command\r\n")
        XCTAssertEqual(h.run(["pexpire", "k", "9223372036854775000"]), "-ERR invalid expire time in 'pexpire' command\r\n")
        XCTAssertEqual(h.run(["EXPIREAT", "k", "9223372036854775807"]), "-ERR invalid expire time in 'expireat' command\r\n")
        XCTAssertEqual(h.run(["expireat", "k", "-9223372036854775808"]), "-ERR invalid expire time in 'expireat' command\r\n")
        // Overflow is reported even for a missing key (checked before the lookup).
        XCTAssertEqual(h.run(["expire", "nope", "9223372036854775807"]), "-ERR invalid expire time in 'expire' command\r\n")
        XCTAssertEqual(h.run(["ttl", "k"]), ":-1\r\n")
        // The largest deadlines that fit.
        XCTAssertEqual(h.run(["pexpireat", "k", "9223372036854775807"]), ":1\r\n")
        XCTAssertEqual(h.run(["pexpiretime", "k"]), ":9223372036854775807\r\n")
        XCTAssertEqual(h.run(["expiretime", "k"]), ":9223372036854776\r\n")
        XCTAssertEqual(h.run(["pttl", "k"]), ":\(Int64.max - start)\r\n")
        XCTAssertEqual(h.run(["ttl", "k"]), ":\((Int64.max - start + 500) / 1000)\r\n")
        for (deadline, seconds) in [("9223372036854775500", "9223372036854776"), ("9223372036854775307", "9223372036854775"),
                                    ("9223372036854775308", "9223372036854775")] {
            XCTAssertEqual(h.run(["pexpireat", "k", deadline]), ":1\r\n")
            XCTAssertEqual(h.run(["expiretime", "k"]), ":\(seconds)\r\n", deadline)
        }
        XCTAssertEqual(h.run(["expireat", "k", "9223372036854775"]), ":1\r\n")
        XCTAssertEqual(h.run(["expiretime", "k"]), ":9223372036854775\r\n")
        XCTAssertEqual(h.run(["pexpire", "k", "\(Int64.max - start)"]), ":1\r\n")
        XCTAssertEqual(h.run(["pexpiretime", "k"]), ":9223372036854775807\r\n")
    }

    func testNotAnInteger() {
        let h = CommandHarness()
        h.keysPut("k")
        for bad in ["abc", "1.5", "", " 1", "1 ", "+1", "01", "9223372036854775808"] {
            XCTAssertEqual(h.run(["expire", "k", bad]), "-ERR value is not an integer or out of range\r\n", bad)
            XCTAssertEqual(h.run(["pexpireat", "k", bad]), "-ERR value is not an integer or out of range\r\n", bad)
        }
        XCTAssertEqual(h.run(["expire", "nope", "abc"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["ttl", "k"]), ":-1\r\n")
    }

    // MARK: NX / XX / GT / LT

    func testOptionErrors() {
        let h = CommandHarness()
        h.keysPut("a")
        let nxError = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"
        let gtLtError = "-ERR GT and LT options at the same time are not compatible\r\n"
        XCTAssertEqual(h.run(["expire", "a", "10", "nx", "xx"]), nxError)
        XCTAssertEqual(h.run(["expire", "a", "10", "NX", "GT"]), nxError)
        XCTAssertEqual(h.run(["expire", "a", "10", "lt", "nx"]), nxError)
        XCTAssertEqual(h.run(["expire", "a", "10", "NX", "GT", "LT"]), nxError)
        XCTAssertEqual(h.run(["expire", "a", "10", "GT", "LT", "nx"]), nxError)
        XCTAssertEqual(h.run(["expire", "a", "10", "gt", "lt"]), gtLtError)
        XCTAssertEqual(h.run(["pexpireat", "a", "10", "xx", "LT", "gt"]), gtLtError)
        XCTAssertEqual(h.run(["expire", "a", "10", "foo"]), "-ERR Unsupported option foo\r\n")
        XCTAssertEqual(h.run(["expire", "a", "10", "gt", "foo"]), "-ERR Unsupported option foo\r\n")
        XCTAssertEqual(h.run(["expire", "a", "10", "foo", "nx", "xx"]), "-ERR Unsupported option foo\r\n")
        XCTAssertEqual(h.run(["expire", "a", "10", "fo o"]), "-ERR Unsupported option fo o\r\n")
        XCTAssertEqual(h.run(["expire", "a", "10", "fo\r\no"]), "-ERR Unsupported option fo  o\r\n")
        XCTAssertEqual(h.run(["expire", "a", "10", "fo\u{0}o"]), "-ERR Unsupported option fo\r\n")
        XCTAssertEqual(h.run(["expire", "a", "10", ""]), "-ERR Unsupported option \r\n")
        // Options are checked before the number, the number before the key.
        XCTAssertEqual(h.run(["expire", "a", "abc", "foo"]), "-ERR Unsupported option foo\r\n")
        XCTAssertEqual(h.run(["expire", "a", "abc", "nx", "xx"]), nxError)
        XCTAssertEqual(h.run(["expire", "nope", "abc", "nx"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["ttl", "a"]), ":-1\r\n")
    }

    func testRepeatedAndMixedCaseOptions() {
        let h = CommandHarness()
        h.keysPut("a")
        XCTAssertEqual(h.run(["expire", "a", "10", "NX", "nx"]), ":1\r\n")
        XCTAssertEqual(h.run(["expire", "a", "20", "xX", "Gt"]), ":1\r\n")
        XCTAssertEqual(h.run(["expire", "a", "30", "lt", "XX"]), ":0\r\n")
        XCTAssertEqual(h.run(["ttl", "a"]), ":20\r\n")
    }

    /// The full option matrix, as redis-server 7.0.15 answered it: (state, options, seconds, reply, TTL after).
    func testOptionMatrix() {
        let matrix: [(String, [String], String, String, String)] = [
            ("missing", [], "50", ":0", ":-2"), ("missing", [], "-1", ":0", ":-2"),
            ("missing", ["NX"], "50", ":0", ":-2"), ("missing", ["XX"], "50", ":0", ":-2"),
            ("missing", ["GT"], "50", ":0", ":-2"), ("missing", ["LT"], "50", ":0", ":-2"),
            ("missing", ["LT"], "-1", ":0", ":-2"), ("missing", ["XX", "GT"], "200", ":0", ":-2"),
            ("nottl", [], "50", ":1", ":50"), ("nottl", [], "200", ":1", ":200"),
            ("nottl", [], "-1", ":1", ":-2"),
            ("nottl", ["NX"], "50", ":1", ":50"), ("nottl", ["NX"], "200", ":1", ":200"),
            ("nottl", ["NX"], "-1", ":1", ":-2"),
            ("nottl", ["XX"], "50", ":0", ":-1"), ("nottl", ["XX"], "200", ":0", ":-1"),
            ("nottl", ["XX"], "-1", ":0", ":-1"),
            ("nottl", ["GT"], "50", ":0", ":-1"), ("nottl", ["GT"], "200", ":0", ":-1"),
            ("nottl", ["GT"], "-1", ":0", ":-1"),
            ("nottl", ["LT"], "50", ":1", ":50"), ("nottl", ["LT"], "200", ":1", ":200"),
            ("nottl", ["LT"], "-1", ":1", ":-2"),
            ("nottl", ["XX", "GT"], "50", ":0", ":-1"), ("nottl", ["XX", "GT"], "200", ":0", ":-1"),
            ("nottl", ["XX", "GT"], "-1", ":0", ":-1"),
            ("nottl", ["XX", "LT"], "50", ":0", ":-1"), ("nottl", ["XX", "LT"], "200", ":0", ":-1"),
            ("nottl", ["XX", "LT"], "-1", ":0", ":-1"),
            ("ttl", [], "50", ":1", ":50"), ("ttl", [], "200", ":1", ":200"), ("ttl", [], "-1", ":1", ":-2"),
            ("ttl", ["NX"], "50", ":0", ":100"), ("ttl", ["NX"], "200", ":0", ":100"),
            ("ttl", ["NX"], "-1", ":0", ":100"),
            ("ttl", ["XX"], "50", ":1", ":50"), ("ttl", ["XX"], "200", ":1", ":200"),
            ("ttl", ["XX"], "-1", ":1", ":-2"),
            ("ttl", ["GT"], "50", ":0", ":100"), ("ttl", ["GT"], "200", ":1", ":200"),
            ("ttl", ["GT"], "-1", ":0", ":100"),
            ("ttl", ["LT"], "50", ":1", ":50"), ("ttl", ["LT"], "200", ":0", ":100"),
            ("ttl", ["LT"], "-1", ":1", ":-2"),
            ("ttl", ["XX", "GT"], "50", ":0", ":100"), ("ttl", ["XX", "GT"], "200", ":1", ":200"),
            ("ttl", ["XX", "GT"], "-1", ":0", ":100"),
            ("ttl", ["XX", "LT"], "50", ":1", ":50"), ("ttl", ["XX", "LT"], "200", ":0", ":100"),
            ("ttl", ["XX", "LT"], "-1", ":1", ":-2"),
        ]
        let h = CommandHarness()
        for (state, options, seconds, reply, ttlAfter) in matrix {
            let label = "\(state) \(options) \(seconds)"
            h.run(["del", "k"])
            if state != "missing" { h.keysPut("k") }
            if state == "ttl" { XCTAssertEqual(h.run(["expire", "k", "100"]), ":1\r\n") }
            XCTAssertEqual(h.run(["expire", "k", seconds] + options), reply + "\r\n", label)
            XCTAssertEqual(h.run(["ttl", "k"]), ttlAfter + "\r\n", label)
        }
    }

    func testGTAndLTCompareAbsoluteDeadlines() {
        let h = CommandHarness()
        h.keysPut("k")
        XCTAssertEqual(h.run(["pexpireat", "k", "1700000010000"]), ":1\r\n")
        // Same deadline: neither greater nor less.
        XCTAssertEqual(h.run(["pexpireat", "k", "1700000010000", "GT"]), ":0\r\n")
        XCTAssertEqual(h.run(["pexpireat", "k", "1700000010000", "LT"]), ":0\r\n")
        XCTAssertEqual(h.run(["expire", "k", "10", "GT"]), ":0\r\n")
        XCTAssertEqual(h.run(["pexpire", "k", "10001", "GT"]), ":1\r\n")
        XCTAssertEqual(h.run(["pexpiretime", "k"]), ":1700000010001\r\n")
        XCTAssertEqual(h.run(["expireat", "k", "1700000010", "LT"]), ":1\r\n")
        XCTAssertEqual(h.run(["pexpiretime", "k"]), ":1700000010000\r\n")
        // LT with a past deadline deletes.
        XCTAssertEqual(h.run(["pexpireat", "k", "5", "LT"]), ":1\r\n")
        XCTAssertEqual(h.run(["exists", "k"]), ":0\r\n")
    }

    // MARK: TTL / PTTL / EXPIRETIME / PEXPIRETIME

    func testTTLReplies() {
        let h = CommandHarness()
        for command in ["ttl", "pttl", "expiretime", "pexpiretime"] {
            XCTAssertEqual(h.run([command, "nope"]), ":-2\r\n", command)
        }
        h.keysPut("k")
        for command in ["ttl", "pttl", "expiretime", "pexpiretime"] {
            XCTAssertEqual(h.run([command, "k"]), ":-1\r\n", command)
            XCTAssertEqual(h.run([command]), "-ERR wrong number of arguments for '\(command)' command\r\n")
            XCTAssertEqual(h.run([command, "k", "x"]), "-ERR wrong number of arguments for '\(command)' command\r\n")
        }
    }

    func testTTLRoundsToNearestSecond() {
        let h = CommandHarness()
        h.keysPut("k")
        for (ms, seconds) in [(1499, 1), (1500, 2), (500, 1), (499, 0), (1, 0), (999_999, 1000)] {
            XCTAssertEqual(h.run(["pexpire", "k", "\(ms)"]), ":1\r\n")
            XCTAssertEqual(h.run(["ttl", "k"]), ":\(seconds)\r\n", "\(ms) ms")
        }
        XCTAssertEqual(h.run(["pexpireat", "k", "4000000001499"]), ":1\r\n")
        XCTAssertEqual(h.run(["expiretime", "k"]), ":4000000001\r\n")
        XCTAssertEqual(h.run(["pexpireat", "k", "4000000001500"]), ":1\r\n")
        XCTAssertEqual(h.run(["expiretime", "k"]), ":4000000002\r\n")
    }

    func testTTLCountsHitsAndMissesAndExpireDoesNot() {
        let h = CommandHarness()
        h.keysPut("k")
        let stats = h.client.stats
        h.run(["ttl", "k"]); h.run(["pttl", "zz"]); h.run(["expiretime", "k"]); h.run(["pexpiretime", "zz"])
        XCTAssertEqual(stats.keyspaceHits.load(ordering: .relaxed), 2)
        XCTAssertEqual(stats.keyspaceMisses.load(ordering: .relaxed), 2)
        h.run(["expire", "k", "100"]); h.run(["expire", "zz", "100"]); h.run(["persist", "k"]); h.run(["persist", "zz"])
        XCTAssertEqual(stats.keyspaceHits.load(ordering: .relaxed), 2)
        XCTAssertEqual(stats.keyspaceMisses.load(ordering: .relaxed), 2)
    }

    // MARK: Lazy expiry

    func testLazyExpiryAtTheDeadline() {
        let h = CommandHarness()
        let hasGet = !h.run(["get", "probe"]).hasPrefix("-ERR unknown command")
        h.keysPut("k", "v")
        XCTAssertEqual(h.run(["pexpire", "k", "100"]), ":1\r\n")
        h.keysPut("direct", "v", expireAt: start + 100)
        h.clock.advance(by: 100)
        for key in ["k", "direct"] {
            XCTAssertEqual(h.run(["exists", key]), ":1\r\n", key)
            XCTAssertEqual(h.run(["ttl", key]), ":0\r\n", key)
            XCTAssertEqual(h.run(["pttl", key]), ":0\r\n", key)
            XCTAssertEqual(h.run(["type", key]), "+string\r\n", key)
            if hasGet { XCTAssertEqual(h.run(["get", key]), "$1\r\nv\r\n", key) }
        }
        h.clock.advance(by: 1)
        for key in ["k", "direct"] {
            if hasGet { XCTAssertEqual(h.run(["get", key]), "$-1\r\n", key) }
            XCTAssertEqual(h.run(["exists", key]), ":0\r\n", key)
            XCTAssertEqual(h.run(["ttl", key]), ":-2\r\n", key)
            XCTAssertEqual(h.run(["pttl", key]), ":-2\r\n", key)
            XCTAssertEqual(h.run(["type", key]), "+none\r\n", key)
            XCTAssertEqual(h.run(["expire", key, "100"]), ":0\r\n", key)
            XCTAssertEqual(h.run(["persist", key]), ":0\r\n", key)
        }
        XCTAssertEqual(h.run(["keys", "*"]), "*0\r\n")
        XCTAssertEqual(h.run(["dbsize"]), ":0\r\n")
    }

    func testExpiryIsPerDatabase() {
        let h = CommandHarness()
        h.keysPut("k", "zero")
        h.keysPut("k", "two", database: 2)
        h.client.select(database: 2)
        XCTAssertEqual(h.run(["pexpire", "k", "10"]), ":1\r\n")
        XCTAssertEqual(h.run(["pttl", "k"]), ":10\r\n")
        h.client.select(database: 0)
        XCTAssertEqual(h.run(["pttl", "k"]), ":-1\r\n")
        h.clock.advance(by: 11)
        XCTAssertEqual(h.run(["exists", "k"]), ":1\r\n")
        h.client.select(database: 2)
        XCTAssertEqual(h.run(["exists", "k"]), ":0\r\n")
    }

    // MARK: PERSIST

    func testPersist() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["persist", "nope"]), ":0\r\n")
        h.keysPut("k")
        XCTAssertEqual(h.run(["persist", "k"]), ":0\r\n")
        XCTAssertEqual(h.run(["expire", "k", "10"]), ":1\r\n")
        XCTAssertEqual(h.run(["persist", "k"]), ":1\r\n")
        XCTAssertEqual(h.run(["ttl", "k"]), ":-1\r\n")
        XCTAssertEqual(h.run(["persist", "k"]), ":0\r\n")
        h.clock.advance(by: 20_000)
        XCTAssertEqual(h.run(["exists", "k"]), ":1\r\n")
        XCTAssertEqual(h.run(["persist"]), "-ERR wrong number of arguments for 'persist' command\r\n")
        XCTAssertEqual(h.run(["persist", "a", "b"]), "-ERR wrong number of arguments for 'persist' command\r\n")
    }

    func testArity() {
        let h = CommandHarness()
        for command in ["expire", "pexpire", "expireat", "pexpireat"] {
            XCTAssertEqual(h.run([command, "k"]), "-ERR wrong number of arguments for '\(command)' command\r\n")
        }
    }
}
