import Commands
import Synchronization
import XCTest

/// Expected bytes were taken from redis-server 7.0.15 (raw socket replies).
final class StringTests: XCTestCase {
    let ok = "+OK\r\n"
    let null = "$-1\r\n"
    let syntax = "-ERR syntax error\r\n"
    let notInteger = "-ERR value is not an integer or out of range\r\n"
    let notFloat = "-ERR value is not a valid float\r\n"

    func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }
    func invalidExpire(_ command: String) -> String { "-ERR invalid expire time in '\(command)' command\r\n" }

    // MARK: GET / SET

    func testGetAndSet() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["get", "k"]), null)
        XCTAssertEqual(h.run(["set", "k", "v"]), ok)
        XCTAssertEqual(h.run(["GET", "k"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["set", "k", ""]), ok)
        XCTAssertEqual(h.run(["get", "k"]), "$0\r\n\r\n")
        XCTAssertEqual(h.run(["set", "k", "hello world"]), ok)
        XCTAssertEqual(h.run(["get", "k"]), bulk("hello world"))
        XCTAssertEqual(h.run(["get"]), "-ERR wrong number of arguments for 'get' command\r\n")
        XCTAssertEqual(h.run(["get", "a", "b"]), "-ERR wrong number of arguments for 'get' command\r\n")
        XCTAssertEqual(h.run(["set", "k"]), "-ERR wrong number of arguments for 'set' command\r\n")
    }

    func testSetIsBinarySafe() {
        let h = CommandHarness()
        let value: [UInt8] = [0, 13, 10, 255, 0, 36]
        XCTAssertEqual(h.runBytes([Array("set".utf8), [0, 1], value]), Array(ok.utf8))
        XCTAssertEqual(h.runBytes([Array("get".utf8), [0, 1]]), Array("$6\r\n".utf8) + value + [13, 10])
    }

    func testGetCountsKeyspaceHitsAndMisses() {
        let h = CommandHarness()
        h.run(["set", "k", "v"])
        h.run(["get", "k"])
        h.run(["get", "nope"])
        h.run(["get", "k"])
        XCTAssertEqual(h.client.stats.keyspaceHits.load(ordering: .relaxed), 2)
        XCTAssertEqual(h.client.stats.keyspaceMisses.load(ordering: .relaxed), 1)
        // Writes do not count.
        h.run(["set", "k", "w"])
        h.run(["incr", "n"])
        XCTAssertEqual(h.client.stats.keyspaceHits.load(ordering: .relaxed), 2)
        XCTAssertEqual(h.client.stats.keyspaceMisses.load(ordering: .relaxed), 1)
    }

    func testSetNXAndXX() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["set", "k", "v", "xx"]), null)
        XCTAssertEqual(h.run(["get", "k"]), null)
        XCTAssertEqual(h.run(["set", "k", "v", "NX"]), ok)
        XCTAssertEqual(h.run(["set", "k", "w", "nx"]), null)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["set", "k", "w", "Xx"]), ok)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nw\r\n")
        XCTAssertEqual(h.run(["set", "k", "v", "nx", "nx"]), null)
    }

    func testSetGet() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["set", "k", "v", "nx", "get"]), null)
        XCTAssertEqual(h.run(["set", "k", "v2", "nx", "get"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["set", "k", "v3", "xx", "get"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["get", "k"]), "$2\r\nv3\r\n")
        XCTAssertEqual(h.run(["set", "k", "v4", "get"]), "$2\r\nv3\r\n")
        XCTAssertEqual(h.run(["set", "n", "x", "xx", "get"]), null)
        XCTAssertEqual(h.run(["get", "n"]), null)
        XCTAssertEqual(h.run(["set", "g", "1", "get", "get", "nx", "nx"]), null)
        XCTAssertEqual(h.run(["set", "g", "2", "get", "ex", "10", "get"]), "$1\r\n1\r\n")
        // SET ... GET reads like GET: it counts a keyspace hit or miss.
        let h2 = CommandHarness()
        h2.run(["set", "k", "v", "get"])
        h2.run(["set", "k", "v", "get"])
        XCTAssertEqual(h2.client.stats.keyspaceHits.load(ordering: .relaxed), 1)
        XCTAssertEqual(h2.client.stats.keyspaceMisses.load(ordering: .relaxed), 1)
    }

    func testSetSyntaxErrors() {
        let h = CommandHarness()
        for argv in [["set", "k", "v", "nx", "xx"], ["set", "k", "v", "xx", "nx"],
                     ["set", "k", "v", "ex", "10", "px", "10"], ["set", "k", "v", "px", "10", "ex", "10"],
                     ["set", "k", "v", "ex", "10", "exat", "10"], ["set", "k", "v", "pxat", "10", "exat", "10"],
                     ["set", "k", "v", "ex", "10", "keepttl"], ["set", "k", "v", "keepttl", "ex", "10"],
                     ["set", "k", "v", "keepttl", "pxat", "10"], ["set", "k", "v", "ex"], ["set", "k", "v", "pxat"],
                     ["set", "k", "v", "foo"], ["set", "k", "v", "ex", "10", "foo"], ["set", "k", "v", "nxx"],
                     ["set", "k", "v", "persist"], ["set", "k", "v", "ex", "0", "nx", "xx"],
                     ["set", "k", "v", "nx", "ex", "abc", "xx"]] {
            XCTAssertEqual(h.run(argv), syntax, "\(argv)")
        }
        XCTAssertEqual(h.run(["get", "k"]), null)
    }

    func testSetOptionNamesStopAtNUL() {
        // Redis compares options as C strings.
        let h = CommandHarness()
        XCTAssertEqual(h.runBytes([Array("set".utf8), Array("k".utf8), Array("v".utf8), Array("nx\0junk".utf8)]),
                       Array(ok.utf8))
        XCTAssertEqual(h.run(["set", "k", "w", "nx"]), null)
    }

    func testSetExpireOptions() {
        let h = CommandHarness()
        let now: Int64 = 1_700_000_000_000
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "10"]), ok)
        h.clock.advance(by: 9_999)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
        h.clock.advance(by: 1)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n") // expired only when now > deadline
        h.clock.advance(by: 1)
        XCTAssertEqual(h.run(["get", "k"]), null)

        XCTAssertEqual(h.run(["set", "p", "v", "PX", "100"]), ok)
        h.clock.advance(by: 101)
        XCTAssertEqual(h.run(["get", "p"]), null)

        h.clock.set(now)
        XCTAssertEqual(h.run(["set", "a", "v", "exat", "\(now / 1000 + 5)"]), ok)
        XCTAssertEqual(h.run(["set", "b", "v", "pxat", "\(now + 5)"]), ok)
        h.clock.advance(by: 5)
        XCTAssertEqual(h.run(["get", "b"]), "$1\r\nv\r\n")
        h.clock.advance(by: 1)
        XCTAssertEqual(h.run(["get", "b"]), null)
        XCTAssertEqual(h.run(["get", "a"]), "$1\r\nv\r\n")
        h.clock.advance(by: 5_000)
        XCTAssertEqual(h.run(["get", "a"]), null)

        // Repeating an expiry option is allowed: the last one wins.
        h.clock.set(now)
        XCTAssertEqual(h.run(["set", "r", "v", "ex", "10", "ex", "20"]), ok)
        h.clock.advance(by: 15_000)
        XCTAssertEqual(h.run(["get", "r"]), "$1\r\nv\r\n")

        // A deadline in the past is accepted; the key is then gone.
        XCTAssertEqual(h.run(["set", "old", "v", "exat", "1"]), ok)
        XCTAssertEqual(h.run(["get", "old"]), null)
    }

    func testSetExpireErrors() {
        let h = CommandHarness()
        let invalid = invalidExpire("set")
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "0"]), invalid)
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "-1"]), invalid)
        XCTAssertEqual(h.run(["set", "k", "v", "px", "0"]), invalid)
        XCTAssertEqual(h.run(["set", "k", "v", "pxat", "0"]), invalid)
        XCTAssertEqual(h.run(["set", "k", "v", "exat", "-5"]), invalid)
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "abc"]), notInteger)
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "1.5"]), notInteger)
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "99999999999999999999"]), notInteger)
        XCTAssertEqual(h.run(["set", "k", "v", "px", "9223372036854775807"]), invalid)
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "9223372036854775"]), invalid)
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "9223372036854776"]), invalid)
        XCTAssertEqual(h.run(["set", "k", "v", "exat", "9223372036854776"]), invalid)
        XCTAssertEqual(h.run(["get", "k"]), null)
        XCTAssertEqual(h.run(["set", "k", "v", "exat", "9223372036854775"]), ok)
        XCTAssertEqual(h.run(["set", "k", "v", "pxat", "9223372036854775807"]), ok)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
        // The expiry is validated before GET looks at the key.
        XCTAssertEqual(h.run(["set", "k", "w", "ex", "0", "get"]), invalid)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
    }

    func testSetClearsOrKeepsTTL() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["set", "k", "v", "ex", "100"]), ok)
        XCTAssertEqual(h.run(["set", "k", "w", "keepttl"]), ok)
        h.clock.advance(by: 100_001)
        XCTAssertEqual(h.run(["get", "k"]), null)

        XCTAssertEqual(h.run(["set", "k", "v", "ex", "100"]), ok)
        XCTAssertEqual(h.run(["set", "k", "w"]), ok)
        h.clock.advance(by: 100_001)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nw\r\n")

        // KEEPTTL on a missing key: no TTL.
        XCTAssertEqual(h.run(["set", "m", "v", "KEEPTTL", "keepttl"]), ok)
        h.clock.advance(by: 1_000_000_000)
        XCTAssertEqual(h.run(["get", "m"]), "$1\r\nv\r\n")
    }

    // MARK: SETNX / SETEX / PSETEX / GETSET

    func testSetnx() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["setnx", "k", "v"]), ":1\r\n")
        XCTAssertEqual(h.run(["setnx", "k", "w"]), ":0\r\n")
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["setnx", "k"]), "-ERR wrong number of arguments for 'setnx' command\r\n")
    }

    func testSetexAndPsetex() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["setex", "k", "10", "v"]), ok)
        h.clock.advance(by: 10_000)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
        h.clock.advance(by: 1)
        XCTAssertEqual(h.run(["get", "k"]), null)
        XCTAssertEqual(h.run(["psetex", "k", "100", "v"]), ok)
        h.clock.advance(by: 101)
        XCTAssertEqual(h.run(["get", "k"]), null)

        XCTAssertEqual(h.run(["setex", "k", "0", "v"]), invalidExpire("setex"))
        XCTAssertEqual(h.run(["setex", "k", "-1", "v"]), invalidExpire("setex"))
        XCTAssertEqual(h.run(["setex", "k", "9223372036854775", "v"]), invalidExpire("setex"))
        XCTAssertEqual(h.run(["setex", "k", "abc", "v"]), notInteger)
        XCTAssertEqual(h.run(["psetex", "k", "0", "v"]), invalidExpire("psetex"))
        XCTAssertEqual(h.run(["psetex", "k", "9223372036854775807", "v"]), invalidExpire("psetex"))
        XCTAssertEqual(h.run(["PSETEX", "k", "x", "v"]), notInteger)
        XCTAssertEqual(h.run(["get", "k"]), null)
        XCTAssertEqual(h.run(["setex", "k", "10"]), "-ERR wrong number of arguments for 'setex' command\r\n")
    }

    func testGetset() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["getset", "g", "x"]), null)
        XCTAssertEqual(h.run(["getset", "g", "y"]), "$1\r\nx\r\n")
        XCTAssertEqual(h.run(["get", "g"]), "$1\r\ny\r\n")
        // GETSET clears the TTL.
        h.run(["set", "t", "a", "px", "10"])
        XCTAssertEqual(h.run(["getset", "t", "b"]), "$1\r\na\r\n")
        h.clock.advance(by: 11)
        XCTAssertEqual(h.run(["get", "t"]), "$1\r\nb\r\n")
    }

    // MARK: GETEX / GETDEL

    func testGetexOptions() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["getex", "missing"]), null)
        XCTAssertEqual(h.run(["getex", "missing", "ex", "0"]), null) // expiry checked only for a live key
        XCTAssertEqual(h.run(["set", "k", "v"]), ok)
        XCTAssertEqual(h.run(["getex", "k"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["getex", "k", "ex", "10"]), "$1\r\nv\r\n")
        h.clock.advance(by: 10_001)
        XCTAssertEqual(h.run(["get", "k"]), null)

        h.run(["set", "k", "v"])
        XCTAssertEqual(h.run(["getex", "k", "px", "50", "PX", "100"]), "$1\r\nv\r\n")
        h.clock.advance(by: 60)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["getex", "k", "persist", "persist"]), "$1\r\nv\r\n")
        h.clock.advance(by: 1_000)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")

        let now = h.clock.nowMilliseconds()
        XCTAssertEqual(h.run(["getex", "k", "pxat", "\(now + 10)"]), "$1\r\nv\r\n")
        h.clock.advance(by: 11)
        XCTAssertEqual(h.run(["get", "k"]), null)

        h.run(["set", "k", "v"])
        XCTAssertEqual(h.run(["getex", "k", "exat", "\((now + 5_000) / 1000 + 1)"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")

        // An absolute deadline already reached deletes the key (now included, unlike lazy expiry).
        XCTAssertEqual(h.run(["getex", "k", "pxat", "\(h.clock.nowMilliseconds())"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["get", "k"]), null)
        h.run(["set", "k", "v"])
        XCTAssertEqual(h.run(["getex", "k", "exat", "1"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["getex", "k"]), null)
    }

    func testGetexErrors() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["getex", "missing", "foo"]), syntax)
        h.run(["set", "k", "v"])
        for argv in [["getex", "k", "ex", "10", "persist"], ["getex", "k", "persist", "ex", "10"],
                     ["getex", "k", "keepttl"], ["getex", "k", "nx"], ["getex", "k", "xx"], ["getex", "k", "get"],
                     ["getex", "k", "ex"], ["getex", "k", "ex", "1", "px", "1"], ["getex", "k", "exat", "1", "pxat", "1"]] {
            XCTAssertEqual(h.run(argv), syntax, "\(argv)")
        }
        XCTAssertEqual(h.run(["getex", "k", "ex", "0"]), invalidExpire("getex"))
        XCTAssertEqual(h.run(["getex", "k", "pxat", "-1"]), invalidExpire("getex"))
        XCTAssertEqual(h.run(["getex", "k", "px", "9223372036854775807"]), invalidExpire("getex"))
        XCTAssertEqual(h.run(["getex", "k", "ex", "x"]), notInteger)
        XCTAssertEqual(h.run(["getex"]), "-ERR wrong number of arguments for 'getex' command\r\n")
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
    }

    func testGetdel() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["getdel", "k"]), null)
        h.run(["set", "k", "v"])
        XCTAssertEqual(h.run(["getdel", "k"]), "$1\r\nv\r\n")
        XCTAssertEqual(h.run(["getdel", "k"]), null)
        XCTAssertEqual(h.run(["get", "k"]), null)
        XCTAssertEqual(h.client.stats.keyspaceHits.load(ordering: .relaxed), 1)
        XCTAssertEqual(h.client.stats.keyspaceMisses.load(ordering: .relaxed), 3)
    }

    // MARK: MGET / MSET / MSETNX

    func testMgetAndMset() {
        let h = CommandHarness(shardCount: 8)
        XCTAssertEqual(h.run(["mset", "a", "1", "b", "2", "c", "3", "a", "4"]), ok)
        XCTAssertEqual(h.run(["mget", "a", "missing", "b", "c", "a"]),
                       "*5\r\n$1\r\n4\r\n$-1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n")
        XCTAssertEqual(h.client.stats.keyspaceHits.load(ordering: .relaxed), 4)
        XCTAssertEqual(h.client.stats.keyspaceMisses.load(ordering: .relaxed), 1)
        XCTAssertEqual(h.run(["mget", "zz"]), "*1\r\n$-1\r\n")
        XCTAssertEqual(h.run(["mset", "a", "1", "b"]), "-ERR wrong number of arguments for 'mset' command\r\n")
        XCTAssertEqual(h.run(["mset", "a"]), "-ERR wrong number of arguments for 'mset' command\r\n")
        XCTAssertEqual(h.run(["mget"]), "-ERR wrong number of arguments for 'mget' command\r\n")
    }

    func testMsetClearsTTL() {
        let h = CommandHarness()
        h.run(["set", "a", "v", "px", "10"])
        XCTAssertEqual(h.run(["mset", "a", "w"]), ok)
        h.clock.advance(by: 20)
        XCTAssertEqual(h.run(["get", "a"]), "$1\r\nw\r\n")
    }

    func testMsetManyKeysAcrossShards() {
        let h = CommandHarness(shardCount: 128)
        var argv = ["mset"]
        for i in 0..<300 { argv += ["key:\(i)", "value:\(i)"] }
        XCTAssertEqual(h.run(argv), ok)
        let reply = h.run(["mget"] + (0..<300).map { "key:\($0)" })
        XCTAssertEqual(reply, "*300\r\n" + (0..<300).map { bulk("value:\($0)") }.joined())
    }

    func testMsetnx() {
        let h = CommandHarness(shardCount: 8)
        h.run(["set", "a", "1"])
        XCTAssertEqual(h.run(["msetnx", "a", "1", "c", "3"]), ":0\r\n")
        XCTAssertEqual(h.run(["get", "c"]), null)
        XCTAssertEqual(h.run(["msetnx", "c", "3", "d", "4", "c", "5"]), ":1\r\n")
        XCTAssertEqual(h.run(["mget", "c", "d"]), "*2\r\n$1\r\n5\r\n$1\r\n4\r\n")
        XCTAssertEqual(h.run(["msetnx", "e", "1", "f"]), "-ERR wrong number of arguments for 'msetnx' command\r\n")
        // An expired key counts as missing.
        h.run(["set", "x", "1", "px", "5"])
        h.clock.advance(by: 6)
        XCTAssertEqual(h.run(["msetnx", "x", "2"]), ":1\r\n")
        XCTAssertEqual(h.run(["get", "x"]), "$1\r\n2\r\n")
    }

    // MARK: APPEND / STRLEN

    func testAppendAndStrlen() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["strlen", "k"]), ":0\r\n")
        XCTAssertEqual(h.run(["append", "k", "hello"]), ":5\r\n")
        XCTAssertEqual(h.run(["append", "k", " world"]), ":11\r\n")
        XCTAssertEqual(h.run(["get", "k"]), bulk("hello world"))
        XCTAssertEqual(h.run(["strlen", "k"]), ":11\r\n")
        XCTAssertEqual(h.run(["append", "k", ""]), ":11\r\n")
        // APPEND of "" to a missing key creates an empty string.
        XCTAssertEqual(h.run(["append", "new", ""]), ":0\r\n")
        XCTAssertEqual(h.run(["get", "new"]), "$0\r\n\r\n")
        XCTAssertEqual(h.run(["getex", "new"]), "$0\r\n\r\n")
        // Growing across allocation sizes keeps the content.
        var expected = ""
        for i in 0..<200 {
            let piece = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: i % 37)
            expected += piece
            XCTAssertEqual(h.run(["append", "big", piece]), ":\(expected.utf8.count)\r\n")
        }
        XCTAssertEqual(h.run(["get", "big"]), bulk(expected))
    }

    func testAppendKeepsTTL() {
        let h = CommandHarness()
        h.run(["set", "k", "v", "px", "100"])
        XCTAssertEqual(h.run(["append", "k", String(repeating: "x", count: 1000)]), ":1001\r\n")
        h.clock.advance(by: 101)
        XCTAssertEqual(h.run(["get", "k"]), null)
        XCTAssertEqual(h.run(["append", "k", "a"]), ":1\r\n")
    }

    // MARK: GETRANGE / SETRANGE

    func testGetrange() {
        let h = CommandHarness()
        h.run(["set", "s", "hello"])
        let cases: [(String, String, String)] = [
            ("0", "-100", "h"), ("-1", "-5", ""), ("-100", "-1", "hello"), ("2", "1", ""), ("0", "100", "hello"),
            ("-3", "-2", "ll"), ("1", "-1", "ello"), ("5", "10", ""), ("4", "4", "o"), ("0", "0", "h"),
            ("0", "9223372036854775807", "hello"), ("-9223372036854775808", "-1", "hello"),
            ("-9223372036854775808", "-9223372036854775808", "h"), ("3", "-100", ""),
        ]
        for (start, end, expected) in cases {
            XCTAssertEqual(h.run(["getrange", "s", start, end]), bulk(expected), "\(start) \(end)")
        }
        XCTAssertEqual(h.run(["substr", "s", "1", "2"]), bulk("el"))
        XCTAssertEqual(h.run(["getrange", "missing", "0", "-1"]), "$0\r\n\r\n")
        XCTAssertEqual(h.run(["getrange", "missing", "a", "1"]), notInteger)
        XCTAssertEqual(h.run(["getrange", "s", "0", "9223372036854775808"]), notInteger)
        XCTAssertEqual(h.run(["getrange", "s", "0", " 1"]), notInteger)
        h.run(["set", "e", ""])
        XCTAssertEqual(h.run(["getrange", "e", "0", "-1"]), "$0\r\n\r\n")
        XCTAssertEqual(h.run(["getrange", "e", "0", "0"]), "$0\r\n\r\n")
        XCTAssertEqual(h.run(["getrange", "e", "-1", "0"]), "$0\r\n\r\n")
        XCTAssertEqual(h.run(["getrange", "s", "0"]), "-ERR wrong number of arguments for 'getrange' command\r\n")
    }

    func testSetrange() {
        let h = CommandHarness()
        h.run(["set", "s", "hello"])
        XCTAssertEqual(h.run(["setrange", "s", "1", "EL"]), ":5\r\n")
        XCTAssertEqual(h.run(["get", "s"]), bulk("hELlo"))
        XCTAssertEqual(h.run(["setrange", "s", "7", "X"]), ":8\r\n")
        XCTAssertEqual(h.run(["get", "s"]), "$8\r\nhELlo\0\0X\r\n")
        XCTAssertEqual(h.run(["setrange", "s", "3", "long tail"]), ":12\r\n")
        XCTAssertEqual(h.run(["get", "s"]), bulk("hELlong tail"))
        XCTAssertEqual(h.run(["setrange", "n", "3", "ab"]), ":5\r\n")
        XCTAssertEqual(h.run(["get", "n"]), "$5\r\n\0\0\0ab\r\n")
        XCTAssertEqual(h.run(["setrange", "z", "0", "abc"]), ":3\r\n")
        XCTAssertEqual(h.run(["get", "z"]), bulk("abc"))
    }

    func testSetrangeEdgeCases() {
        let h = CommandHarness()
        let tooLong = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
        // Empty value on a missing key: 0, nothing created (even with a huge offset).
        XCTAssertEqual(h.run(["setrange", "m", "0", ""]), ":0\r\n")
        XCTAssertEqual(h.run(["setrange", "m", "536870912", ""]), ":0\r\n")
        XCTAssertEqual(h.run(["get", "m"]), null)
        XCTAssertEqual(h.run(["setrange", "m", "-1", ""]), "-ERR offset is out of range\r\n")
        XCTAssertEqual(h.run(["setrange", "m", "-1", "x"]), "-ERR offset is out of range\r\n")
        XCTAssertEqual(h.run(["setrange", "m", "abc", "x"]), notInteger)
        XCTAssertEqual(h.run(["setrange", "m", "536870912", "x"]), tooLong)
        XCTAssertEqual(h.run(["setrange", "m", "536870911", "xy"]), tooLong)
        XCTAssertEqual(h.run(["setrange", "m", "9223372036854775807", "x"]), tooLong)
        XCTAssertEqual(h.run(["get", "m"]), null)
        h.run(["set", "s", "hello"])
        XCTAssertEqual(h.run(["setrange", "s", "536870912", ""]), ":5\r\n")
        XCTAssertEqual(h.run(["setrange", "s", "9223372036854775807", ""]), ":5\r\n")
        XCTAssertEqual(h.run(["setrange", "s", "536870912", "x"]), tooLong)
        XCTAssertEqual(h.run(["get", "s"]), bulk("hello"))
    }

    func testSetrangeKeepsTTL() {
        let h = CommandHarness()
        h.run(["set", "k", "v", "px", "100"])
        XCTAssertEqual(h.run(["setrange", "k", "100", "x"]), ":101\r\n")
        h.clock.advance(by: 101)
        XCTAssertEqual(h.run(["get", "k"]), null)
    }

    // MARK: Table

    func testCommandTableEntries() {
        let table = CommandTable.shared
        func command(_ name: String) -> Command? {
            Array(name.utf8).withUnsafeBytes { table.lookup($0) }
        }
        let expected: [(String, Int, String, Int, Int, Int)] = [
            ("get", 2, "1.0.0", 1, 1, 1), ("set", -3, "1.0.0", 1, 1, 1), ("setnx", 3, "1.0.0", 1, 1, 1),
            ("setex", 4, "2.0.0", 1, 1, 1), ("psetex", 4, "2.6.0", 1, 1, 1), ("getset", 3, "1.0.0", 1, 1, 1),
            ("getex", -2, "6.2.0", 1, 1, 1), ("getdel", 2, "6.2.0", 1, 1, 1), ("mget", -2, "1.0.0", 1, -1, 1),
            ("mset", -3, "1.0.1", 1, -1, 2), ("msetnx", -3, "1.0.1", 1, -1, 2), ("append", 3, "2.0.0", 1, 1, 1),
            ("strlen", 2, "2.2.0", 1, 1, 1), ("getrange", 4, "2.4.0", 1, 1, 1), ("substr", 4, "1.0.0", 1, 1, 1),
            ("setrange", 4, "2.2.0", 1, 1, 1), ("incr", 2, "1.0.0", 1, 1, 1), ("decr", 2, "1.0.0", 1, 1, 1),
            ("incrby", 3, "1.0.0", 1, 1, 1), ("decrby", 3, "1.0.0", 1, 1, 1), ("incrbyfloat", 3, "2.6.0", 1, 1, 1),
        ]
        for (name, arity, since, first, last, step) in expected {
            guard let c = command(name) else { XCTFail("missing \(name)"); continue }
            XCTAssertEqual(c.arity, arity, name)
            XCTAssertEqual(c.since.description, since, name)
            XCTAssertEqual(c.group.description, "string", name)
            XCTAssertEqual([c.keys.first, c.keys.last, c.keys.step], [first, last, step], name)
            XCTAssertTrue(c.categories.contains(.string), name)
        }
        XCTAssertEqual(command("get")?.flags, [.readonly, .fast])
        XCTAssertEqual(command("set")?.flags, [.write, .denyOOM])
        XCTAssertEqual(command("set")?.categories, [.write, .string, .slow])
        XCTAssertEqual(command("getex")?.flags, [.write, .fast])
        XCTAssertEqual(command("getrange")?.categories, [.read, .string, .slow])
        XCTAssertEqual(command("incrbyfloat")?.categories, [.write, .string, .fast])
    }
}
