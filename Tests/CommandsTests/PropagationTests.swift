import Bytes
import Commands
import Keyspace
import RESP
import XCTest

/// The propagation point: feed commands through the real dispatcher with propagation on and check
/// the exact commands that reach the log (what the AOF gets).
final class PropagationTests: XCTestCase {
    private var harness: CommandHarness!
    private let now: Int64 = 1_700_000_000_000

    override func setUp() {
        harness = CommandHarness(startTime: now)
        let context = harness.context
        let keyspace = context.keyspace
        // As the server wires it: expired keys are logged as DEL under their shard lock.
        keyspace.expirationHandler = { database, key in
            context.watches.touch(database: database, key: key)
            if context.propagation.isEnabled {
                context.propagation.appendExpired(database: database, key: key,
                                                  shard: keyspace.shardIndex(hash: keyspace.hash(key)))
            }
        }
        context.propagation.setEnabled(true)
    }

    /// Commands logged since the last call, as strings.
    private func logged() -> [[String]] {
        var buffer = ByteBuffer(capacity: 1024)
        _ = harness.context.propagation.take(appendingTo: &buffer)
        return Self.parse(Array(buffer.readableView))
    }

    static func parse(_ bytes: [UInt8]) -> [[String]] {
        var commands: [[String]] = []
        var at = 0
        func line() -> String {
            var end = at
            while bytes[end] != 13 { end += 1 }
            defer { at = end + 2 }
            return String(decoding: bytes[at..<end], as: UTF8.self)
        }
        while at < bytes.count {
            let header = line()
            precondition(header.first == "*", "multibulk expected, got \(header)")
            var argv: [String] = []
            for _ in 0..<Int(header.dropFirst())! {
                let length = Int(line().dropFirst())!
                argv.append(String(decoding: bytes[at..<at + length], as: UTF8.self))
                at += length + 2
            }
            commands.append(argv)
        }
        return commands
    }

    func testPlainWritesGoVerbatimAfterSelect() {
        harness.run(["SET", "k", "v"])
        harness.run(["GET", "k"])
        harness.run(["HSET", "h", "f", "1"])
        XCTAssertEqual(logged(), [["SELECT", "0"], ["SET", "k", "v"], ["HSET", "h", "f", "1"]])
        harness.run(["SELECT", "3"])
        harness.run(["APPEND", "k", "x"])
        harness.run(["SELECT", "0"])
        harness.run(["INCR", "n"])
        XCTAssertEqual(logged(), [["SELECT", "3"], ["APPEND", "k", "x"], ["SELECT", "0"], ["INCR", "n"]])
    }

    func testErrorsAndNoOpsAreNotLogged() {
        harness.run(["HSET", "h", "f", "1"])
        _ = logged()
        XCTAssertTrue(harness.run(["INCR", "h"]).hasPrefix("-WRONGTYPE"))
        harness.run(["SET", "k", "v", "XX"])
        harness.run(["SETNX", "h", "v"])
        harness.run(["EXPIRE", "missing", "10"])
        harness.run(["GETDEL", "missing"])
        harness.run(["GETEX", "h2"])
        XCTAssertEqual(logged(), [])
    }

    func testRelativeExpiriesBecomeAbsolute() {
        harness.run(["SET", "a", "1", "EX", "10"])
        harness.run(["SET", "b", "1", "PX", "500", "NX"])
        harness.run(["SETEX", "c", "20", "v"])
        harness.run(["PSETEX", "d", "300", "v"])
        harness.run(["SET", "e", "1", "PXAT", "\(now + 99)"])
        harness.run(["SET", "f", "1", "EXAT", "\(now / 1000 + 7)"])
        XCTAssertEqual(logged(), [
            ["SELECT", "0"],
            ["SET", "a", "1", "PXAT", "\(now + 10_000)"],
            ["SET", "b", "1", "PXAT", "\(now + 500)"],
            ["SET", "c", "v", "PXAT", "\(now + 20_000)"],
            ["SET", "d", "v", "PXAT", "\(now + 300)"],
            ["SET", "e", "1", "PXAT", "\(now + 99)"],
            ["SET", "f", "1", "PXAT", "\(now + 7000)"],
        ])
    }

    func testGetOptionIsDroppedAndGetsetBecomesSet() {
        harness.run(["SET", "k", "v", "GET"])
        harness.run(["GETSET", "k", "w"])
        harness.run(["SET", "k", "x", "get", "KEEPTTL"])
        XCTAssertEqual(logged(), [["SELECT", "0"], ["SET", "k", "v"], ["SET", "k", "w"], ["SET", "k", "x", "KEEPTTL"]])
    }

    func testExpireFamilyBecomesPexpireatOrDel() {
        for key in ["a", "b", "c", "d", "e"] { harness.run(["SET", key, "1"]) }
        _ = logged()
        harness.run(["EXPIRE", "a", "10"])
        harness.run(["PEXPIRE", "b", "1500", "NX"])
        harness.run(["EXPIREAT", "c", "\(now / 1000 + 100)"])
        harness.run(["PEXPIREAT", "d", "\(now + 5)"])
        harness.run(["EXPIRE", "e", "-1"])
        harness.run(["EXPIRE", "a", "5", "GT"]) // not applied: nothing logged
        XCTAssertEqual(logged(), [
            ["PEXPIREAT", "a", "\(now + 10_000)"],
            ["PEXPIREAT", "b", "\(now + 1500)"],
            ["PEXPIREAT", "c", "\(now + 100_000)"],
            ["PEXPIREAT", "d", "\(now + 5)"],
            ["DEL", "e"],
        ])
    }

    func testGetexAndGetdel() {
        for key in ["a", "b", "c", "d"] { harness.run(["SET", key, "1", "EX", "100"]) }
        _ = logged()
        harness.run(["GETEX", "a", "EX", "10"])
        harness.run(["GETEX", "b", "PERSIST"])
        harness.run(["GETEX", "c", "PXAT", "\(now - 1)"])
        harness.run(["GETEX", "d"])
        harness.run(["GETDEL", "d"])
        XCTAssertEqual(logged(), [
            ["PEXPIREAT", "a", "\(now + 10_000)"], ["PERSIST", "b"], ["DEL", "c"], ["DEL", "d"],
        ])
    }

    func testFloatIncrementsAreLoggedAsTheirResult() {
        harness.run(["SET", "f", "1.5", "EX", "100"])
        _ = logged()
        XCTAssertEqual(harness.run(["INCRBYFLOAT", "f", "0.25"]), "$4\r\n1.75\r\n")
        XCTAssertEqual(harness.run(["HINCRBYFLOAT", "h", "x", "2.5"]), "$3\r\n2.5\r\n")
        XCTAssertEqual(logged(), [["SET", "f", "1.75", "KEEPTTL"], ["HSET", "h", "x", "2.5"]])
    }

    func testSpopBecomesSremOrDel() {
        harness.run(["SADD", "s", "a", "b", "c", "d"])
        _ = logged()
        let one = harness.run(["SPOP", "s"])
        let member = String(one.split(separator: "\r\n")[1])
        XCTAssertEqual(logged(), [["SREM", "s", member]])
        let two = harness.run(["SPOP", "s", "2"])
        let popped = two.split(separator: "\r\n").filter { !$0.hasPrefix("*") && !$0.hasPrefix("$") }.map(String.init)
        XCTAssertEqual(logged(), [["SREM", "s"] + popped])
        harness.run(["SPOP", "s", "5"])
        XCTAssertEqual(logged(), [["DEL", "s"]])
        harness.run(["SPOP", "missing", "5"])
        XCTAssertEqual(logged(), [])
    }

    func testSpopOfManyMembersIsBatchedInATransaction() {
        harness.run(["SADD", "s"] + (0..<3000).map { "m\($0)" })
        _ = logged()
        harness.run(["SPOP", "s", "2500"])
        let log = logged()
        XCTAssertEqual(log.map { $0[0] }, ["MULTI", "SREM", "SREM", "SREM", "EXEC"])
        XCTAssertEqual(log[1...3].map { $0.count - 2 }, [1024, 1024, 452])
    }

    func testTransactionsAreWrappedOnlyWithSeveralWrites() {
        harness.run(["MULTI"])
        harness.run(["SET", "a", "1"])
        harness.run(["GET", "a"])
        harness.run(["EXPIRE", "a", "10"])
        harness.run(["EXEC"])
        XCTAssertEqual(logged(), [["SELECT", "0"], ["MULTI"], ["SET", "a", "1"], ["PEXPIREAT", "a", "\(now + 10_000)"], ["EXEC"]])
        harness.run(["MULTI"])
        harness.run(["INCR", "n"])
        harness.run(["EXEC"])
        XCTAssertEqual(logged(), [["INCR", "n"]])
        harness.run(["MULTI"])
        harness.run(["SELECT", "2"])
        harness.run(["SET", "x", "1"])
        harness.run(["SELECT", "0"])
        harness.run(["SET", "y", "1"])
        harness.run(["EXEC"])
        // Redis selects the first write's database before MULTI.
        XCTAssertEqual(logged(), [["SELECT", "2"], ["MULTI"], ["SET", "x", "1"], ["SELECT", "0"], ["SET", "y", "1"], ["EXEC"]])
    }

    func testExpiredKeysAreLoggedAsDel() {
        harness.run(["SET", "k", "v", "PX", "100"])
        _ = logged()
        harness.clock.advance(by: 101)
        XCTAssertEqual(harness.run(["GET", "k"]), "$-1\r\n")
        XCTAssertEqual(logged(), [["DEL", "k"]])
        // The wheel (active expiry) goes through the same handler.
        harness.run(["SELECT", "1"])
        harness.run(["SET", "w", "v", "PX", "50"])
        _ = logged()
        harness.clock.advance(by: 2000)
        let keyspace = harness.context.keyspace
        for shard in keyspace.shards {
            shard.lock()
            _ = shard.expireDue(now: harness.clock.nowMilliseconds(), budget: 100)
            shard.unlock()
        }
        XCTAssertEqual(logged(), [["DEL", "w"]])
    }

    func testKeylessWritesAndSwapdb() {
        harness.run(["SET", "a", "1"])
        harness.run(["FLUSHALL"])
        harness.run(["SWAPDB", "0", "1"])
        XCTAssertEqual(logged(), [["SELECT", "0"], ["SET", "a", "1"], ["FLUSHALL"], ["SWAPDB", "0", "1"]])
    }

    func testNothingIsLoggedWhenOff() {
        harness.context.propagation.setEnabled(false)
        harness.run(["SET", "a", "1", "EX", "5"])
        harness.run(["SPOP", "s"])
        XCTAssertEqual(logged(), [])
        XCTAssertEqual(harness.context.propagation.appendedOffset, 0)
    }

    func testWriteErrorRefusesWritesWithMisconf() {
        harness.context.propagation.setWriteErrno(28) // ENOSPC
        XCTAssertEqual(harness.run(["SET", "a", "1"]), "-MISCONF Errors writing to the AOF file: No space left on device\r\n")
        XCTAssertEqual(harness.run(["GET", "a"]), "$-1\r\n")
        harness.context.propagation.setWriteErrno(0)
        XCTAssertEqual(harness.run(["SET", "a", "1"]), "+OK\r\n")
    }

    func testRewriteCaptureKeepsOnlyWritesToDumpedShards() {
        let keyspace = harness.context.keyspace
        func shard(_ key: String) -> Int { Array(key.utf8).withUnsafeBytes { keyspace.shardIndex(hash: keyspace.hash($0)) } }
        // Two keys on different shards.
        let a = "a"
        let b = (0..<100).map { "b\($0)" }.first { shard($0) != shard(a) }!
        harness.context.propagation.beginCapture(shardCount: keyspace.shardCount)
        keyspace.shards[shard(a)].lock()
        harness.context.propagation.markDumped(shard(a))
        keyspace.shards[shard(a)].unlock()
        harness.run(["INCR", a])   // dumped shard: goes to the new incremental file too
        harness.run(["INCR", b])   // not dumped yet: only in the old file (the base will hold it)
        var pending = ByteBuffer(capacity: 64)
        var captured = ByteBuffer(capacity: 64)
        let (ok, _) = harness.context.propagation.endCapture(pending: &pending, captured: &captured)
        XCTAssertTrue(ok)
        XCTAssertEqual(Self.parse(Array(pending.readableView)), [["SELECT", "0"], ["INCR", a], ["INCR", b]])
        XCTAssertEqual(Self.parse(Array(captured.readableView)), [["SELECT", "0"], ["INCR", a]])
        // A multi-key write spanning dumped and undumped shards: the state of its dumped-shard
        // keys goes to the new incremental file (b reaches the new files through the base).
        pending.clear()
        captured.clear()
        harness.run(["HSET", a, "x", "1"]) // WRONGTYPE (a is a string): not logged
        harness.context.propagation.beginCapture(shardCount: keyspace.shardCount)
        harness.context.propagation.markDumped(shard(a))
        harness.run(["MULTI"])
        harness.run(["INCR", a])
        harness.run(["MSET", a, "5", b, "2"])
        harness.run(["INCR", a])
        harness.run(["EXEC"])
        let (mixedOK, _) = harness.context.propagation.endCapture(pending: &pending, captured: &captured)
        XCTAssertTrue(mixedOK)
        XCTAssertEqual(Self.parse(Array(captured.readableView)),
                       [["SELECT", "0"], ["INCR", a], ["INCR", a], ["DEL", a], ["SET", a, "6"]])
        // A keyless write on a partly dumped keyspace makes the capture fail (retried later).
        harness.context.propagation.beginCapture(shardCount: keyspace.shardCount)
        harness.context.propagation.markDumped(shard(a))
        harness.run(["FLUSHALL"])
        let (flushOK, _) = harness.context.propagation.endCapture(pending: &pending, captured: &captured)
        XCTAssertFalse(flushOK)
    }
}
