import XCTest
@testable import RESP
import Bytes

/// Redis `authRequired`: before AUTH a request may have at most 10 arguments of at most 16384 bytes.
final class UnauthenticatedLimitTests: XCTestCase {
    var limits: ParserLimits {
        var limits = ParserLimits()
        limits.unauthenticated = true
        return limits
    }

    func testMultibulkLength() {
        XCTAssertEqual(feed(bytes("*11\r\n"), limits: limits).error, .unauthenticatedMultibulkLength)
        XCTAssertNil(feed(bytes("*10\r\n"), limits: limits).error)
        XCTAssertNil(feed(bytes("*11\r\n")).error, "no limit once authenticated")
        // An invalid count is still reported as invalid first, as Redis checks it first.
        XCTAssertEqual(feed(bytes("*2147483648\r\n"), limits: limits).error, .invalidMultibulkLength)
    }

    func testBulkLengthOnBothHeaderPaths() {
        // Whole (fast header path) and byte by byte (exact path: the line is never complete at once).
        let input = bytes("*1\r\n$16385\r\n")
        XCTAssertEqual(feed(input, limits: limits).error, .unauthenticatedBulkLength)
        XCTAssertEqual(feed(input, chunks: Array(repeating: 1, count: input.count), limits: limits).error,
                       .unauthenticatedBulkLength)
        XCTAssertNil(feed(bytes("*1\r\n$16384\r\n"), limits: limits).error)
        // The whole oversized element already in the buffer (the parser's fast element loop).
        let whole = bytes("*2\r\n$3\r\nGET\r\n$16385\r\n" + String(repeating: "x", count: 16385) + "\r\n")
        XCTAssertEqual(feed(whole, limits: limits).error, .unauthenticatedBulkLength)
        XCTAssertEqual(feed(bytes("*1\r\n$-1\r\n"), limits: limits).error, .invalidBulkLength)
        let small = "*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"
        XCTAssertEqual(feed(bytes(small), limits: limits).commands, [["AUTH", "pw"]])
    }

    func testTexts() {
        var w = ReplyWriter(initialCapacity: 64)
        w.error(ProtocolError.unauthenticatedMultibulkLength)
        w.error(ProtocolError.unauthenticatedBulkLength)
        XCTAssertEqual(String(decoding: w.buffer.readableView, as: UTF8.self),
                       "-ERR Protocol error: unauthenticated multibulk length\r\n-ERR Protocol error: unauthenticated bulk length\r\n")
    }
}
