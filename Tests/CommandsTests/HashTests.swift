import Commands
import Keyspace
import XCTest

/// Hash commands. Expected bytes in the generated-style tests were taken from redis-server 7.0.15
/// (small hashes are listpacks in both servers, so field order is insertion order and comparable).
final class HashTests: XCTestCase {
    let wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

    func testHashBasics() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["hset", "h", "f1", "v1", "f2", "v2"]), ":2\r\n")
        XCTAssertEqual(h.run(["hset", "h", "f1", "x", "f3", "v3"]), ":1\r\n")
        XCTAssertEqual(h.run(["hset", "h", "a"]), "-ERR wrong number of arguments for 'hset' command\r\n")
        XCTAssertEqual(h.run(["hmset", "h", "a", "b"]), "+OK\r\n")
        XCTAssertEqual(h.run(["hmset", "h", "a"]), "-ERR wrong number of arguments for 'hmset' command\r\n")
        XCTAssertEqual(h.run(["hget", "h", "f1"]), "$1\r\nx\r\n")
        XCTAssertEqual(h.run(["hget", "h", "nope"]), "$-1\r\n")
        XCTAssertEqual(h.run(["hget", "nokey", "f"]), "$-1\r\n")
        XCTAssertEqual(h.run(["hmget", "h", "f1", "nope", "f3"]), "*3\r\n$1\r\nx\r\n$-1\r\n$2\r\nv3\r\n")
        XCTAssertEqual(h.run(["hmget", "nokey", "a", "b"]), "*2\r\n$-1\r\n$-1\r\n")
        XCTAssertEqual(h.run(["hgetall", "h"]), "*8\r\n$2\r\nf1\r\n$1\r\nx\r\n$2\r\nf2\r\n$2\r\nv2\r\n$2\r\nf3\r\n$2\r\nv3\r\n$1\r\na\r\n$1\r\nb\r\n")
        XCTAssertEqual(h.run(["hkeys", "h"]), "*4\r\n$2\r\nf1\r\n$2\r\nf2\r\n$2\r\nf3\r\n$1\r\na\r\n")
        XCTAssertEqual(h.run(["hvals", "h"]), "*4\r\n$1\r\nx\r\n$2\r\nv2\r\n$2\r\nv3\r\n$1\r\nb\r\n")
        XCTAssertEqual(h.run(["hlen", "h"]), ":4\r\n")
        XCTAssertEqual(h.run(["hlen", "nokey"]), ":0\r\n")
        XCTAssertEqual(h.run(["hexists", "h", "f2"]), ":1\r\n")
        XCTAssertEqual(h.run(["hexists", "h", "nope"]), ":0\r\n")
        XCTAssertEqual(h.run(["hstrlen", "h", "f3"]), ":2\r\n")
        XCTAssertEqual(h.run(["hstrlen", "h", "nope"]), ":0\r\n")
        XCTAssertEqual(h.run(["hsetnx", "h", "f1", "y"]), ":0\r\n")
        XCTAssertEqual(h.run(["hsetnx", "h", "f9", "y"]), ":1\r\n")
        XCTAssertEqual(h.run(["hdel", "h", "f1", "nope", "f2"]), ":2\r\n")
        XCTAssertEqual(h.run(["hgetall", "h"]), "*6\r\n$2\r\nf3\r\n$2\r\nv3\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nf9\r\n$1\r\ny\r\n")
        XCTAssertEqual(h.run(["hdel", "h", "a", "f3", "f9"]), ":3\r\n")
        XCTAssertEqual(h.run(["exists", "h"]), ":0\r\n")
        XCTAssertEqual(h.run(["hdel", "nokey", "a"]), ":0\r\n")
        XCTAssertEqual(h.run(["hgetall", "nokey"]), "*0\r\n")
        XCTAssertEqual(h.run(["hkeys", "nokey"]), "*0\r\n")
        XCTAssertEqual(h.run(["set", "s", "x"]), "+OK\r\n")
        XCTAssertEqual(h.run(["hset", "s", "a", "b"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hget", "s", "a"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hgetall", "s"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hdel", "s", "a"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hlen", "s"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hmget", "s", "a"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hsetnx", "s", "a", "b"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hstrlen", "s", "a"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hexists", "s", "a"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hincrby", "s", "a", "1"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hscan", "s", "0"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["hrandfield", "s"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["type", "s"]), "+string\r\n")
        XCTAssertEqual(h.run(["hset", "h2", "a", "1"]), ":1\r\n")
        XCTAssertEqual(h.run(["type", "h2"]), "+hash\r\n")
        XCTAssertEqual(h.run(["get", "h2"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        XCTAssertEqual(h.run(["append", "h2", "x"]), "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["hgetall", "h2"]), "%1\r\n$1\r\na\r\n$1\r\n1\r\n")
        XCTAssertEqual(h.run(["hgetall", "nokey"]), "%0\r\n")
        XCTAssertEqual(h.run(["hkeys", "h2"]), "*1\r\n$1\r\na\r\n")
    }

    func testHashNumericRandomAndScan() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["hincrby", "h", "n", "5"]), ":5\r\n")
        XCTAssertEqual(h.run(["hincrby", "h", "n", "-7"]), ":-2\r\n")
        XCTAssertEqual(h.run(["hincrby", "h", "n", "abc"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["hset", "h", "s", "xx"]), ":1\r\n")
        XCTAssertEqual(h.run(["hincrby", "h", "s", "1"]), "-ERR hash value is not an integer\r\n")
        XCTAssertEqual(h.run(["hincrby", "h", "n", "9223372036854775807"]), ":9223372036854775805\r\n")
        XCTAssertEqual(h.run(["hset", "h", "big", "9223372036854775807"]), ":1\r\n")
        XCTAssertEqual(h.run(["hincrby", "h", "big", "1"]), "-ERR increment or decrement would overflow\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "f", "10.5"]), "$4\r\n10.5\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "f", "0.1"]), "$4\r\n10.6\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "f", "abc"]), "-ERR value is not a valid float\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "f", "inf"]), "-ERR value is NaN or Infinity\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "f", "nan"]), "-ERR value is not a valid float\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "s", "1"]), "-ERR hash value is not a float\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "n", "1e3"]), "$19\r\n9223372036854776805\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "f", "5.0e3"]), "$22\r\n5010.60000000000000009\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "h", "f", "1e5000"]), "-ERR value is not a valid float\r\n")
        XCTAssertEqual(h.run(["hget", "h", "f"]), "$22\r\n5010.60000000000000009\r\n")
        XCTAssertEqual(h.run(["hincrbyfloat", "nokey2", "f", "-1.5"]), "$4\r\n-1.5\r\n")
        XCTAssertEqual(h.run(["hgetall", "nokey2"]), "*2\r\n$1\r\nf\r\n$4\r\n-1.5\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "abc"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "abc", "foo"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "1", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "1", "withvalues", "x"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "-9223372036854775808", "withvalues"]), "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "-4611686018427387904", "withvalues"]), "-ERR value is out of range\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "0"]), "*0\r\n")
        XCTAssertEqual(h.run(["hrandfield", "nokey"]), "$-1\r\n")
        XCTAssertEqual(h.run(["hrandfield", "nokey", "3"]), "*0\r\n")
        XCTAssertEqual(h.run(["hrandfield", "nokey", "-3", "withvalues"]), "*0\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "100"]), "*4\r\n$1\r\nn\r\n$1\r\ns\r\n$3\r\nbig\r\n$1\r\nf\r\n")
        XCTAssertEqual(h.run(["hrandfield", "h", "100", "withvalues"]), "*8\r\n$1\r\nn\r\n$19\r\n9223372036854776805\r\n$1\r\ns\r\n$2\r\nxx\r\n$3\r\nbig\r\n$19\r\n9223372036854775807\r\n$1\r\nf\r\n$22\r\n5010.60000000000000009\r\n")
        XCTAssertEqual(h.run(["hscan", "h", "0"]), "*2\r\n$1\r\n0\r\n*8\r\n$1\r\nn\r\n$19\r\n9223372036854776805\r\n$1\r\ns\r\n$2\r\nxx\r\n$3\r\nbig\r\n$19\r\n9223372036854775807\r\n$1\r\nf\r\n$22\r\n5010.60000000000000009\r\n")
        XCTAssertEqual(h.run(["hscan", "h", "0", "match", "f*"]), "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$22\r\n5010.60000000000000009\r\n")
        XCTAssertEqual(h.run(["hscan", "h", "0", "count", "0"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["hscan", "h", "0", "count", "x"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["hscan", "h", "0", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["hscan", "h", "0", "match"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["hscan", "h", "x"]), "-ERR invalid cursor\r\n")
        XCTAssertEqual(h.run(["hscan", "nokey", "0"]), "*2\r\n$1\r\n0\r\n*0\r\n")
        XCTAssertEqual(h.run(["hscan", "nokey", "0", "count", "0"]), "*2\r\n$1\r\n0\r\n*0\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["hrandfield", "h", "100", "withvalues"]), "*4\r\n*2\r\n$1\r\nn\r\n$19\r\n9223372036854776805\r\n*2\r\n$1\r\ns\r\n$2\r\nxx\r\n*2\r\n$3\r\nbig\r\n$19\r\n9223372036854775807\r\n*2\r\n$1\r\nf\r\n$22\r\n5010.60000000000000009\r\n")
        XCTAssertEqual(h.run(["hrandfield", "nokey"]), "_\r\n")
    }

    // MARK: Encodings

    func testListpackConvertsToHashtableAt129Fields() {
        let h = CommandHarness()
        for i in 1...128 { h.run(["hset", "h", "f\(i)", "v\(i)"]) }
        XCTAssertEqual(h.run(["object", "encoding", "h"]), "$8\r\nlistpack\r\n")
        XCTAssertEqual(h.run(["hset", "h", "f129", "v129"]), ":1\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "h"]), "$9\r\nhashtable\r\n")
        XCTAssertEqual(h.run(["hlen", "h"]), ":129\r\n")
        for i in 1...129 { XCTAssertEqual(h.run(["hget", "h", "f\(i)"]), "$\("v\(i)".utf8.count)\r\nv\(i)\r\n") }
        // Deleting does not convert back (Redis neither).
        for i in 1...100 { h.run(["hdel", "h", "f\(i)"]) }
        XCTAssertEqual(h.run(["object", "encoding", "h"]), "$9\r\nhashtable\r\n")
        let keys = KeysReply.parse(h.run(["hkeys", "h"])).strings.sorted()
        XCTAssertEqual(keys, (101...129).map { "f\($0)" }.sorted())
        XCTAssertEqual(h.run(["hdel", "h"] + (101...129).map { "f\($0)" }), ":29\r\n")
        XCTAssertEqual(h.run(["exists", "h"]), ":0\r\n")
    }

    func testListpackConvertsOnLongFieldOrValue() {
        let h = CommandHarness()
        let v64 = String(repeating: "v", count: 64)
        let v65 = String(repeating: "v", count: 65)
        h.run(["hset", "h", "a", v64])
        XCTAssertEqual(h.run(["object", "encoding", "h"]), "$8\r\nlistpack\r\n")
        h.run(["hset", "h", "b", v65])
        XCTAssertEqual(h.run(["object", "encoding", "h"]), "$9\r\nhashtable\r\n")
        XCTAssertEqual(h.run(["hget", "h", "a"]), "$64\r\n\(v64)\r\n")
        XCTAssertEqual(h.run(["hget", "h", "b"]), "$65\r\n\(v65)\r\n")
        h.run(["hset", "k", v65, "x"])
        XCTAssertEqual(h.run(["object", "encoding", "k"]), "$9\r\nhashtable\r\n")
        XCTAssertEqual(h.run(["hstrlen", "k", v65]), ":1\r\n")
    }

    func testListpackValuesGrowAndShrinkInPlace() {
        let h = CommandHarness()
        h.run(["hset", "h", "a", "1", "b", "2", "c", "3"])
        h.run(["hset", "h", "b", String(repeating: "x", count: 60)])
        h.run(["hset", "h", "b", ""])
        XCTAssertEqual(h.run(["hgetall", "h"]), "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$0\r\n\r\n$1\r\nc\r\n$1\r\n3\r\n")
        XCTAssertEqual(h.run(["hdel", "h", "a"]), ":1\r\n")
        XCTAssertEqual(h.run(["hgetall", "h"]), "*4\r\n$1\r\nb\r\n$0\r\n\r\n$1\r\nc\r\n$1\r\n3\r\n")
    }

    func testHscanWalksAHashtableWithCursors() {
        let h = CommandHarness()
        for i in 0..<1000 { h.run(["hset", "h", "field:\(i)", "\(i)"]) }
        var cursor = "0"
        var seen: [String: String] = [:]
        var calls = 0
        repeat {
            let reply = KeysReply.parse(h.run(["hscan", "h", cursor, "count", "50"]))
            guard case .array(let parts?) = reply, case .bulk(let next?) = parts[0] else { return XCTFail("bad reply") }
            let items = parts[1].strings
            XCTAssertEqual(items.count % 2, 0)
            for i in stride(from: 0, to: items.count, by: 2) { seen[items[i]] = items[i + 1] }
            cursor = next
            calls += 1
            // Cursor iteration must survive resizes (deleting shrinks the table).
            if calls == 3 { for i in 900..<1000 { h.run(["hdel", "h", "field:\(i)"]) } }
        } while cursor != "0"
        XCTAssertGreaterThan(calls, 5)
        for i in 0..<900 { XCTAssertEqual(seen["field:\(i)"], "\(i)") }
        let matched = KeysReply.parse(h.run(["hscan", "h", "0", "match", "field:1?", "count", "100000"]))
        guard case .array(let parts?) = matched else { return XCTFail("bad reply") }
        XCTAssertEqual(parts[1].strings.count, 20)
    }

    func testHrandfieldSamples() {
        let h = CommandHarness()
        h.run(["hset", "h", "a", "1", "b", "2", "c", "3", "d", "4"])
        for count in 1...4 {
            let fields = KeysReply.parse(h.run(["hrandfield", "h", "\(count)"])).strings
            XCTAssertEqual(fields.count, count)
            XCTAssertEqual(Set(fields).count, count)
        }
        let repeated = KeysReply.parse(h.run(["hrandfield", "h", "-10", "withvalues"])).strings
        XCTAssertEqual(repeated.count, 20)
        for i in stride(from: 0, to: 20, by: 2) {
            XCTAssertEqual(["a": "1", "b": "2", "c": "3", "d": "4"][repeated[i]], repeated[i + 1])
        }
        XCTAssertTrue(["$1\r\na\r\n", "$1\r\nb\r\n", "$1\r\nc\r\n", "$1\r\nd\r\n"].contains(h.run(["hrandfield", "h"])))
        for i in 0..<200 { h.run(["hset", "big", "f\(i)", "v"]) }
        XCTAssertEqual(Set(KeysReply.parse(h.run(["hrandfield", "big", "150"])).strings).count, 150)
        XCTAssertEqual(KeysReply.parse(h.run(["hrandfield", "big", "-300"])).strings.count, 300)
    }

    // MARK: Memory

    func testMemoryAccountingFollowsHashes() {
        let h = CommandHarness()
        let keyspace = h.context.keyspace
        let empty = keyspace.memoryBytes
        h.run(["hset", "small", "a", "1", "b", "2"])
        let afterSmall = keyspace.memoryBytes
        XCTAssertGreaterThan(afterSmall, empty)
        for i in 0..<500 { h.run(["hset", "big", "field:\(i)", String(repeating: "v", count: 100)]) }
        let afterBig = keyspace.memoryBytes
        // 500 values of 100 bytes: the hashtable object is counted, not just the entry.
        XCTAssertGreaterThan(afterBig - afterSmall, 500 * 100)
        let usage = Int(h.run(["memory", "usage", "big"]).dropFirst().dropLast(1))! // "\r\n" is one Character
        XCTAssertGreaterThan(usage, 500 * 100)
        XCTAssertEqual(h.run(["del", "big"]), ":1\r\n")
        XCTAssertLessThan(keyspace.memoryBytes - afterSmall, 4096)
        h.run(["set", "small", "x"]) // replacing a hash by a string frees it too
        for i in 0..<300 { h.run(["hset", "gone", "f\(i)", "v"]) }
        h.run(["set", "gone", "x"])
        h.run(["del", "gone", "small"])
        XCTAssertLessThan(keyspace.memoryBytes - empty, 4096)
    }

    func testExpiredHashIsFreed() {
        let h = CommandHarness()
        let keyspace = h.context.keyspace
        let empty = keyspace.memoryBytes
        for i in 0..<300 { h.run(["hset", "h", "f\(i)", "v"]) }
        h.run(["pexpire", "h", "100"])
        h.clock.advance(by: 200)
        XCTAssertEqual(h.run(["hlen", "h"]), ":0\r\n")
        XCTAssertLessThan(keyspace.memoryBytes - empty, 4096)
    }
}
