import Commands
import XCTest

/// INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT. Expected bytes were taken from redis-server 7.0.15.
final class StringNumericTests: XCTestCase {
    let null = "$-1\r\n"
    let notInteger = "-ERR value is not an integer or out of range\r\n"
    let notFloat = "-ERR value is not a valid float\r\n"

    func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }

    // MARK: INCR family

    func testIncrDecr() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["incr", "n"]), ":1\r\n")
        XCTAssertEqual(h.run(["incr", "n"]), ":2\r\n")
        XCTAssertEqual(h.run(["decr", "n"]), ":1\r\n")
        XCTAssertEqual(h.run(["decr", "m"]), ":-1\r\n")
        XCTAssertEqual(h.run(["incrby", "n", "100"]), ":101\r\n")
        XCTAssertEqual(h.run(["incrby", "n", "-1000"]), ":-899\r\n")
        XCTAssertEqual(h.run(["decrby", "n", "-899"]), ":0\r\n")
        XCTAssertEqual(h.run(["get", "n"]), "$1\r\n0\r\n")
        h.run(["set", "i", "5"])
        XCTAssertEqual(h.run(["decrby", "i", "10"]), ":-5\r\n")
        XCTAssertEqual(h.run(["get", "i"]), "$2\r\n-5\r\n")
        XCTAssertEqual(h.run(["incrby", "x", "-9223372036854775808"]), ":-9223372036854775808\r\n")
        XCTAssertEqual(h.run(["incrby", "x", "0"]), ":-9223372036854775808\r\n")
        XCTAssertEqual(h.run(["incrby", "i", "12345678901234"]), ":12345678901229\r\n")
        XCTAssertEqual(h.run(["get", "i"]), bulk("12345678901229"))
    }

    func testIncrErrors() {
        let h = CommandHarness()
        let overflow = "-ERR increment or decrement would overflow\r\n"
        h.run(["set", "s", "hello"])
        XCTAssertEqual(h.run(["incr", "s"]), notInteger)
        XCTAssertEqual(h.run(["incrby", "s", "abc"]), notInteger)
        XCTAssertEqual(h.run(["incrby", "n", "1.5"]), notInteger)
        XCTAssertEqual(h.run(["decrby", "n", ""]), notInteger)
        for bad in [" 1", "01", "+1", "18446744073709551616", "-0", "1 ", ""] {
            h.run(["set", "i", bad])
            XCTAssertEqual(h.run(["incr", "i"]), notInteger, bad)
            XCTAssertEqual(h.run(["get", "i"]), bulk(bad))
        }
        h.run(["set", "i", "9223372036854775807"])
        XCTAssertEqual(h.run(["incr", "i"]), overflow)
        XCTAssertEqual(h.run(["decrby", "i", "-1"]), overflow)
        XCTAssertEqual(h.run(["get", "i"]), bulk("9223372036854775807"))
        h.run(["set", "i", "-9223372036854775808"])
        XCTAssertEqual(h.run(["decr", "i"]), overflow)
        XCTAssertEqual(h.run(["decrby", "i", "1"]), overflow)
        XCTAssertEqual(h.run(["incrby", "i", "-1"]), overflow)
        XCTAssertEqual(h.run(["decrby", "x", "-9223372036854775808"]), "-ERR decrement would overflow\r\n")
        XCTAssertEqual(h.run(["get", "x"]), null)
        XCTAssertEqual(h.run(["incr", "a", "b"]), "-ERR wrong number of arguments for 'incr' command\r\n")
    }

    func testIncrKeepsTTL() {
        let h = CommandHarness()
        h.run(["set", "n", "9", "px", "100"])
        XCTAssertEqual(h.run(["incr", "n"]), ":10\r\n")
        XCTAssertEqual(h.run(["incrbyfloat", "n", "0.5"]), bulk("10.5"))
        h.clock.advance(by: 101)
        XCTAssertEqual(h.run(["get", "n"]), null)
        XCTAssertEqual(h.run(["incr", "n"]), ":1\r\n")
    }

    // MARK: INCRBYFLOAT

    func testIncrbyfloatLongDoubleResults() {
        let h = CommandHarness()
        h.run(["set", "f", "10.50"])
        XCTAssertEqual(h.run(["incrbyfloat", "f", "0.1"]), bulk("10.6"))
        XCTAssertEqual(h.run(["incrbyfloat", "f", "0.1"]), bulk("10.7"))
        XCTAssertEqual(h.run(["get", "f"]), bulk("10.7"))
        XCTAssertEqual(h.run(["incrbyfloat", "x", "0.1"]), bulk("0.1"))
        XCTAssertEqual(h.run(["incrbyfloat", "x", "0.1"]), bulk("0.2"))
        XCTAssertEqual(h.run(["incrbyfloat", "x", "0.1"]), bulk("0.3"))
        XCTAssertEqual(h.run(["incrbyfloat", "y", "5.0e3"]), bulk("5000"))
        XCTAssertEqual(h.run(["incrbyfloat", "y", "2.0e2"]), bulk("5200"))
        let cases: [(String, String)] = [
            ("1.5", "1.5"), ("-3.25", "-3.25"), ("3", "3"), ("-0.0", "0"), ("0x10", "16"), ("0x1p3", "8"),
            ("+5", "5"), (".5", "0.5"), ("5.", "5"), ("1e-4940", "0"), ("-1e-20", "0"), ("1e-20", "0"),
            ("0.00000000000000001", "0.00000000000000001"), ("0.000000000000000001", "0"),
            ("123456789012345678901234567890", "123456789012345678899921813504"),
            ("0.000003814697265625", "0.00000381469726562"), ("0.000011444091796875", "0.00001144409179688"),
            ("1.000003814697265625", "1.00000381469726562"), ("-0.000003814697265625", "-0.00000381469726562"),
            ("0.99999999999999999999", "1"), ("9.999999999999999999", "10"),
            ("18446744073709551615", "18446744073709551615"), ("18446744073709551616", "18446744073709551616"),
            ("1e20", "100000000000000000000"), ("0.123456789012345678901", "0.12345678901234568"),
            ("1e308", "99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048"),
        ]
        for (index, (increment, expected)) in cases.enumerated() {
            XCTAssertEqual(h.run(["incrbyfloat", "c\(index)", increment]), bulk(expected), increment)
        }
        h.run(["set", "int", "7"])
        XCTAssertEqual(h.run(["incrbyfloat", "int", "0.5"]), bulk("7.5"))
        h.run(["set", "w", "1.5"])
        XCTAssertEqual(h.run(["incrbyfloat", "w", "-1.5"]), bulk("0"))
    }

    func testIncrbyfloatHugeValues() {
        let h = CommandHarness()
        let reply = h.run(["incrbyfloat", "z", "1e4000"])
        XCTAssertTrue(reply.hasPrefix("$4000\r\n99999999999999999999654638730996237849324925835069576313015083330432619433063"),
                      String(reply.prefix(100)))
        XCTAssertTrue(reply.hasSuffix("729951206648276349901340672\r\n"), String(reply.suffix(40)))
        XCTAssertEqual(reply.utf8.count, 4000 + 9)
        XCTAssertEqual(h.run(["incrbyfloat", "z", "-1e4000"]), bulk("0"))
        XCTAssertEqual(h.run(["incrbyfloat", "t9", "1.7976931348623157e308"]),
                       bulk("179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384"))
        h.run(["set", "big", "1e4932"])
        XCTAssertEqual(h.run(["incrbyfloat", "big", "1e4932"]), "-ERR increment would produce NaN or Infinity\r\n")
    }

    func testIncrbyfloatErrors() {
        let h = CommandHarness()
        let nanOrInf = "-ERR increment would produce NaN or Infinity\r\n"
        XCTAssertEqual(h.run(["incrbyfloat", "u", "inf"]), nanOrInf)
        XCTAssertEqual(h.run(["incrbyfloat", "u", "infinity"]), nanOrInf)
        XCTAssertEqual(h.run(["incrbyfloat", "u", "-inf"]), nanOrInf)
        for bad in ["nan", "abc", " 1", "1 ", "", "1e5000", "1e-5000", "1.5x", "--1"] {
            XCTAssertEqual(h.run(["incrbyfloat", "u", bad]), notFloat, bad)
        }
        XCTAssertEqual(h.runBytes([Array("incrbyfloat".utf8), Array("u".utf8), Array("1\0".utf8)]),
                       Array(notFloat.utf8))
        XCTAssertEqual(h.run(["get", "u"]), null)
        h.run(["set", "s", "abc"])
        XCTAssertEqual(h.run(["incrbyfloat", "s", "1"]), notFloat)
        XCTAssertEqual(h.run(["incrbyfloat", "s", "abc"]), notFloat)
        h.run(["set", "s", "inf"])
        XCTAssertEqual(h.run(["incrbyfloat", "s", "1"]), nanOrInf)
        XCTAssertEqual(h.run(["incrbyfloat", "s", String(repeating: "1", count: 5120)]), notFloat)
    }
}
