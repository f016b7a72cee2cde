import Bytes
@testable import Commands
import Dispatch
import Keyspace
import RESP
import Synchronization
import XCTest

// Expected bytes below were taken from redis-server 7.0.15.

/// A decoded RESP2 reply, for replies whose order is not deterministic (KEYS, SCAN).
enum KeysReply: Equatable {
    case simple(String)
    case error(String)
    case integer(Int)
    case bulk(String?)
    case array([KeysReply]?)

    static func parse(_ text: String) -> KeysReply {
        let bytes = Array(text.utf8)
        var index = 0
        let value = parseValue(bytes, &index)
        precondition(index == bytes.count, "trailing bytes after a reply")
        return value
    }

    private static func parseLine(_ bytes: [UInt8], _ index: inout Int) -> String {
        var end = index
        while !(bytes[end] == 13 && bytes[end + 1] == 10) { end += 1 }
        let line = String(decoding: bytes[index..<end], as: UTF8.self)
        index = end + 2
        return line
    }

    private static func parseValue(_ bytes: [UInt8], _ index: inout Int) -> KeysReply {
        let kind = bytes[index]
        index += 1
        let line = parseLine(bytes, &index)
        switch kind {
        case UInt8(ascii: "+"): return .simple(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"): return .integer(Int(line)!)
        case UInt8(ascii: "$"):
            let length = Int(line)!
            if length < 0 { return .bulk(nil) }
            let text = String(decoding: bytes[index..<index + length], as: UTF8.self)
            index += length + 2
            return .bulk(text)
        case UInt8(ascii: "*"):
            let count = Int(line)!
            if count < 0 { return .array(nil) }
            return .array((0..<count).map { _ in parseValue(bytes, &index) })
        default:
            preconditionFailure("unexpected reply type \(kind)")
        }
    }

    /// The bulk strings of an array reply.
    var strings: [String] {
        guard case .array(let items?) = self else { return [] }
        return items.compactMap { if case .bulk(let text?) = $0 { text } else { nil } }
    }
}

extension CommandHarness {
    /// Stores a string directly in the keyspace (independent of the string family's SET).
    func keysPut(_ key: String, _ value: String = "v", expireAt: Int64 = 0, database: Int = 0) {
        let keyspace = context.keyspace
        Array(key.utf8).withUnsafeBytes { keyBytes in
            Array(value.utf8).withUnsafeBytes { valueBytes in
                let hash = keyspace.hash(keyBytes)
                let shard = keyspace.shard(hash: hash)
                shard.lock()
                defer { shard.unlock() }
                shard.setString(database: database, key: keyBytes, hash: hash, value: valueBytes, expireAt: expireAt)
            }
        }
    }

    /// The value stored at `key`, read directly from the keyspace.
    func keysValue(_ key: String, database: Int = 0) -> String? {
        let keyspace = context.keyspace
        let now = clock.nowMilliseconds()
        return Array(key.utf8).withUnsafeBytes { keyBytes in
            let hash = keyspace.hash(keyBytes)
            let shard = keyspace.shard(hash: hash)
            shard.lock()
            defer { shard.unlock() }
            guard let entry = shard.peek(database: database, key: keyBytes, hash: hash, now: now) else { return nil }
            return String(decoding: UnsafeRawBufferPointer(entry.value), as: UTF8.self)
        }
    }

    /// KEYS <pattern>, sorted.
    func keysSorted(_ pattern: String) -> [String] {
        KeysReply.parse(run(["keys", pattern])).strings.sorted()
    }
}

final class KeyTests: XCTestCase {
    // MARK: DEL / UNLINK

    func testDel() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["del", "a"]), ":0\r\n")
        h.keysPut("a"); h.keysPut("b"); h.keysPut("c")
        XCTAssertEqual(h.run(["del", "a"]), ":1\r\n")
        XCTAssertEqual(h.run(["exists", "a"]), ":0\r\n")
        XCTAssertEqual(h.run(["del", "b", "b", "c", "missing"]), ":2\r\n")
        XCTAssertEqual(h.run(["dbsize"]), ":0\r\n")
        XCTAssertEqual(h.run(["DEL"]), "-ERR wrong number of arguments for 'del' command\r\n")
    }

    func testUnlink() {
        let h = CommandHarness()
        h.keysPut("a"); h.keysPut("b")
        XCTAssertEqual(h.run(["unlink", "a", "b", "a", "zz"]), ":2\r\n")
        XCTAssertEqual(h.run(["unlink", "a"]), ":0\r\n")
        XCTAssertEqual(h.run(["unlink"]), "-ERR wrong number of arguments for 'unlink' command\r\n")
    }

    func testDelManyKeysAcrossShards() {
        for shards in [1, 4, 16, 128] {
            let h = CommandHarness(shardCount: shards)
            for i in 0..<200 { h.keysPut("k\(i)") }
            let argv = ["del"] + (0..<300).map { "k\($0)" } + ["k5", "k7"]
            XCTAssertEqual(h.run(argv), ":200\r\n", "shards \(shards)")
            XCTAssertEqual(h.run(["dbsize"]), ":0\r\n")
        }
    }

    func testDelIgnoresExpiredKeys() {
        let h = CommandHarness()
        h.keysPut("a", expireAt: h.clock.nowMilliseconds() + 10)
        h.clock.advance(by: 11)
        XCTAssertEqual(h.run(["del", "a"]), ":0\r\n")
    }

    // MARK: EXISTS / TOUCH / TYPE

    func testExistsCountsDuplicates() {
        let h = CommandHarness()
        h.keysPut("a")
        XCTAssertEqual(h.run(["exists", "a"]), ":1\r\n")
        XCTAssertEqual(h.run(["exists", "a", "a", "b"]), ":2\r\n")
        XCTAssertEqual(h.run(["exists", "b"]), ":0\r\n")
        XCTAssertEqual(h.run(["exists"]), "-ERR wrong number of arguments for 'exists' command\r\n")
    }

    func testTouch() {
        let h = CommandHarness()
        h.keysPut("a")
        XCTAssertEqual(h.run(["touch", "a", "a", "b"]), ":2\r\n")
        XCTAssertEqual(h.run(["touch", "zz"]), ":0\r\n")
        XCTAssertEqual(h.run(["touch"]), "-ERR wrong number of arguments for 'touch' command\r\n")
    }

    func testType() {
        let h = CommandHarness()
        h.keysPut("a")
        XCTAssertEqual(h.run(["type", "a"]), "+string\r\n")
        XCTAssertEqual(h.run(["type", "nope"]), "+none\r\n")
        XCTAssertEqual(h.run(["type", "a", "b"]), "-ERR wrong number of arguments for 'type' command\r\n")
    }

    func testReadLookupsCountHitsAndMisses() {
        let h = CommandHarness()
        h.keysPut("a")
        let stats = h.client.stats
        h.run(["type", "a"]); h.run(["type", "zz"])
        h.run(["exists", "a", "zz", "a"])
        h.run(["touch", "a", "zz"])
        XCTAssertEqual(stats.keyspaceHits.load(ordering: .relaxed), 4)
        XCTAssertEqual(stats.keyspaceMisses.load(ordering: .relaxed), 3)
        // Write-path lookups count nothing (Redis lookupKeyWrite).
        h.run(["del", "zz"]); h.run(["rename", "a", "b"]); h.run(["keys", "*"]); h.run(["scan", "0"])
        h.run(["randomkey"]); h.run(["dbsize"])
        XCTAssertEqual(stats.keyspaceHits.load(ordering: .relaxed), 4)
        XCTAssertEqual(stats.keyspaceMisses.load(ordering: .relaxed), 3)
    }

    // MARK: RENAME / RENAMENX

    func testRename() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["rename", "x", "y"]), "-ERR no such key\r\n")
        XCTAssertEqual(h.run(["rename", "x", "x"]), "-ERR no such key\r\n")
        h.keysPut("x", "one")
        XCTAssertEqual(h.run(["rename", "x", "x"]), "+OK\r\n")
        XCTAssertEqual(h.keysValue("x"), "one")
        XCTAssertEqual(h.run(["rename", "x", "y"]), "+OK\r\n")
        XCTAssertNil(h.keysValue("x"))
        XCTAssertEqual(h.keysValue("y"), "one")
        // Onto an existing key: replaced.
        h.keysPut("z", "two")
        XCTAssertEqual(h.run(["rename", "z", "y"]), "+OK\r\n")
        XCTAssertEqual(h.keysValue("y"), "two")
        XCTAssertEqual(h.run(["dbsize"]), ":1\r\n")
        XCTAssertEqual(h.run(["rename", "y"]), "-ERR wrong number of arguments for 'rename' command\r\n")
    }

    func testRenamenx() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["renamenx", "x", "y"]), "-ERR no such key\r\n")
        h.keysPut("x", "one")
        XCTAssertEqual(h.run(["renamenx", "x", "x"]), ":0\r\n")
        XCTAssertEqual(h.run(["renamenx", "x", "y"]), ":1\r\n")
        XCTAssertEqual(h.keysValue("y"), "one")
        h.keysPut("x", "two")
        XCTAssertEqual(h.run(["renamenx", "x", "y"]), ":0\r\n")
        XCTAssertEqual(h.keysValue("x"), "two")
        XCTAssertEqual(h.keysValue("y"), "one")
        // An expired destination does not count as existing.
        h.keysPut("old", "gone", expireAt: h.clock.nowMilliseconds() + 5)
        h.clock.advance(by: 6)
        XCTAssertEqual(h.run(["renamenx", "x", "old"]), ":1\r\n")
        XCTAssertEqual(h.keysValue("old"), "two")
        XCTAssertEqual(h.run(["renamenx", "x"]), "-ERR wrong number of arguments for 'renamenx' command\r\n")
    }

    func testRenameMovesTTL() {
        let h = CommandHarness()
        h.keysPut("src", "v")
        XCTAssertEqual(h.run(["pexpire", "src", "5000"]), ":1\r\n")
        h.keysPut("dst", "old")
        XCTAssertEqual(h.run(["pexpire", "dst", "99000"]), ":1\r\n")
        XCTAssertEqual(h.run(["rename", "src", "dst"]), "+OK\r\n")
        XCTAssertEqual(h.run(["pttl", "dst"]), ":5000\r\n")
        XCTAssertEqual(h.run(["pttl", "src"]), ":-2\r\n")
        // A key without TTL renamed onto one with a TTL: the result has none.
        h.keysPut("plain", "p")
        XCTAssertEqual(h.run(["rename", "plain", "dst"]), "+OK\r\n")
        XCTAssertEqual(h.run(["ttl", "dst"]), ":-1\r\n")
        // The moved TTL still expires the key.
        XCTAssertEqual(h.run(["pexpire", "dst", "100"]), ":1\r\n")
        XCTAssertEqual(h.run(["renamenx", "dst", "fresh"]), ":1\r\n")
        h.clock.advance(by: 100)
        XCTAssertEqual(h.run(["exists", "fresh"]), ":1\r\n")
        h.clock.advance(by: 1)
        XCTAssertEqual(h.run(["exists", "fresh"]), ":0\r\n")
    }

    func testRenameAcrossShards() {
        let h = CommandHarness(shardCount: 8)
        let keyspace = h.context.keyspace
        func shard(_ key: String) -> Int {
            Array(key.utf8).withUnsafeBytes { keyspace.shardIndex(hash: keyspace.hash($0)) }
        }
        var crossShard = 0
        for i in 0..<100 {
            h.keysPut("a\(i)", "value-\(i)")
            if shard("a\(i)") != shard("b\(i)") { crossShard += 1 }
            XCTAssertEqual(h.run(["rename", "a\(i)", "b\(i)"]), "+OK\r\n")
            XCTAssertEqual(h.run(["renamenx", "b\(i)", "c\(i)"]), ":1\r\n")
        }
        XCTAssertGreaterThan(crossShard, 50)
        XCTAssertEqual(h.run(["dbsize"]), ":100\r\n")
        for i in 0..<100 {
            XCTAssertEqual(h.keysValue("c\(i)"), "value-\(i)")
        }
    }

    func testRenameEmptyValueAndBinaryKey() {
        let h = CommandHarness()
        h.keysPut("empty", "")
        XCTAssertEqual(h.run(["rename", "empty", "still-empty"]), "+OK\r\n")
        XCTAssertEqual(h.keysValue("still-empty"), "")
        h.keysPut("k\r\n", "binary value")
        XCTAssertEqual(h.runBytes([Array("rename".utf8), Array("k\r\n".utf8), [0, 1, 2]]), Array("+OK\r\n".utf8))
        XCTAssertEqual(h.runBytes([Array("exists".utf8), [0, 1, 2]]), Array(":1\r\n".utf8))
    }

    // MARK: RANDOMKEY / DBSIZE

    func testRandomkey() {
        let h = CommandHarness(shardCount: 8)
        XCTAssertEqual(h.run(["randomkey"]), "$-1\r\n")
        h.keysPut("only")
        XCTAssertEqual(h.run(["randomkey"]), "$4\r\nonly\r\n")
        for i in 0..<100 { h.keysPut("k\(i)") }
        var seen = Set<String>()
        for _ in 0..<300 {
            guard case .bulk(let key?) = KeysReply.parse(h.run(["randomkey"])) else { return XCTFail("no key") }
            XCTAssertTrue(key == "only" || key.hasPrefix("k"))
            seen.insert(key)
        }
        XCTAssertGreaterThan(seen.count, 20)
        XCTAssertEqual(h.run(["randomkey", "x"]), "-ERR wrong number of arguments for 'randomkey' command\r\n")
    }

    func testRandomkeySkipsExpired() {
        let h = CommandHarness()
        h.keysPut("gone", expireAt: h.clock.nowMilliseconds() + 1)
        h.clock.advance(by: 2)
        XCTAssertEqual(h.run(["randomkey"]), "$-1\r\n")
        h.keysPut("here")
        h.keysPut("gone2", expireAt: h.clock.nowMilliseconds() + 1)
        h.clock.advance(by: 2)
        for _ in 0..<20 { XCTAssertEqual(h.run(["randomkey"]), "$4\r\nhere\r\n") }
    }

    func testDbsize() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["dbsize"]), ":0\r\n")
        for i in 0..<37 { h.keysPut("k\(i)") }
        XCTAssertEqual(h.run(["dbsize"]), ":37\r\n")
        XCTAssertEqual(h.run(["DBSIZE", "x"]), "-ERR wrong number of arguments for 'dbsize' command\r\n")
    }

    // MARK: FLUSHDB / FLUSHALL

    func testFlushdbOnlyClearsTheSelectedDatabase() {
        let h = CommandHarness()
        for i in 0..<50 { h.keysPut("a\(i)"); h.keysPut("b\(i)", database: 3) }
        h.client.select(database: 3)
        XCTAssertEqual(h.run(["flushdb"]), "+OK\r\n")
        XCTAssertEqual(h.run(["dbsize"]), ":0\r\n")
        h.client.select(database: 0)
        XCTAssertEqual(h.run(["dbsize"]), ":50\r\n")
        XCTAssertEqual(h.run(["flushdb", "async"]), "+OK\r\n")
        XCTAssertEqual(h.run(["dbsize"]), ":0\r\n")
        XCTAssertEqual(h.run(["flushdb", "SYNC"]), "+OK\r\n")
    }

    func testFlushall() {
        let h = CommandHarness()
        for db in [0, 1, 15] { for i in 0..<20 { h.keysPut("k\(i)", database: db) } }
        XCTAssertEqual(h.run(["flushall"]), "+OK\r\n")
        for db in [0, 1, 15] {
            h.client.select(database: db)
            XCTAssertEqual(h.run(["dbsize"]), ":0\r\n")
        }
        XCTAssertEqual(h.run(["flushall", "ASYNC"]), "+OK\r\n")
        XCTAssertEqual(h.run(["flushall", "sync"]), "+OK\r\n")
    }

    func testFlushSyntaxErrors() {
        let h = CommandHarness()
        h.keysPut("a")
        XCTAssertEqual(h.run(["flushdb", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["flushdb", "async", "sync"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["flushall", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["flushall", "sync", "sync"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["dbsize"]), ":1\r\n")
    }

    // MARK: Databases

    func testDatabasesAreIndependent() {
        let h = CommandHarness()
        h.keysPut("shared", "zero")
        h.client.select(database: 1)
        XCTAssertEqual(h.run(["exists", "shared"]), ":0\r\n")
        XCTAssertEqual(h.run(["type", "shared"]), "+none\r\n")
        XCTAssertEqual(h.run(["rename", "shared", "x"]), "-ERR no such key\r\n")
        XCTAssertEqual(h.run(["keys", "*"]), "*0\r\n")
        XCTAssertEqual(h.run(["scan", "0"]), "*2\r\n$1\r\n0\r\n*0\r\n")
        XCTAssertEqual(h.run(["randomkey"]), "$-1\r\n")
        XCTAssertEqual(h.run(["dbsize"]), ":0\r\n")
        XCTAssertEqual(h.run(["del", "shared"]), ":0\r\n")
        XCTAssertEqual(h.run(["expire", "shared", "10"]), ":0\r\n")
        XCTAssertEqual(h.run(["ttl", "shared"]), ":-2\r\n")
        h.keysPut("shared", "one", database: 1)
        XCTAssertEqual(h.run(["rename", "shared", "renamed"]), "+OK\r\n")
        XCTAssertEqual(h.run(["keys", "*"]), "*1\r\n$7\r\nrenamed\r\n")
        XCTAssertEqual(h.keysValue("renamed", database: 1), "one")
        h.client.select(database: 0)
        XCTAssertEqual(h.run(["keys", "*"]), "*1\r\n$6\r\nshared\r\n")
        XCTAssertEqual(h.keysValue("shared"), "zero")
        XCTAssertEqual(h.run(["ttl", "shared"]), ":-1\r\n")
    }

    // MARK: Concurrency

    /// Several clients on separate threads rename keys back and forth across shards and run
    /// multi-key commands over the same keys: lock ordering must never deadlock, and no value may be
    /// lost or duplicated.
    func testConcurrentMultiKeyCommandsDoNotDeadlock() {
        for shards in [4, 128] {
            let h = CommandHarness(shardCount: shards)
            let threads = 4
            for t in 0..<threads { h.keysPut("x\(t)", "value-\(t)") }
            let context = h.context
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let info = ClientInfo(id: context.makeClientID(), address: Array("127.0.0.1:1".utf8),
                                      localAddress: Array("127.0.0.1:6379".utf8), fd: -1, createdAt: 0)
                let client = Client(context: context, info: info, stats: WorkerStats())
                for i in 0..<2000 {
                    let other = (t + 1 + i % (threads - 1)) % threads
                    keysExecute(client, ["rename", "x\(t)", "y\(t)"])
                    keysExecute(client, ["exists", "x\(other)", "y\(other)", "y\(t)", "x\(t)"])
                    keysExecute(client, ["rename", "y\(t)", "x\(t)"])
                    keysExecute(client, ["del", "nothing\(t)", "y\(other)x", "z\(other)"])
                    keysExecute(client, ["renamenx", "x\(t)", "x\(t)"])
                }
            }
            for t in 0..<threads { XCTAssertEqual(h.keysValue("x\(t)"), "value-\(t)") }
            XCTAssertEqual(h.run(["dbsize"]), ":\(threads)\r\n")
        }
    }

    // MARK: Table

    func testCommandTableEntries() {
        let table = CommandTable.shared
        func command(_ name: String) -> Command? {
            Array(name.utf8).withUnsafeBytes { table.lookup($0) }
        }
        for name in ["del", "unlink", "exists", "type", "touch", "rename", "renamenx", "keys", "scan",
                     "randomkey", "dbsize", "flushdb", "flushall"] {
            XCTAssertNotNil(command(name), name)
        }
        XCTAssertEqual(command("del")?.arity, -2)
        XCTAssertEqual(command("rename")?.keys.last, 2)
        XCTAssertTrue(command("keys")?.categories.contains(.dangerous) ?? false)
        XCTAssertEqual(command("flushall")?.arity, -1)
    }
}

/// Runs one command on `client` (a harness-independent copy of `CommandHarness.runBytes`).
@discardableResult
func keysExecute(_ client: Client, _ argv: [String]) -> [UInt8] {
    var joined: [UInt8] = []
    var ranges: [ArgumentRange] = []
    for arg in argv {
        ranges.append(ArgumentRange(offset: joined.count, count: arg.utf8.count))
        joined.append(contentsOf: arg.utf8)
    }
    joined.append(0)
    return joined.withUnsafeBytes { base in
        ranges.withUnsafeBufferPointer { rangePointer in
            client.args = Arguments(base: base.baseAddress!, ranges: rangePointer.baseAddress!, count: argv.count)
            client.reply.buffer.clear()
            Dispatcher.execute(client)
            client.args = Arguments.empty
            return Array(client.reply.buffer.readableView)
        }
    }
}

final class SwapDBTests: XCTestCase {
    func testSwapExchangesDatabasesAndValidatesIndexes() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["set", "k", "zero"]), "+OK\r\n")
        h.client.select(database: 1)
        XCTAssertEqual(h.run(["set", "k", "one"]), "+OK\r\n")
        XCTAssertEqual(h.run(["set", "only1", "x", "px", "100"]), "+OK\r\n")
        XCTAssertEqual(h.run(["swapdb", "0", "1"]), "+OK\r\n")
        XCTAssertEqual(h.run(["get", "k"]), "$4\r\nzero\r\n")
        h.client.select(database: 0)
        XCTAssertEqual(h.run(["get", "k"]), "$3\r\none\r\n")
        XCTAssertEqual(h.run(["exists", "only1"]), ":1\r\n")
        h.clock.advance(by: 101)
        XCTAssertEqual(h.run(["exists", "only1"]), ":0\r\n", "the TTL moved with the database")
        XCTAssertEqual(h.run(["swapdb", "0", "99"]), "-ERR DB index is out of range\r\n")
        XCTAssertEqual(h.run(["swapdb", "-1", "0"]), "-ERR DB index is out of range\r\n")
        XCTAssertEqual(h.run(["swapdb", "a", "0"]), "-ERR invalid first DB index\r\n")
        XCTAssertEqual(h.run(["swapdb", "0", "b"]), "-ERR invalid second DB index\r\n")
        XCTAssertEqual(h.run(["swapdb", "3", "3"]), "+OK\r\n")
    }
}
