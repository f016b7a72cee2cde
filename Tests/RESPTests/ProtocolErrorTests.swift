import XCTest
@testable import RESP
import Bytes

final class ProtocolErrorTests: XCTestCase {
    func error(_ s: String, limits: ParserLimits = ParserLimits()) -> ProtocolError? {
        feed(bytes(s), limits: limits).error
    }

    func text(_ e: ProtocolError?) -> String {
        guard let e else { return "<none>" }
        var w = ReplyWriter(initialCapacity: 64)
        w.error(e)
        return String(decoding: w.buffer.readableView, as: UTF8.self)
    }

    func testMultibulkLength() {
        for s in ["*x\r\n", "*\r\n", "*1x\r\n", "* 1\r\n", "*+1\r\n", "*2147483648\r\n", "*99999999999999999999\r\n"] {
            XCTAssertEqual(error(s), .invalidMultibulkLength, s.debugDescription)
        }
        XCTAssertEqual(text(error("*x\r\n")), "-ERR Protocol error: invalid multibulk length\r\n")
        XCTAssertNil(error("*2147483647\r\n"), "INT_MAX is allowed; the parser then waits for arguments")
        var limits = ParserLimits()
        limits.maxMultibulkLength = 10
        XCTAssertEqual(error("*11\r\n", limits: limits), .invalidMultibulkLength)
        XCTAssertNil(error("*10\r\n", limits: limits))
    }

    func testExpectedDollar() {
        let e = error("*1\r\n:1\r\n")
        XCTAssertEqual(e, .expectedDollar(got: UInt8(ascii: ":")))
        XCTAssertEqual(text(e), "-ERR Protocol error: expected '$', got ':'\r\n")
        XCTAssertEqual(text(error("*2\r\n$1\r\na\r\nfoo\r\n")), "-ERR Protocol error: expected '$', got 'f'\r\n")
        // Redis prints the raw byte but maps CR/LF to spaces in formatted errors.
        XCTAssertEqual(text(error("*1\r\n\r\n")), "-ERR Protocol error: expected '$', got ' '\r\n")
        XCTAssertNotEqual(error("*1\r\nx\r\n"), error("*1\r\ny\r\n"))
    }

    func testBulkLength() {
        for s in ["*1\r\n$x\r\n", "*1\r\n$-1\r\n", "*1\r\n$\r\n", "*1\r\n$536870913\r\n", "*1\r\n$1 \r\n"] {
            XCTAssertEqual(error(s), .invalidBulkLength, s.debugDescription)
        }
        XCTAssertEqual(text(error("*1\r\n$-1\r\n")), "-ERR Protocol error: invalid bulk length\r\n")
        XCTAssertNil(error("*1\r\n$536870912\r\n"), "proto-max-bulk-len itself is allowed")
        var limits = ParserLimits()
        limits.maxBulkLength = 5
        XCTAssertEqual(error("*1\r\n$6\r\n", limits: limits), .invalidBulkLength)
        XCTAssertEqual(feed(bytes("*1\r\n$5\r\nhello\r\n"), limits: limits).commands, [["hello"]])
    }

    func testTooBigCountStrings() {
        let long = String(repeating: "1", count: 64 * 1024 + 1)
        XCTAssertEqual(error("*" + long), .tooBigMultibulkCount)
        XCTAssertEqual(text(error("*" + long)), "-ERR Protocol error: too big mbulk count string\r\n")
        XCTAssertEqual(error("*1\r\n$" + long), .tooBigBulkCount)
        XCTAssertEqual(text(error("*1\r\n$" + long)), "-ERR Protocol error: too big bulk count string\r\n")
        // Exactly at the limit (remaining bytes == 64k) Redis still waits.
        XCTAssertNil(error("*" + String(repeating: "1", count: 64 * 1024 - 1)))
        // Fed in small pieces, the limit still triggers and nothing is rescanned from scratch.
        let out = feed(bytes("*" + long), chunks: Array(repeating: 4096, count: 20))
        XCTAssertEqual(out.error, .tooBigMultibulkCount)
    }

    func testInlineErrors() {
        let long = String(repeating: "a", count: 64 * 1024 + 1)
        XCTAssertEqual(error(long), .tooBigInlineRequest)
        XCTAssertEqual(text(error(long)), "-ERR Protocol error: too big inline request\r\n")
        XCTAssertNil(error(String(repeating: "a", count: 64 * 1024)))
        var limits = ParserLimits()
        limits.maxInlineLength = 10
        XCTAssertEqual(error("GET abcdefgh", limits: limits), .tooBigInlineRequest)
        XCTAssertEqual(feed(bytes("GET abcdefghijkl\n"), limits: limits).commands, [["GET", "abcdefghijkl"]],
                       "a complete line longer than the limit is fine, as in Redis")
        XCTAssertEqual(error("SET \"a\n"), .unbalancedQuotes)
        XCTAssertEqual(text(error("SET 'a\n")), "-ERR Protocol error: unbalanced quotes in request\r\n")
    }

    func testNulStallsLikeStrchr() {
        // Redis searches with strchr, which stops at NUL: the request never completes.
        XCTAssertEqual(feed(bytes("*1\0\r\n$1\r\na\r\n")).error, nil)
        XCTAssertEqual(feed(bytes("*1\0\r\n$1\r\na\r\n")).leftover, 12)
        XCTAssertEqual(feed(bytes("*1\r\n$\01\r\na\r\n")).commands, [])
        XCTAssertEqual(feed(bytes("GET a\0b\nPING\n")).commands, [])
        // ...until the unterminated request exceeds the inline limit.
        let filler = String(repeating: "x", count: 64 * 1024)
        XCTAssertEqual(feed(bytes("GET a\0b\n" + filler)).error, .tooBigInlineRequest)
        XCTAssertEqual(feed(bytes("*1\r\n$\01\r\n" + filler)).error, .tooBigBulkCount)
    }

    func testEqualityComparesText() {
        XCTAssertEqual(ProtocolError("ERR Protocol error: invalid bulk length"), .invalidBulkLength)
        XCTAssertNotEqual(ProtocolError.invalidBulkLength, .invalidMultibulkLength)
    }
}
