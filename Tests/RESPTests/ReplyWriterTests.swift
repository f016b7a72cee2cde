import XCTest
@testable import RESP
import Bytes

final class ReplyWriterTests: XCTestCase {
    /// Output of `body` for each protocol version: (RESP2, RESP3).
    func out(_ body: (inout ReplyWriter) -> Void) -> (String, String) {
        var two = ReplyWriter(initialCapacity: 8, version: .resp2)
        var three = ReplyWriter(initialCapacity: 8, version: .resp3)
        body(&two)
        body(&three)
        return (String(decoding: two.buffer.readableView, as: UTF8.self),
                String(decoding: three.buffer.readableView, as: UTF8.self))
    }

    func check(_ body: (inout ReplyWriter) -> Void, _ resp2: String, _ resp3: String,
               file: StaticString = #filePath, line: UInt = #line) {
        let (a, b) = out(body)
        XCTAssertEqual(a, resp2, "RESP2", file: file, line: line)
        XCTAssertEqual(b, resp3, "RESP3", file: file, line: line)
    }

    func testSimpleAndErrors() {
        check({ $0.ok() }, "+OK\r\n", "+OK\r\n")
        check({ $0.simple("PONG") }, "+PONG\r\n", "+PONG\r\n")
        check({ w in bytes("QUEUED").withUnsafeBytes { w.simple($0) } }, "+QUEUED\r\n", "+QUEUED\r\n")
        check({ $0.error("ERR syntax error") }, "-ERR syntax error\r\n", "-ERR syntax error\r\n")
        check({ w in
            let a = bytes("ERR unknown command '"), b = bytes("x\r\ny"), c = bytes("'")
            a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in c.withUnsafeBytes { pc in w.error([pa, pb, pc]) } } }
        }, "-ERR unknown command 'x  y'\r\n", "-ERR unknown command 'x  y'\r\n")
    }

    func testScalars() {
        check({ $0.integer(0) }, ":0\r\n", ":0\r\n")
        check({ $0.integer(-42) }, ":-42\r\n", ":-42\r\n")
        check({ $0.integer(Int.min) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n")
        check({ w in bytes("a\r\nb").withUnsafeBytes { w.bulk($0) } }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n")
        check({ w in [UInt8]().withUnsafeBytes { w.bulk($0) } }, "$0\r\n\r\n", "$0\r\n\r\n")
        check({ $0.bulk("hello") }, "$5\r\nhello\r\n", "$5\r\nhello\r\n")
        check({ $0.bulk(decimal: 1234) }, "$4\r\n1234\r\n", "$4\r\n1234\r\n")
        check({ $0.bulk(decimal: -7) }, "$2\r\n-7\r\n", "$2\r\n-7\r\n")
        check({ $0.bulk(decimal: 0) }, "$1\r\n0\r\n", "$1\r\n0\r\n")
        check({ $0.null() }, "$-1\r\n", "_\r\n")
        check({ $0.nullArray() }, "*-1\r\n", "_\r\n")
        check({ $0.boolean(true) }, ":1\r\n", "#t\r\n")
        check({ $0.boolean(false) }, ":0\r\n", "#f\r\n")
    }

    func testDoubles() {
        check({ $0.double(1.5) }, "$3\r\n1.5\r\n", ",1.5\r\n")
        check({ $0.double(0.1) }, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n")
        check({ $0.double(3) }, "$1\r\n3\r\n", ",3\r\n")
        check({ $0.double(.infinity) }, "$3\r\ninf\r\n", ",inf\r\n")
        check({ $0.double(-.infinity) }, "$4\r\n-inf\r\n", ",-inf\r\n")
        check({ $0.double(.nan) }, "$3\r\nnan\r\n", ",nan\r\n")
    }

    func testAggregates() {
        check({ $0.array(count: 3) }, "*3\r\n", "*3\r\n")
        check({ $0.array(count: 0) }, "*0\r\n", "*0\r\n")
        check({ $0.map(count: 2) }, "*4\r\n", "%2\r\n")
        check({ $0.set(count: 5) }, "*5\r\n", "~5\r\n")
        check({ $0.push(count: 3) }, "*3\r\n", ">3\r\n")
    }

    func testVerbatim() {
        check({ w in bytes("# Server\r\n").withUnsafeBytes { w.verbatim($0) } },
              "$10\r\n# Server\r\n\r\n", "=14\r\ntxt:# Server\r\n\r\n")
        check({ w in bytes("x").withUnsafeBytes { w.verbatim($0, format: "mkd") } }, "$1\r\nx\r\n", "=5\r\nmkd:x\r\n")
    }

    func testDeferred() {
        check({ w in
            let t = w.beginDeferred(UInt8(ascii: "*"))
            w.bulk("a"); w.bulk("b")
            w.finishDeferred(t, count: 2)
        }, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n")
        check({ w in
            let t = w.beginDeferred(UInt8(ascii: "%"))
            w.bulk("k"); w.integer(1)
            w.finishDeferred(t, count: 1)
        }, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n")
        check({ w in
            let t = w.beginDeferred(UInt8(ascii: "~"))
            w.finishDeferred(t, count: 0)
        }, "*0\r\n", "~0\r\n")
        // Nested, with something before it, and a body large enough to force buffer growth.
        let (two, _) = out { w in
            w.ok()
            let outer = w.beginDeferred(UInt8(ascii: "*"))
            let inner = w.beginDeferred(UInt8(ascii: "*"))
            for i in 0..<1000 { w.integer(i) }
            w.finishDeferred(inner, count: 1000)
            w.bulk("end")
            w.finishDeferred(outer, count: 2)
            w.integer(7)
        }
        var expected = "+OK\r\n*2\r\n*1000\r\n"
        for i in 0..<1000 { expected += ":\(i)\r\n" }
        expected += "$3\r\nend\r\n:7\r\n"
        XCTAssertEqual(two, expected)
    }

    func testVersionSwitchAtRuntime() {
        var w = ReplyWriter(initialCapacity: 16)
        w.null()
        w.version = .resp3
        w.null()
        XCTAssertEqual(String(decoding: w.buffer.readableView, as: UTF8.self), "$-1\r\n_\r\n")
    }

    func testRepliesRoundTripThroughParserAsRequests() {
        // A bulk array written by the writer is a valid multibulk request.
        var w = ReplyWriter(initialCapacity: 16)
        w.array(count: 3)
        w.bulk("SET"); w.bulk("k"); w.bulk("v\r\n")
        let data = Array(w.buffer.readableView)
        XCTAssertEqual(feed(data).commands, [["SET", "k", "v\r\n"]])
    }
}
