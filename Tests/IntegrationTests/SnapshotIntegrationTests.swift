import Foundation
import Glibc
import XCTest

/// RDB snapshots end to end with the built binary: SAVE / SIGTERM with save rules, restart and
/// load, and a corrupt dump stopping start-up. (Round trips with redis-server are in
/// tests/persistence/test_rdb.py.)
final class SnapshotIntegrationTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/tessera-snapshot-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw NSError(domain: "mkdtemp", code: Int(errno)) }
        directory = String(cString: made)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var dumpPath: String { directory + "/dump.rdb" }

    func testSaveRestartAndLoad() throws {
        var server: ServerProcess? = try ServerProcess(arguments: ["--dir", directory])
        var client = try server!.connect()
        XCTAssertEqual(client.command("SET", "s", "session-data"), "+OK\r\n")
        XCTAssertEqual(client.command("SET", "n", "12345", "EX", "1000"), "+OK\r\n")
        XCTAssertEqual(client.command("HSET", "h", "user", "42", "name", "ada"), ":2\r\n")
        XCTAssertEqual(client.command("SADD", "set", "1", "2", "3"), ":3\r\n")
        XCTAssertEqual(client.command("SELECT", "2"), "+OK\r\n")
        XCTAssertEqual(client.command("SET", "other", "db"), "+OK\r\n")
        XCTAssertEqual(client.command("SAVE"), "+OK\r\n")
        XCTAssertTrue(client.command("LASTSAVE").hasPrefix(":"))
        XCTAssertTrue(client.command("INFO", "persistence").contains("rdb_changes_since_last_save:0\r\n"))
        XCTAssertEqual(server!.stop(), 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dumpPath))

        server = try ServerProcess(arguments: ["--dir", directory])
        client = try server!.connect()
        waitUntilLoaded(client)
        XCTAssertEqual(client.command("GET", "s"), "$12\r\nsession-data\r\n")
        XCTAssertEqual(client.command("GET", "n"), "$5\r\n12345\r\n")
        let ttl = client.command("TTL", "n")
        XCTAssertTrue(ttl == ":1000\r\n" || ttl == ":999\r\n", ttl)
        XCTAssertEqual(client.command("HGET", "h", "name"), "$3\r\nada\r\n")
        XCTAssertEqual(client.command("SISMEMBER", "set", "2"), ":1\r\n")
        XCTAssertEqual(client.command("OBJECT", "ENCODING", "set"), "$6\r\nintset\r\n")
        XCTAssertEqual(client.command("SELECT", "2"), "+OK\r\n")
        XCTAssertEqual(client.command("GET", "other"), "$2\r\ndb\r\n")
        XCTAssertTrue(client.command("INFO", "persistence").contains("rdb_last_load_keys_loaded:5\r\n"))
        server!.stop()
    }

    func testSigtermWithSaveRulesSavesAndNosaveDoesNot() throws {
        let server = try ServerProcess(arguments: ["--dir", directory, "--save", "3600 1"])
        let client = try server.connect()
        XCTAssertEqual(client.command("CONFIG", "GET", "save"), "*2\r\n$4\r\nsave\r\n$6\r\n3600 1\r\n")
        XCTAssertEqual(client.command("SET", "k", "v"), "+OK\r\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dumpPath))
        XCTAssertEqual(server.stop(), 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dumpPath), "SIGTERM with save rules saves")

        unlink(dumpPath)
        let again = try ServerProcess(arguments: ["--dir", directory, "--save", "3600 1"])
        let c2 = try again.connect()
        XCTAssertEqual(c2.command("SET", "k", "v"), "+OK\r\n")
        c2.send(RESPConnection.encode([Array("SHUTDOWN".utf8), Array("NOSAVE".utf8)]))
        XCTAssertTrue(c2.readsEOF())
        again.process.waitUntilExit()
        XCTAssertEqual(again.process.terminationStatus, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dumpPath), "SHUTDOWN NOSAVE does not save")
    }

    func testCorruptDumpStopsStartup() throws {
        // A valid header followed by garbage where a key's type byte should be.
        let bytes = Array("REDIS0010".utf8) + [0xFE, 0x00, 0x00, 0x03, 0x01, 0x6B, 0x01, 0x76, 0xFF] + [UInt8](repeating: 0, count: 8)
        XCTAssertTrue(FileManager.default.createFile(atPath: dumpPath, contents: Data(bytes)))
        let (status, text, _) = try ServerProcess.runToExit(
            ["--port", "\(ServerProcess.freePort())", "--bind", "127.0.0.1", "--dir", directory])
        XCTAssertEqual(status, 1)
        XCTAssertTrue(text.contains("Fatal error loading the DB"), text)
        XCTAssertTrue(text.contains("byte"), text)
    }

    private func waitUntilLoaded(_ client: RESPConnection) {
        for _ in 0..<500 where client.command("INFO", "persistence").contains("loading:1\r\n") { usleep(10_000) }
    }
}
