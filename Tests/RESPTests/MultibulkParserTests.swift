import XCTest
@testable import RESP
import Bytes

final class MultibulkParserTests: XCTestCase {
    /// Requests with the argv Redis would build for them.
    let corpus: [(String, [[String]])] = [
        ("*1\r\n$4\r\nPING\r\n", [["PING"]]),
        ("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", [["SET", "key", "value"]]),
        ("*2\r\n$3\r\nGET\r\n$0\r\n\r\n", [["GET", ""]]),
        ("*2\r\n$4\r\nECHO\r\n$6\r\na\r\nb\nc\r\n", [["ECHO", "a\r\nb\nc"]]),
        ("*2\r\n$4\r\nECHO\r\n$3\r\n\0\u{7F}\0\r\n", [["ECHO", "\0\u{7F}\0"]]),
        ("*0\r\n*1\r\n$4\r\nPING\r\n", [["PING"]]),
        ("*-1\r\n*1\r\n$1\r\nx\r\n", [["x"]]),
        ("*1\r\n$12\r\nhello world!\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n", [["hello world!"], ["DEL", "k"]]),
        // Mixed with inline commands in one pipeline.
        ("PING\r\n*1\r\n$4\r\nPING\r\nECHO \"x y\"\n", [["PING"], ["PING"], ["ECHO", "x y"]]),
        // Redis skips the byte after a count line's '\r' and the two bytes after bulk data unchecked.
        ("*1\rX$2\rYabZZ", [["ab"]]),
    ]

    func testWholeBuffers() {
        for (req, expected) in corpus {
            let out = feed(bytes(req))
            XCTAssertNil(out.error, req.debugDescription)
            XCTAssertEqual(out.commands, expected, req.debugDescription)
            XCTAssertEqual(out.leftover, 0, req.debugDescription)
        }
    }

    func testEverySplitPoint() {
        for (req, expected) in corpus {
            let input = bytes(req)
            for k in 0...input.count {
                let out = feed(input, chunks: chunks(of: input.count, splitAt: k))
                XCTAssertEqual(out.commands, expected, "\(req.debugDescription) split at \(k)")
                XCTAssertNil(out.error)
                XCTAssertEqual(out.leftover, 0)
            }
        }
    }

    func testByteByByte() {
        for (req, expected) in corpus {
            let input = bytes(req)
            let out = feed(input, chunks: Array(repeating: 1, count: input.count))
            XCTAssertEqual(out.commands, expected, req.debugDescription)
            XCTAssertEqual(out.leftover, 0)
        }
    }

    func testAllCorpusAsOnePipelineByteByByteAndReadOnly() {
        let all = corpus.map(\.0).joined()
        let expected = corpus.flatMap(\.1)
        XCTAssertEqual(feed(bytes(all)).commands, expected)
        XCTAssertEqual(feed(bytes(all), chunks: Array(repeating: 1, count: bytes(all).count)).commands, expected)
        XCTAssertEqual(feed(bytes(all), chunks: Array(repeating: 7, count: 100)).commands, expected)
        XCTAssertEqual(feed(bytes(all), mutable: false).commands, expected)
    }

    func testEmptyCommandsAndConsumed() {
        var parser = RequestParser()
        var argv = ArgumentVector()
        for (req, consumed) in [("*0\r\n", 4), ("*-1\r\n", 5), ("*-100\r\n", 7)] {
            let r = bytes(req).withUnsafeBytes { parser.parse($0, into: &argv) }
            XCTAssertEqual(r, .command(consumed: consumed))
            XCTAssertEqual(argv.count, 0)
        }
        let r = bytes("*2\r\n$1\r\na\r\n$1\r\nb\r\nrest").withUnsafeBytes { parser.parse($0, into: &argv) }
        XCTAssertEqual(r, .command(consumed: 18))
        XCTAssertEqual(argv.count, 2)
        XCTAssertEqual(argv.ranges[1].offset, 15)
    }

    func testIncompleteKeepsState() {
        // A large bulk arriving in pieces: after the header is parsed the parser waits on length only.
        var parser = RequestParser()
        var argv = ArgumentVector()
        let payload = [UInt8](repeating: 0x41, count: 100_000)
        var input = bytes("*2\r\n$3\r\nSET\r\n$100000\r\n")
        XCTAssertEqual(input.withUnsafeBytes { parser.parse($0, into: &argv) }, .incomplete)
        XCTAssertEqual(argv.count, 1)
        input += payload[0..<50_000]
        XCTAssertEqual(input.withUnsafeBytes { parser.parse($0, into: &argv) }, .incomplete)
        input += payload[50_000...]
        input += bytes("\r")
        XCTAssertEqual(input.withUnsafeBytes { parser.parse($0, into: &argv) }, .incomplete)
        input += bytes("\n")
        XCTAssertEqual(input.withUnsafeBytes { parser.parse($0, into: &argv) }, .command(consumed: input.count))
        XCTAssertEqual(argv.count, 2)
        XCTAssertEqual(argv.ranges[1].count, 100_000)
        // The parser is idle again: a fresh command parses from scratch.
        XCTAssertEqual(bytes("*1\r\n$1\r\nz\r\n").withUnsafeBytes { parser.parse($0, into: &argv) }, .command(consumed: 11))
        XCTAssertEqual(argv.count, 1)
    }

    func testLostArgumentsRestartsSafely() {
        var parser = RequestParser()
        var argv = ArgumentVector()
        let input = bytes("*2\r\n$1\r\na\r\n$1\r\nb\r\n")
        XCTAssertEqual(input[0..<12].withUnsafeBytes { parser.parse($0, into: &argv) }, .incomplete)
        argv.removeAll()
        XCTAssertEqual(input.withUnsafeBytes { parser.parse($0, into: &argv) }, .command(consumed: input.count))
        XCTAssertEqual(argv.count, 2)
    }

    func testManyArgumentsGrowVector() {
        var req = "*1000\r\n"
        for i in 0..<1000 { req += "$\(String(i).utf8.count)\r\n\(i)\r\n" }
        let out = feed(bytes(req))
        XCTAssertEqual(out.commands.count, 1)
        XCTAssertEqual(out.commands[0].count, 1000)
        XCTAssertEqual(out.commands[0][999], "999")
    }

    func testLeadingZeroAndLongLengthsUseExactPath() {
        // "$01" is not a valid string2ll: the fast path must not accept it.
        XCTAssertEqual(feed(bytes("*1\r\n$01\r\na\r\n")).error, .invalidBulkLength)
        XCTAssertEqual(feed(bytes("*01\r\n$1\r\na\r\n")).error, .invalidMultibulkLength)
        XCTAssertEqual(feed(bytes("*1\r\n$0000000000000000000001\r\na\r\n")).error, .invalidBulkLength)
        XCTAssertEqual(feed(bytes("*1\r\n$+1\r\na\r\n")).error, .invalidBulkLength)
    }
}
