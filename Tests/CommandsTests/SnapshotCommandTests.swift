@testable import Commands
import RESP
import Synchronization
import XCTest

/// SAVE / BGSAVE / LASTSAVE parsing and replies, the LOADING and MISCONF gates and the change
/// counter (server.dirty). Expected bytes are redis-server 7.0.15's replies.
final class SnapshotCommandTests: XCTestCase {
    func testSave() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["save"]), "+OK\r\n")
        h.control.saveError = Array("ERR Background save already in progress".utf8)
        XCTAssertEqual(h.run(["SAVE"]), "-ERR Background save already in progress\r\n")
        XCTAssertEqual(h.control.saves, 2)
        XCTAssertEqual(h.run(["save", "x"]), "-ERR wrong number of arguments for 'save' command\r\n")
        XCTAssertEqual(h.run(["multi"]), "+OK\r\n")
        XCTAssertEqual(h.run(["save"]), "-ERR Command not allowed inside a transaction\r\n")
    }

    func testBackgroundSave() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["bgsave"]), "+Background saving started\r\n")
        XCTAssertEqual(h.run(["BGSAVE", "schedule"]), "+Background saving started\r\n")
        XCTAssertEqual(h.run(["bgsave", "now"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["bgsave", "schedule", "x"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.control.backgroundSaveRequests.map(\.schedule), [false, true])
        XCTAssertEqual(h.control.backgroundSaveRequests.map(\.inTransaction), [false, false])
        XCTAssertEqual(h.run(["multi"]), "+OK\r\n")
        XCTAssertEqual(h.run(["bgsave"]), "+QUEUED\r\n")
        XCTAssertEqual(h.run(["exec"]), "*1\r\n+Background saving started\r\n")
        XCTAssertEqual(h.control.backgroundSaveRequests.last?.inTransaction, true)
        h.control.backgroundSaveAnswer = .failure(SnapshotRefusal("ERR Background save already in progress"))
        XCTAssertEqual(h.run(["bgsave"]), "-ERR Background save already in progress\r\n")
    }

    func testLastSave() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["lastsave"]), ":1700000000\r\n")
        XCTAssertEqual(h.run(["lastsave", "x"]), "-ERR wrong number of arguments for 'lastsave' command\r\n")
    }

    func testLoadingGateRefusesCommandsWithoutTheLoadingFlag() {
        let h = CommandHarness()
        h.context.setGate(AdmissionGate.loading, true)
        XCTAssertTrue(h.context.isLoading)
        XCTAssertEqual(h.run(["get", "k"]), "-LOADING Redis is loading the dataset in memory\r\n")
        XCTAssertEqual(h.run(["set", "k", "v"]), "-LOADING Redis is loading the dataset in memory\r\n")
        XCTAssertEqual(h.run(["ping"]), "-LOADING Redis is loading the dataset in memory\r\n")
        // Commands flagged `loading` still run: INFO, LASTSAVE, CONFIG GET, SHUTDOWN...
        XCTAssertTrue(h.run(["info"]).hasPrefix("$"))
        XCTAssertEqual(h.run(["lastsave"]), ":1700000000\r\n")
        // Inside MULTI a refused command aborts the transaction, as in Redis.
        XCTAssertEqual(h.run(["multi"]), "+OK\r\n")
        XCTAssertEqual(h.run(["get", "k"]), "-LOADING Redis is loading the dataset in memory\r\n")
        h.context.setGate(AdmissionGate.loading, false)
        XCTAssertEqual(h.run(["exec"]), "-EXECABORT Transaction discarded because of previous errors.\r\n")
        XCTAssertEqual(h.run(["set", "k", "v"]), "+OK\r\n")
    }

    func testMisconfGateRefusesWritesAndPing() {
        let h = CommandHarness()
        h.run(["set", "k", "v"])
        h.context.setGate(AdmissionGate.writesRefused, true)
        let misconf = "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n"
        XCTAssertEqual(h.run(["set", "k", "w"]), misconf)
        XCTAssertEqual(h.run(["del", "k"]), misconf)
        XCTAssertEqual(h.run(["ping"]), misconf)
        XCTAssertEqual(h.run(["get", "k"]), "$1\r\nv\r\n")
        h.context.setGate(AdmissionGate.writesRefused, false)
        XCTAssertEqual(h.run(["set", "k", "w"]), "+OK\r\n")
        XCTAssertEqual(h.context.admissionGates.load(ordering: .relaxed), 0)
    }

    func testChangeCounterCountsSuccessfulWrites() {
        let h = CommandHarness()
        func dirty() -> Int { h.context.changes.sinceSave }
        XCTAssertEqual(dirty(), 0)
        h.run(["set", "a", "1"])
        h.run(["hset", "h", "f", "v"])
        h.run(["sadd", "s", "m"])
        XCTAssertEqual(dirty(), 3)
        h.run(["get", "a"])                       // reads do not count
        h.run(["exists", "a"])
        XCTAssertEqual(dirty(), 3)
        h.run(["incr", "h"])                      // WRONGTYPE: nothing changed
        h.run(["set", "a"])                       // arity error
        XCTAssertEqual(dirty(), 3)
        h.run(["multi"])
        h.run(["set", "b", "2"])
        h.run(["expire", "b", "100"])
        XCTAssertEqual(dirty(), 3)                // queued, not executed
        h.run(["exec"])
        XCTAssertEqual(dirty(), 5)
    }
}
