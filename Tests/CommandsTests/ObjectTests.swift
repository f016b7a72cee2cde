import Commands
import Keyspace
import XCTest

/// OBJECT, MEMORY USAGE, COPY, MOVE, RENAME of hashes and sets, SCAN TYPE. Expected bytes in the
/// generated-style test were taken from redis-server 7.0.15.
final class ObjectTests: XCTestCase {
    func testObjectCopyMoveRename() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["hset", "h", "a", "1"]), ":1\r\n")
        XCTAssertEqual(h.run(["sadd", "s", "1", "2"]), ":2\r\n")
        XCTAssertEqual(h.run(["sadd", "t", "x"]), ":1\r\n")
        XCTAssertEqual(h.run(["set", "n", "12345"]), "+OK\r\n")
        XCTAssertEqual(h.run(["set", "e", "hello"]), "+OK\r\n")
        XCTAssertEqual(h.run(["set", "r", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]), "+OK\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "h"]), "$8\r\nlistpack\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "s"]), "$6\r\nintset\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "t"]), "$9\r\nhashtable\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "n"]), "$3\r\nint\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "e"]), "$6\r\nembstr\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "r"]), "$3\r\nraw\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "nokey"]), "$-1\r\n")
        XCTAssertEqual(h.run(["object", "refcount", "h"]), ":1\r\n")
        XCTAssertEqual(h.run(["object", "refcount", "nokey"]), "$-1\r\n")
        XCTAssertEqual(h.run(["object", "freq", "h"]), "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n")
        XCTAssertEqual(h.run(["object", "freq", "nokey"]), "$-1\r\n")
        XCTAssertEqual(h.run(["object", "idletime", "nokey"]), "$-1\r\n")
        XCTAssertEqual(h.run(["object", "foo"]), "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n")
        XCTAssertEqual(h.run(["object"]), "-ERR wrong number of arguments for 'object' command\r\n")
        XCTAssertEqual(h.run(["object", "encoding"]), "-ERR wrong number of arguments for 'object|encoding' command\r\n")
        XCTAssertEqual(h.run(["object", "help"]), "*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+ENCODING <key>\r\n+    Return the kind of internal representation used in order to store the value\r\n+    associated with a <key>.\r\n+FREQ <key>\r\n+    Return the access frequency index of the <key>. The returned integer is\r\n+    proportional to the logarithm of the recent access frequency of the key.\r\n+IDLETIME <key>\r\n+    Return the idle time of the <key>, that is the approximated number of\r\n+    seconds elapsed since the last access to the key.\r\n+REFCOUNT <key>\r\n+    Return the number of references of the value associated with the specified\r\n+    <key>.\r\n+HELP\r\n+    Prints this help.\r\n")
        XCTAssertEqual(h.run(["memory", "usage", "nokey"]), "$-1\r\n")
        XCTAssertEqual(h.run(["memory", "usage", "h", "samples", "x"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["memory", "usage", "h", "samples", "-1"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["memory", "usage", "h", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["memory", "usage", "h", "samples"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["memory", "foo"]), "-ERR unknown subcommand 'foo'. Try MEMORY HELP.\r\n")
        XCTAssertEqual(h.run(["memory", "usage"]), "-ERR wrong number of arguments for 'memory|usage' command\r\n")
        XCTAssertEqual(h.run(["memory", "help"]), "*14\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+DOCTOR\r\n+    Return memory problems reports.\r\n+MALLOC-STATS\r\n+    Return internal statistics report from the memory allocator.\r\n+PURGE\r\n+    Attempt to purge dirty pages for reclamation by the allocator.\r\n+STATS\r\n+    Return information about the memory usage of the server.\r\n+USAGE <key> [SAMPLES <count>]\r\n+    Return memory in bytes used by <key> and its value. Nested values are\r\n+    sampled up to <count> times (default: 5, 0 means sample all).\r\n+HELP\r\n+    Prints this help.\r\n")
        XCTAssertEqual(h.run(["rename", "h", "h2"]), "+OK\r\n")
        XCTAssertEqual(h.run(["hgetall", "h2"]), "*2\r\n$1\r\na\r\n$1\r\n1\r\n")
        XCTAssertEqual(h.run(["exists", "h"]), ":0\r\n")
        XCTAssertEqual(h.run(["rename", "s", "s2"]), "+OK\r\n")
        XCTAssertEqual(h.run(["smembers", "s2"]), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n")
        XCTAssertEqual(h.run(["renamenx", "t", "s2"]), ":0\r\n")
        XCTAssertEqual(h.run(["renamenx", "t", "t2"]), ":1\r\n")
        XCTAssertEqual(h.run(["smembers", "t2"]), "*1\r\n$1\r\nx\r\n")
        XCTAssertEqual(h.run(["rename", "h2", "t2"]), "+OK\r\n")
        XCTAssertEqual(h.run(["type", "t2"]), "+hash\r\n")
        XCTAssertEqual(h.run(["hgetall", "t2"]), "*2\r\n$1\r\na\r\n$1\r\n1\r\n")
        XCTAssertEqual(h.run(["copy", "t2", "c"]), ":1\r\n")
        XCTAssertEqual(h.run(["hgetall", "c"]), "*2\r\n$1\r\na\r\n$1\r\n1\r\n")
        XCTAssertEqual(h.run(["copy", "t2", "c"]), ":0\r\n")
        XCTAssertEqual(h.run(["copy", "s2", "c", "replace"]), ":1\r\n")
        XCTAssertEqual(h.run(["smembers", "c"]), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n")
        XCTAssertEqual(h.run(["type", "c"]), "+set\r\n")
        XCTAssertEqual(h.run(["copy", "c", "c"]), "-ERR source and destination objects are the same\r\n")
        XCTAssertEqual(h.run(["copy", "c", "c", "db", "0"]), "-ERR source and destination objects are the same\r\n")
        XCTAssertEqual(h.run(["copy", "c", "x", "db", "99"]), "-ERR DB index is out of range\r\n")
        XCTAssertEqual(h.run(["copy", "c", "x", "db", "abc"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["copy", "c", "x", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["copy", "nokey", "x"]), ":0\r\n")
        XCTAssertEqual(h.run(["copy", "c", "x", "db", "1"]), ":1\r\n")
        XCTAssertEqual(h.run(["move", "x", "1"]), ":0\r\n")
        XCTAssertEqual(h.run(["move", "c", "1"]), ":1\r\n")
        XCTAssertEqual(h.run(["exists", "c"]), ":0\r\n")
        XCTAssertEqual(h.run(["move", "c", "1"]), ":0\r\n")
        XCTAssertEqual(h.run(["move", "nokey", "1"]), ":0\r\n")
        XCTAssertEqual(h.run(["move", "x", "0"]), "-ERR source and destination objects are the same\r\n")
        XCTAssertEqual(h.run(["move", "x", "99"]), "-ERR DB index is out of range\r\n")
        XCTAssertEqual(h.run(["move", "x", "abc"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["select", "1"]), "+OK\r\n")
        XCTAssertEqual(h.run(["smembers", "c"]), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n")
        XCTAssertEqual(h.run(["smembers", "x"]), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n")
        XCTAssertEqual(h.run(["type", "c"]), "+set\r\n")
    }

    func testObjectIdletimeAndMemoryUsage() {
        let h = CommandHarness()
        h.run(["hset", "h", "a", "1"])
        h.clock.advance(by: 5_000)
        XCTAssertEqual(h.run(["object", "idletime", "h"]), ":5\r\n")
        XCTAssertEqual(h.run(["object", "idletime", "h"]), ":5\r\n") // OBJECT does not touch
        h.run(["hget", "h", "a"])
        XCTAssertEqual(h.run(["object", "idletime", "h"]), ":0\r\n")
        XCTAssertTrue(h.run(["memory", "usage", "h"]).hasPrefix(":"))
        XCTAssertTrue(h.run(["memory", "usage", "h", "samples", "0"]).hasPrefix(":"))
    }

    func testRenameCopyMoveKeepTTLAndHashtables() {
        let h = CommandHarness(shardCount: 8)
        for i in 0..<200 { h.run(["hset", "h", "f\(i)", "v\(i)"]) }
        h.run(["pexpire", "h", "10000"])
        XCTAssertEqual(h.run(["rename", "h", "h2"]), "+OK\r\n")
        XCTAssertEqual(h.run(["pttl", "h2"]), ":10000\r\n")
        XCTAssertEqual(h.run(["object", "encoding", "h2"]), "$9\r\nhashtable\r\n")
        XCTAssertEqual(h.run(["copy", "h2", "h3"]), ":1\r\n")
        XCTAssertEqual(h.run(["pttl", "h3"]), ":10000\r\n")
        XCTAssertEqual(h.run(["hdel", "h3", "f0"]), ":1\r\n")
        XCTAssertEqual(h.run(["hlen", "h2"]), ":200\r\n") // a deep copy
        XCTAssertEqual(h.run(["hlen", "h3"]), ":199\r\n")
        XCTAssertEqual(h.run(["move", "h3", "1"]), ":1\r\n")
        h.run(["select", "1"])
        XCTAssertEqual(h.run(["hget", "h3", "f199"]), "$4\r\nv199\r\n")
        XCTAssertEqual(h.run(["pttl", "h3"]), ":10000\r\n")
        h.run(["select", "0"])
        h.clock.advance(by: 10_001)
        XCTAssertEqual(h.run(["exists", "h2"]), ":0\r\n")
        XCTAssertLessThan(h.context.keyspace.memoryBytes, 64 * 1024)
    }

    func testScanType() {
        let h = CommandHarness()
        h.run(["set", "s", "v"])
        h.run(["hset", "h", "a", "1"])
        h.run(["sadd", "t", "x"])
        XCTAssertEqual(KeysReply.parse(h.run(["scan", "0", "type", "hash", "count", "100"])).array?[1].strings, ["h"])
        XCTAssertEqual(KeysReply.parse(h.run(["scan", "0", "type", "set", "count", "100"])).array?[1].strings, ["t"])
        XCTAssertEqual(KeysReply.parse(h.run(["scan", "0", "type", "string", "count", "100"])).array?[1].strings, ["s"])
        XCTAssertEqual(h.run(["type", "t"]), "+set\r\n")
    }
}

extension KeysReply {
    var array: [KeysReply]? { if case .array(let items?) = self { items } else { nil } }
}
