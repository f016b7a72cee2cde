import Commands
import Keyspace
import XCTest

// Keyspace notifications through the real dispatcher and pub/sub hub. The expected event lists
// were recorded from redis-server 7.0.15 (PSUBSCRIBE __key*__:* with notify-keyspace-events
// KEAmn), in order.

final class NotificationTests: XCTestCase {
    /// A harness whose subscriber listens to every keyevent channel, with `flags` enabled.
    private func harness(_ flags: String = "EAmn", pattern: String = "__keyevent@*__:*") -> CommandHarness {
        let h = CommandHarness()
        h.context.events.classes = KeyspaceEvents.parse(flags)!
        XCTAssertEqual(h.run(["psubscribe", pattern], on: h.subscriber),
                       "*3\r\n$10\r\npsubscribe\r\n$\(pattern.utf8.count)\r\n\(pattern)\r\n:1\r\n")
        return h
    }

    /// Deliveries so far as "channel payload" strings (the event and the key for keyevent channels).
    private func deliveries(_ h: CommandHarness) -> [String] {
        h.mailbox.drain().map { delivery in
            String(decoding: delivery.channel, as: UTF8.self) + " " + String(decoding: delivery.payload, as: UTF8.self)
        }
    }

    /// Keyevent deliveries as "event key".
    private func events(_ h: CommandHarness) -> [String] {
        deliveries(h).map { line in
            guard let range = line.range(of: "__:") else { return line }
            return String(line[range.upperBound...])
        }
    }

    /// Runs `setup` with notifications off, then `commands`, returning the events they fired.
    private func eventsOf(_ h: CommandHarness, setup: [[String]] = [], _ commands: [[String]]) -> [String] {
        let classes = h.context.events.classes
        h.context.events.classes = []
        for command in setup { h.run(command) }
        h.context.events.classes = classes
        _ = h.mailbox.drain()
        for command in commands { h.run(command) }
        return events(h)
    }

    // MARK: Strings

    func testSetFamily() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, [["set", "k", "v"]]), ["new k", "set k"])
        XCTAssertEqual(eventsOf(h, [["set", "k", "w"]]), ["set k"])
        XCTAssertEqual(eventsOf(h, [["set", "e", "v", "EX", "100"]]), ["new e", "set e", "expire e"])
        XCTAssertEqual(eventsOf(h, [["set", "k", "x", "NX"]]), [])
        XCTAssertEqual(eventsOf(h, [["set", "missing", "x", "XX"]]), [])
        XCTAssertEqual(eventsOf(h, [["set", "g", "v", "GET"]]), ["keymiss g", "new g", "set g"])
        XCTAssertEqual(eventsOf(h, [["set", "g", "w", "GET"]]), ["set g"])
        XCTAssertEqual(eventsOf(h, [["set", "e", "w", "KEEPTTL"]]), ["set e"])
        XCTAssertEqual(eventsOf(h, [["setnx", "n", "v"], ["setnx", "n", "v"]]), ["new n", "set n"])
        XCTAssertEqual(eventsOf(h, [["setex", "s", "100", "v"]]), ["new s", "set s", "expire s"])
        XCTAssertEqual(eventsOf(h, [["psetex", "p", "100000", "v"]]), ["new p", "set p", "expire p"])
        XCTAssertEqual(eventsOf(h, [["getset", "gs", "v"]]), ["keymiss gs", "new gs", "set gs"])
        XCTAssertEqual(eventsOf(h, [["getset", "gs", "w"]]), ["set gs"])
    }

    func testReadsFireKeymissOnly() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, setup: [["set", "a", "1"]], [["get", "a"], ["get", "b"]]), ["keymiss b"])
        XCTAssertEqual(eventsOf(h, [["mget", "a", "b", "c"]]), ["keymiss b", "keymiss c"])
        XCTAssertEqual(eventsOf(h, [["strlen", "b"], ["getrange", "b", "0", "1"], ["substr", "a", "0", "1"]]),
                       ["keymiss b", "keymiss b"])
        XCTAssertEqual(eventsOf(h, [["exists", "a", "b"], ["touch", "b", "a"], ["type", "b"], ["type", "a"]]),
                       ["keymiss b", "keymiss b", "keymiss b"])
        XCTAssertEqual(eventsOf(h, [["ttl", "b"], ["pttl", "b"], ["expiretime", "b"], ["pexpiretime", "b"], ["ttl", "a"]]),
                       ["keymiss b", "keymiss b", "keymiss b", "keymiss b"])
        // Write lookups never fire keymiss.
        XCTAssertEqual(eventsOf(h, [["expire", "b", "10"], ["persist", "b"], ["del", "b"], ["rename", "b", "c"]]), [])
        XCTAssertEqual(eventsOf(h, [["keys", "*"], ["scan", "0"], ["randomkey"], ["dbsize"]]), [])
    }

    func testGetexAndGetdel() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, [["getex", "k", "EX", "10"]]), ["keymiss k"])
        XCTAssertEqual(eventsOf(h, setup: [["set", "k", "v"]], [["getex", "k"]]), [])
        XCTAssertEqual(eventsOf(h, [["getex", "k", "EX", "10"]]), ["expire k"])
        XCTAssertEqual(eventsOf(h, [["getex", "k", "PERSIST"]]), ["persist k"])
        XCTAssertEqual(eventsOf(h, [["getex", "k", "PERSIST"]]), []) // no TTL to remove
        XCTAssertEqual(eventsOf(h, [["getex", "k", "PXAT", "1"]]), ["del k"])
        XCTAssertEqual(eventsOf(h, setup: [["set", "k", "v"]], [["getdel", "k"], ["getdel", "k"]]), ["del k", "keymiss k"])
    }

    func testMultiKeyStrings() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, setup: [["set", "a", "1"]], [["mset", "a", "1", "b", "2"]]),
                       ["set a", "new b", "set b"])
        XCTAssertEqual(eventsOf(h, [["mset", "d", "1", "d", "2"]]), ["new d", "set d", "set d"])
        XCTAssertEqual(eventsOf(h, [["msetnx", "x", "1", "y", "2"]]), ["new x", "set x", "new y", "set y"])
        XCTAssertEqual(eventsOf(h, [["msetnx", "x", "1", "z", "2"]]), [])
    }

    func testRangeAndCounters() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, [["append", "a", "v"]]), ["new a", "append a"])
        XCTAssertEqual(eventsOf(h, [["append", "a", "w"], ["append", "a", ""]]), ["append a", "append a"])
        XCTAssertEqual(eventsOf(h, [["append", "empty", ""]]), ["new empty", "append empty"])
        XCTAssertEqual(eventsOf(h, [["setrange", "r", "2", "v"]]), ["new r", "setrange r"])
        XCTAssertEqual(eventsOf(h, [["setrange", "r", "0", "x"], ["setrange", "r", "0", ""]]), ["setrange r"])
        XCTAssertEqual(eventsOf(h, [["setrange", "nothing", "1", ""]]), [])
        XCTAssertEqual(eventsOf(h, [["incr", "i"]]), ["new i", "incrby i"])
        XCTAssertEqual(eventsOf(h, [["decr", "i"], ["incrby", "i", "5"], ["decrby", "i", "2"]]),
                       ["incrby i", "incrby i", "incrby i"])
        XCTAssertEqual(eventsOf(h, [["incr", "a"], ["incrby", "i", "x"]]), []) // errors fire nothing
        XCTAssertEqual(eventsOf(h, [["incrbyfloat", "f", "1.5"], ["incrbyfloat", "f", "1"]]),
                       ["new f", "incrbyfloat f", "incrbyfloat f"])
        XCTAssertEqual(eventsOf(h, [["incrbyfloat", "f", "abc"]]), [])
    }

    // MARK: Keys and expiry

    func testDelRenameExpirePersist() {
        let h = harness()
        let two = [["set", "a", "1"], ["set", "b", "2"]]
        XCTAssertEqual(eventsOf(h, setup: two, [["del", "a", "b", "c", "a"]]), ["del a", "del b"])
        XCTAssertEqual(eventsOf(h, setup: two, [["unlink", "b", "a"]]), ["del b", "del a"])
        XCTAssertEqual(eventsOf(h, setup: [["set", "a", "1"]], [["rename", "a", "b"]]),
                       ["new b", "rename_from a", "rename_to b"])
        // The replaced destination gets no "del" (Redis deletes it silently before dbAdd).
        XCTAssertEqual(eventsOf(h, setup: two, [["rename", "a", "b"]]), ["new b", "rename_from a", "rename_to b"])
        XCTAssertEqual(eventsOf(h, setup: [["set", "a", "1"]], [["rename", "a", "a"], ["rename", "zz", "b"]]), [])
        XCTAssertEqual(eventsOf(h, setup: [["del", "b"]], [["renamenx", "a", "b"]]),
                       ["new b", "rename_from a", "rename_to b"])
        XCTAssertEqual(eventsOf(h, setup: two, [["renamenx", "a", "b"]]), [])

        XCTAssertEqual(eventsOf(h, setup: [["set", "a", "1"]],
                                [["expire", "a", "100"], ["pexpire", "a", "100000"],
                                 ["expireat", "a", "99999999999"], ["pexpireat", "a", "99999999999999"]]),
                       ["expire a", "expire a", "expire a", "expire a"])
        XCTAssertEqual(eventsOf(h, [["expire", "a", "100", "NX"], ["expire", "nope", "100"]]), [])
        XCTAssertEqual(eventsOf(h, [["persist", "a"], ["persist", "a"], ["persist", "nope"]]), ["persist a"])
        XCTAssertEqual(eventsOf(h, [["expire", "a", "-1"]]), ["del a"])
        XCTAssertEqual(eventsOf(h, setup: [["set", "a", "1"]], [["pexpireat", "a", "1"]]), ["del a"])
    }

    func testFlushAndSwapFireNothing() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, setup: [["set", "a", "1"]], [["swapdb", "0", "1"], ["flushdb"], ["flushall"]]), [])
    }

    func testExpiredLazilyAndByTheWheel() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, [["set", "lazy", "1", "PX", "10"], ["set", "wheel", "1", "PX", "10"]]),
                       ["new lazy", "set lazy", "expire lazy", "new wheel", "set wheel", "expire wheel"])
        h.clock.advance(by: 11)
        XCTAssertEqual(eventsOf(h, [["get", "lazy"]]), ["expired lazy", "keymiss lazy"])
        var removed = 0
        for shard in h.context.keyspace.shards {
            shard.lock()
            removed += shard.expireDue(now: h.clock.nowMilliseconds(), budget: 100)
            shard.unlock()
        }
        XCTAssertEqual(removed, 1)
        XCTAssertEqual(events(h), ["expired wheel"])
        // A write over an expired key: "expired" from the lookup, then a new key.
        h.run(["set", "w", "1", "PX", "5"])
        h.clock.advance(by: 6)
        XCTAssertEqual(eventsOf(h, [["set", "w", "2"]]), ["expired w", "new w", "set w"])
    }

    // MARK: Hashes, sets, COPY, MOVE

    func testHashWrites() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, [["hset", "h", "a", "1", "b", "2"], ["hset", "h", "a", "3"], ["hmset", "h", "d", "5"]]),
                       ["new h", "hset h", "hset h", "hset h"])
        XCTAssertEqual(eventsOf(h, [["hsetnx", "h", "a", "1"], ["hsetnx", "h", "z", "1"], ["hsetnx", "h2", "a", "1"]]),
                       ["hset h", "new h2", "hset h2"])
        XCTAssertEqual(eventsOf(h, setup: [["set", "s", "x"]], [["hset", "s", "a", "1"], ["hset", "h", "a"]]), [])
        XCTAssertEqual(eventsOf(h, setup: [["del", "h"], ["hset", "h", "a", "1", "b", "2"]],
                                [["hdel", "h", "zz"], ["hdel", "h", "a", "zz"], ["hdel", "h", "b", "b"], ["hdel", "h", "b"]]),
                       ["hdel h", "hdel h", "del h"])
        XCTAssertEqual(eventsOf(h, setup: [["hset", "h", "a", "1", "b", "x"]],
                                [["hincrby", "h", "a", "2"], ["hincrby", "h", "b", "1"], ["hincrby", "g", "a", "1"],
                                 ["hincrby", "h", "a", "9223372036854775807"], ["hincrby", "h", "a", "x"]]),
                       ["hincrby h", "new g", "hincrby g"])
        XCTAssertEqual(eventsOf(h, [["hincrbyfloat", "h", "f", "1.5"], ["hincrbyfloat", "g2", "f", "1"],
                                    ["hincrbyfloat", "h", "b", "1"], ["hincrbyfloat", "h", "f", "abc"]]),
                       ["hincrbyfloat h", "new g2", "hincrbyfloat g2"])
    }

    func testHashReadsFireKeymiss() {
        let h = harness()
        let reads = [["hget", "x", "a"], ["hmget", "x", "a"], ["hexists", "x", "a"], ["hstrlen", "x", "a"], ["hlen", "x"],
                     ["hgetall", "x"], ["hkeys", "x"], ["hvals", "x"], ["hrandfield", "x"], ["hrandfield", "x", "2"],
                     ["hscan", "x", "0"]]
        XCTAssertEqual(eventsOf(h, reads), Array(repeating: "keymiss x", count: reads.count))
        XCTAssertEqual(eventsOf(h, setup: [["hset", "h", "a", "1"]], [["hget", "h", "zz"], ["hlen", "h"]]), [])
    }

    func testSetWrites() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, [["sadd", "s", "a", "b"], ["sadd", "s", "a"], ["sadd", "s", "c"]]),
                       ["new s", "sadd s", "sadd s"])
        XCTAssertEqual(eventsOf(h, [["srem", "s", "zz"], ["srem", "s", "a", "zz"], ["srem", "s", "b", "c"], ["srem", "s", "b"]]),
                       ["srem s", "srem s", "del s"])
        XCTAssertEqual(eventsOf(h, setup: [["sadd", "s", "a"], ["sadd", "t", "1", "2", "3"]],
                                [["spop", "s"], ["spop", "s"], ["spop", "t", "0"], ["spop", "t", "1"], ["spop", "t", "5"],
                                 ["spop", "t", "1"], ["spop", "nope", "2"]]),
                       ["spop s", "del s", "spop t", "spop t", "del t"])
    }

    func testSetReadsFireKeymiss() {
        let h = harness()
        XCTAssertEqual(eventsOf(h, setup: [["sadd", "s", "a"], ["set", "str", "v"]],
                                [["smembers", "x"], ["sismember", "x", "a"], ["smismember", "x", "a", "b"], ["scard", "x"],
                                 ["srandmember", "x"], ["srandmember", "x", "2"], ["sscan", "x", "0"], ["scard", "s"]]),
                       Array(repeating: "keymiss x", count: 7))
        // Every key is looked up in order; a WRONGTYPE key stops the lookups after earlier misses fired.
        XCTAssertEqual(eventsOf(h, [["sinter", "x", "y"], ["sinter", "x", "str", "y"], ["sunion", "s", "x"],
                                    ["sdiff", "x", "s"], ["sintercard", "2", "x", "y"]]),
                       ["keymiss x", "keymiss y", "keymiss x", "keymiss x", "keymiss x", "keymiss x", "keymiss y"])
    }

    func testSetStoreAndMove() {
        let h = harness()
        let setup = [["flushall"], ["sadd", "a", "1", "2"], ["sadd", "b", "2", "3"], ["set", "str", "v"]]
        XCTAssertEqual(eventsOf(h, setup: setup,
                                [["sinterstore", "d", "a", "b"], ["sinterstore", "d", "a", "b"], ["sunionstore", "d", "a", "b"],
                                 ["sdiffstore", "d", "a", "b"], ["sinterstore", "d", "a", "nope"], ["sinterstore", "d", "a", "nope"],
                                 ["sdiffstore", "e", "nope", "a"], ["sinterstore", "str", "a", "b"],
                                 ["sunionstore", "n1", "x1", "x2"], ["sinterstore", "d", "x", "str", "a"]]),
                       ["new d", "sinterstore d", "sinterstore d", "sunionstore d", "sdiffstore d",
                        "keymiss nope", "del d", "keymiss nope", "keymiss nope", "sinterstore str",
                        "keymiss x1", "keymiss x2", "keymiss x"])
        XCTAssertEqual(eventsOf(h, setup: setup,
                                [["smove", "a", "b", "1"], ["smove", "a", "b", "1"], ["smove", "a", "c", "2"],
                                 ["smove", "nope", "a", "1"], ["smove", "c", "c", "2"], ["smove", "c", "str", "2"],
                                 ["smove", "c", "b", "9"], ["smove", "b", "c", "3"], ["smove", "c", "b", "2"]]),
                       ["srem a", "sadd b", "srem a", "del a", "new c", "sadd c", "srem b", "sadd c",
                        "srem c"])
    }

    func testCopyAndMoveUseTheirDatabases() {
        let h = harness("KEAmn", pattern: "__key*__:*")
        h.context.events.classes = []
        h.run(["set", "a", "1"])
        h.run(["set", "b", "2"])
        h.context.events.classes = KeyspaceEvents.parse("EAmn")!
        h.run(["copy", "a", "c"])
        h.run(["copy", "a", "c"])
        h.run(["copy", "a", "c", "REPLACE"])
        h.run(["copy", "nope", "c"])
        h.run(["copy", "a", "a"])
        h.run(["copy", "a", "b", "DB", "1"])
        XCTAssertEqual(deliveries(h), ["__keyevent@0__:new c", "__keyevent@0__:copy_to c", "__keyevent@0__:new c",
                                       "__keyevent@0__:copy_to c", "__keyevent@0__:keymiss nope",
                                       "__keyevent@1__:new b", "__keyevent@1__:copy_to b"])
        h.run(["move", "a", "3"])
        h.run(["move", "a", "3"])
        h.run(["move", "nope", "3"])
        h.run(["move", "b", "1"])
        XCTAssertEqual(deliveries(h), ["__keyevent@3__:new a", "__keyevent@0__:move_from a", "__keyevent@3__:move_to a"])
        // OBJECT and MEMORY USAGE look keys up without notifying.
        h.run(["object", "encoding", "x"])
        h.run(["memory", "usage", "x"])
        XCTAssertEqual(deliveries(h), [])
    }

    // MARK: Channels and class filtering

    func testKeyspaceAndKeyeventChannels() {
        let h = harness("KEg", pattern: "__key*__:*")
        h.run(["set", "k", "v"])
        h.run(["select", "3"])
        h.run(["set", "k", "v"])
        h.run(["del", "k"])
        XCTAssertEqual(deliveries(h), ["__keyspace@3__:k del", "__keyevent@3__:del k"])
        let delivered = h.run(["publish", "__keyevent@3__:del", "k"])
        XCTAssertEqual(delivered, ":1\r\n")
        let pattern = h.mailbox.drain().first?.pattern.map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(pattern, "__key*__:*")
    }

    func testClassFiltering() {
        let h = harness("", pattern: "__key*__:*")
        let script = [["set", "k", "v", "PX", "10"], ["append", "k", "x"], ["get", "nope"], ["del", "k"]]
        func run(_ flags: String) -> [String] {
            h.context.events.classes = KeyspaceEvents.parse(flags)!
            h.run(["flushall"])
            _ = h.mailbox.drain()
            for command in script { h.run(command) }
            return deliveries(h)
        }
        XCTAssertEqual(run(""), [])
        XCTAssertEqual(run("g$"), [], "a class without K or E publishes nothing")
        XCTAssertEqual(run("KE"), [], "K and E without a class publish nothing")
        XCTAssertEqual(run("Kg"), ["__keyspace@0__:k expire", "__keyspace@0__:k del"])
        XCTAssertEqual(run("E$"), ["__keyevent@0__:set k", "__keyevent@0__:append k"])
        XCTAssertEqual(run("Em"), ["__keyevent@0__:keymiss nope"])
        XCTAssertEqual(run("En"), ["__keyevent@0__:new k"])
        XCTAssertEqual(run("EA"), ["__keyevent@0__:set k", "__keyevent@0__:expire k", "__keyevent@0__:append k",
                                   "__keyevent@0__:del k"], "A has neither m nor n")
        // x alone: only expiry.
        h.context.events.classes = KeyspaceEvents.parse("Ex")!
        h.run(["set", "t", "v", "PX", "10"])
        h.clock.advance(by: 11)
        h.run(["get", "t"])
        XCTAssertEqual(deliveries(h), ["__keyevent@0__:expired t"])
    }

    func testSubscriberSeesOnlyItsChannel() {
        let h = harness("KEA", pattern: "unrelated")
        XCTAssertEqual(h.run(["subscribe", "__keyevent@0__:expire"], on: h.subscriber),
                       "*3\r\n$9\r\nsubscribe\r\n$21\r\n__keyevent@0__:expire\r\n:2\r\n")
        h.run(["set", "k", "v", "EX", "10"])
        let got = h.mailbox.drain()
        XCTAssertEqual(got.count, 1)
        XCTAssertNil(got.first?.pattern)
        XCTAssertEqual(got.first.map { String(decoding: $0.payload, as: UTF8.self) }, "k")
        XCTAssertEqual(got.first?.clientID, h.subscriber.id)
    }
}
