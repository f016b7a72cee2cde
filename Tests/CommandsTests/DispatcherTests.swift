import Commands
import XCTest

final class DispatcherTests: XCTestCase {
    func testUnknownCommandQuotesArguments() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["foo", "a", "b"]),
                       "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n")
        XCTAssertEqual(h.run(["nope"]), "-ERR unknown command 'nope', with args beginning with: \r\n")
    }

    func testUnknownCommandSanitisesNewlines() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["fo\r\no"]), "-ERR unknown command 'fo  o', with args beginning with: \r\n")
    }

    func testCommandTableInvariants() {
        let table = CommandTable.shared
        var seen = Set<[UInt8]>()
        for command in table.commands {
            XCTAssertTrue(seen.insert(command.fullName).inserted, "duplicate \(command.name)")
            XCTAssertNotEqual(command.arity, 0, "\(command.name) has arity 0")
            XCTAssertTrue(command.isContainer || command.handler != nil, "\(command.name) has no handler")
            XCTAssertEqual(command.fullName, command.fullName.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 },
                           "\(command.name) is not lowercase")
            if command.flags.contains(.write) {
                XCTAssertTrue(command.categories.contains(.write), "\(command.name) writes but lacks @write")
                // Keyless writes (FLUSHDB, FLUSHALL, SWAPDB) act on whole databases: Redis marks them @dangerous.
                XCTAssertTrue(command.keys.first != 0 || command.categories.contains(.dangerous),
                              "\(command.name) writes but declares no keys")
            }
            if command.keys.first > 0 {
                // WATCH names keys without touching data: Redis files it under @transaction.
                XCTAssertTrue(command.categories.contains(.keyspace) || !command.categories.isDisjoint(
                    with: [.string, .hash, .set, .list, .sortedset, .transaction]), "\(command.name) has keys but no data category")
            }
            for sub in command.subcommands {
                XCTAssertTrue(sub.handler != nil, "\(sub.name) has no handler")
                XCTAssertTrue(sub.arity >= 2 || sub.arity <= -2, "subcommand arity counts the container")
            }
            XCTAssertTrue(table.lookup(UnsafeRawBufferPointer(start: command.name.utf8Start,
                                                              count: command.name.utf8CodeUnitCount)) === command)
        }
    }
}
