import Foundation
import Glibc
import XCTest

/// Starts the real binary and talks RESP to it over TCP.
final class ServerIntegrationTests: XCTestCase {
    func testPingSetGetOverTCP() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        XCTAssertEqual(client.command("PING"), "+PONG\r\n")
        XCTAssertEqual(client.command("SET", "session:1", "alice"), "+OK\r\n")
        XCTAssertEqual(client.command("GET", "session:1"), "$5\r\nalice\r\n")
        XCTAssertEqual(client.command("GET", "missing"), "$-1\r\n")
        XCTAssertEqual(server.stop(), 0, "SIGTERM exits 0")
    }

    func testInlineCommandsAsSentByNetcat() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        client.send("SET greeting \"hello world\"\r\nGET greeting\n")
        XCTAssertEqual(client.readReply().map { String(decoding: $0, as: UTF8.self) }, "+OK\r\n")
        XCTAssertEqual(client.readReply().map { String(decoding: $0, as: UTF8.self) }, "$11\r\nhello world\r\n")
    }

    func testPipelineOfManyCommandsInOneWrite() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        var batch: [UInt8] = []
        for i in 0..<2000 { batch += RESPConnection.encode([Array("SET".utf8), Array("k\(i)".utf8), Array("v\(i)".utf8)]) }
        for i in 0..<2000 { batch += RESPConnection.encode([Array("GET".utf8), Array("k\(i)".utf8)]) }
        client.send(batch)
        for _ in 0..<2000 { XCTAssertEqual(client.readReply(), Array("+OK\r\n".utf8)) }
        for i in 0..<2000 {
            let value = "v\(i)"
            XCTAssertEqual(client.readReply().map { String(decoding: $0, as: UTF8.self) }, "$\(value.count)\r\n\(value)\r\n")
        }
    }

    func testRequestSplitAtEveryByte() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        let request = RESPConnection.encode([Array("SET".utf8), Array("split".utf8), [0, 13, 10, 255]])
        for byte in request {
            client.send([byte])
            usleep(200)
        }
        XCTAssertEqual(client.readReply(), Array("+OK\r\n".utf8))
        client.send(RESPConnection.encode([Array("GET".utf8), Array("split".utf8)]))
        XCTAssertEqual(client.readReply(), Array("$4\r\n".utf8) + [0, 13, 10, 255] + [13, 10])
    }

    func testLargeValueRoundTripsThroughPartialWrites() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        let value = (0..<(8 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        client.send(RESPConnection.encode([Array("SET".utf8), Array("big".utf8), value]))
        XCTAssertEqual(client.readReply(), Array("+OK\r\n".utf8))
        client.send(RESPConnection.encode([Array("GET".utf8), Array("big".utf8)]))
        let reply = try XCTUnwrap(client.readReply())
        XCTAssertEqual(Array(reply.suffix(value.count + 2).prefix(value.count)), value)
    }

    func testProtocolErrorClosesOnlyThatConnection() throws {
        let server = try ServerProcess()
        let good = try server.connect()
        XCTAssertEqual(good.command("SET", "k", "v"), "+OK\r\n")
        let bad = try server.connect()
        bad.send("*1\r\nx\r\n")
        XCTAssertEqual(bad.readReply().map { String(decoding: $0, as: UTF8.self) },
                       "-ERR Protocol error: expected '$', got 'x'\r\n")
        XCTAssertTrue(bad.readsEOF(), "the server closes after a protocol error")
        let huge = try server.connect()
        huge.send("*1\r\n$999999999999\r\n")
        XCTAssertEqual(huge.readReply().map { String(decoding: $0, as: UTF8.self) },
                       "-ERR Protocol error: invalid bulk length\r\n")
        XCTAssertEqual(good.command("GET", "k"), "$1\r\nv\r\n")
    }

    func testManyConcurrentConnections() throws {
        let server = try ServerProcess()
        var clients: [RESPConnection] = []
        for _ in 0..<500 { clients.append(try server.connect()) }
        for (i, client) in clients.enumerated() {
            client.send(RESPConnection.encode([Array("SET".utf8), Array("c\(i)".utf8), Array("\(i)".utf8)]))
        }
        for client in clients { XCTAssertEqual(client.readReply(), Array("+OK\r\n".utf8)) }
        let checker = try server.connect()
        XCTAssertEqual(checker.command("DBSIZE"), ":500\r\n")
    }

    /// Many unpipelined clients whose requests arrive in one wait: the worker looks ahead at the
    /// receives' keys (Worker.prefetchArrivals). Same key names in four databases, requests split
    /// across receives, and requests whose second argument is no key must all come out right.
    func testRequestsOfManyClientsArrivingTogether() throws {
        let server = try ServerProcess()
        var clients: [RESPConnection] = []
        for i in 0..<64 {
            let client = try server.connect()
            XCTAssertEqual(client.command("SELECT", "\(i % 4)"), "+OK\r\n")
            clients.append(client)
        }
        for round in 0..<20 {
            for (i, client) in clients.enumerated() {
                let set = RESPConnection.encode(["SET", "k\(i / 4)", "v\(round)-\(i)"].map { Array($0.utf8) })
                if i % 8 == 7 {          // split: the first receive holds half a request
                    client.send(Array(set[..<(set.count / 2)]))
                    client.send(Array(set[(set.count / 2)...]))
                } else {
                    client.send(set)
                }
            }
            for client in clients { XCTAssertEqual(client.readReply(), Array("+OK\r\n".utf8)) }
            for (i, client) in clients.enumerated() {
                let args = i % 16 == 5 ? ["ECHO", "k\(i / 4)"] : ["GET", "k\(i / 4)"]
                client.send(RESPConnection.encode(args.map { Array($0.utf8) }))
            }
            for (i, client) in clients.enumerated() {
                let expected = i % 16 == 5 ? "k\(i / 4)" : "v\(round)-\(i)"
                XCTAssertEqual(client.readReply(), Array("$\(expected.utf8.count)\r\n\(expected)\r\n".utf8))
            }
        }
        for db in 0..<4 {
            XCTAssertEqual(clients[db].command("DBSIZE"), ":16\r\n")
        }
    }

    func testClientThatNeverReadsDoesNotStallOthers() throws {
        let server = try ServerProcess()
        let setup = try server.connect()
        let value = String(repeating: "x", count: 100_000)
        XCTAssertEqual(setup.command("SET", "blob", value), "+OK\r\n")
        let lazy = try server.connect()
        var batch: [UInt8] = []
        for _ in 0..<500 { batch += RESPConnection.encode([Array("GET".utf8), Array("blob".utf8)]) }
        lazy.send(batch) // 50 MB of replies that nobody reads
        let other = try server.connect()
        for i in 0..<100 { XCTAssertEqual(other.command("SET", "o\(i)", "1"), "+OK\r\n") }
    }

    func testActiveExpiryRemovesKeysWithoutAccess() throws {
        let server = try ServerProcess()
        let client = try server.connect()
        for i in 0..<100 { XCTAssertEqual(client.command("SET", "t\(i)", "v", "PX", "100"), "+OK\r\n") }
        XCTAssertEqual(client.command("DBSIZE"), ":100\r\n")
        usleep(400_000)
        XCTAssertEqual(client.command("DBSIZE"), ":0\r\n", "the wheel removed keys nobody touched")
    }

    func testBadConfigurationStopsStartup() throws {
        let (status, _, text) = try ServerProcess.runToExit(["--port", "notanumber"])
        XCTAssertEqual(status, 1)
        XCTAssertTrue(text.contains("'port notanumber'"), text)
        XCTAssertTrue(text.contains("argument couldn't be parsed into an integer"), text)
    }
}
