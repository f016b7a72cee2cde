import XCTest
@testable import RESP
import Bytes

final class InlineParserTests: XCTestCase {
    func argv(_ line: String) -> [String]? {
        let out = feed(bytes(line + "\n"))
        return out.error == nil ? (out.commands.first ?? []) : nil
    }

    func testSplitting() {
        XCTAssertEqual(argv("PING"), ["PING"])
        XCTAssertEqual(argv("SET  key\tvalue  "), ["SET", "key", "value"])
        XCTAssertEqual(argv(""), [])
        XCTAssertEqual(argv("   "), [])
        XCTAssertEqual(argv("a\u{0B}b"), ["a\u{0B}b"], "\\v ends no word, though isspace skips it")
        XCTAssertEqual(argv("\u{0B}\u{0C}a"), ["a"])
        XCTAssertEqual(argv("a\rb"), ["a", "b"])
        XCTAssertEqual(argv("a\\nb"), ["a\\nb"], "no escapes outside quotes")
    }

    func testDoubleQuotes() {
        XCTAssertEqual(argv("SET k \"hello world\""), ["SET", "k", "hello world"])
        XCTAssertEqual(argv("\"\""), [""])
        XCTAssertEqual(argv("\"a\\nb\\r\\t\\b\\a\\\\\\\"\""), ["a\nb\r\t\u{08}\u{07}\\\""])
        XCTAssertEqual(argv("\"\\x41\\x7a\\x00\\xFf\""), ["Az\0\u{FF}"])
        XCTAssertEqual(argv("\"\\x4g\""), ["x4g"], "\\x without two hex digits is a plain escape")
        XCTAssertEqual(argv("\"\\q\""), ["q"])
        XCTAssertEqual(argv("foo\"bar baz\""), ["foobar baz"], "a quote may open mid-word")
        XCTAssertEqual(argv("\"a\"\t\"b\""), ["a", "b"])
        XCTAssertNil(argv("\"a\"b"), "closing quote must be followed by space")
        XCTAssertNil(argv("\"abc"))
        XCTAssertNil(argv("\"abc\\"))
    }

    func testSingleQuotes() {
        XCTAssertEqual(argv("'hello world'"), ["hello world"])
        XCTAssertEqual(argv("'it\\'s'"), ["it's"])
        XCTAssertEqual(argv("'a\\nb'"), ["a\\nb"], "only \\' is an escape in single quotes")
        XCTAssertEqual(argv("'a\"b'"), ["a\"b"])
        XCTAssertNil(argv("'a'b"))
        XCTAssertNil(argv("'abc"))
    }

    func testLineEndings() {
        XCTAssertEqual(feed(bytes("GET a\r\nGET b\nGET c\r\n")).commands, [["GET", "a"], ["GET", "b"], ["GET", "c"]])
        XCTAssertEqual(feed(bytes("\r\n\n*1\r\n$1\r\nx\r\n")).commands, [["x"]])
        XCTAssertEqual(feed(bytes("GET \"a\"\r\n")).commands, [["GET", "a"]])
    }

    func testEverySplitPoint() {
        let input = bytes("SET k \"v\\x41 w\"\r\nGET 'it\\'s'\nPING\r\n")
        let expected = [["SET", "k", "vA w"], ["GET", "it's"], ["PING"]]
        for k in 0...input.count {
            XCTAssertEqual(feed(input, chunks: chunks(of: input.count, splitAt: k)).commands, expected, "split \(k)")
        }
        XCTAssertEqual(feed(input, chunks: Array(repeating: 1, count: input.count)).commands, expected)
    }

    func testUnescapeStaysInsideTheCommand() {
        // In-place unescaping must not touch the next pipelined command.
        let input = bytes("ECHO \"\\x41\\x42\" 'x\\'y'\n*1\r\n$4\r\nPING\r\n")
        XCTAssertEqual(feed(input).commands, [["ECHO", "AB", "x'y"], ["PING"]])
    }

    func testReadOnlyOverload() {
        XCTAssertEqual(feed(bytes("SET k \"plain quoted\" 'x'\n"), mutable: false).commands, [["SET", "k", "plain quoted", "x"]])
        XCTAssertEqual(feed(bytes("ECHO \"a\\nb\"\n"), mutable: false).error, .inlineNeedsMutableInput)
        XCTAssertEqual(feed(bytes("ECHO a\"b c\"\n"), mutable: false).error, .inlineNeedsMutableInput)
        XCTAssertEqual(feed(bytes("ECHO \"a\n"), mutable: false).error, .unbalancedQuotes)
    }
}
