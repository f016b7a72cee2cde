import XCTest
@testable import Bytes

final class ByteStringsTests: XCTestCase {
    func int(_ s: String) -> Int64? { withBytes(s) { ByteStrings.parseInt64($0) } }
    func dbl(_ s: String) -> Double? { withBytes(s) { ByteStrings.parseDouble($0) } }
    func human(_ v: Double) -> String { formatted { ByteStrings.formatHumanDouble(v, into: $0) } }
    func g17(_ v: Double) -> String { formatted { ByteStrings.formatDouble(v, into: $0) } }

    func testEquality() {
        XCTAssertTrue(withBytes("EX") { ByteStrings.equalsIgnoringCase($0, "ex") })
        XCTAssertTrue(withBytes("eX") { ByteStrings.equalsIgnoringCase($0, "ex") })
        XCTAssertFalse(withBytes("exx") { ByteStrings.equalsIgnoringCase($0, "ex") })
        XCTAssertFalse(withBytes("e[") { ByteStrings.equalsIgnoringCase($0, "e{") })
        XCTAssertTrue(withBytes("x") { ByteStrings.equalsIgnoringCase($0, "x") })
        XCTAssertTrue(withBytes("") { ByteStrings.equalsIgnoringCase($0, "") })
        XCTAssertTrue(withBytes("abc") { a in withBytes("abc") { ByteStrings.equal(a, $0) } })
        XCTAssertFalse(withBytes("abc") { a in withBytes("abd") { ByteStrings.equal(a, $0) } })
        XCTAssertFalse(withBytes("abc") { a in withBytes("ab") { ByteStrings.equal(a, $0) } })
        XCTAssertTrue(withBytes("") { a in withBytes("") { ByteStrings.equal(a, $0) } })
    }

    func testParseInt64AcceptsLikeString2ll() {
        XCTAssertEqual(int("0"), 0)
        XCTAssertEqual(int("1"), 1)
        XCTAssertEqual(int("-1"), -1)
        XCTAssertEqual(int("1234567890"), 1_234_567_890)
        XCTAssertEqual(int("9223372036854775807"), Int64.max)
        XCTAssertEqual(int("-9223372036854775808"), Int64.min)
    }

    func testParseInt64RejectsLikeString2ll() {
        for s in ["", "-", "+1", " 1", "1 ", "01", "-0", "00", "-01", "1a", "a", "9223372036854775808",
                  "-9223372036854775809", "18446744073709551616", "99999999999999999999",
                  "000000000000000000001", "1.0", "0x10", "1\0"] {
            XCTAssertNil(int(s), "\(s.debugDescription) must be rejected")
        }
    }

    func testParseDouble() {
        XCTAssertEqual(dbl("1"), 1)
        XCTAssertEqual(dbl("1e3"), 1000)
        XCTAssertEqual(dbl(".5"), 0.5)
        XCTAssertEqual(dbl("-2.25"), -2.25)
        XCTAssertEqual(dbl("+3"), 3)
        XCTAssertEqual(dbl("10.5"), 10.5)
        XCTAssertEqual(dbl("0x10"), 16)
        XCTAssertEqual(dbl("inf"), .infinity)
        XCTAssertEqual(dbl("-inf"), -.infinity)
        XCTAssertEqual(dbl("Infinity"), .infinity)
        // strtold stops at an embedded NUL and Redis only checks that *eptr == '\0'.
        XCTAssertEqual(withBytes([UInt8(ascii: "7"), 0, UInt8(ascii: "x")]) { ByteStrings.parseDouble($0) }, 7)
        for s in ["", " 1", "1 ", "\t1", "abc", "1x", "nan", "NaN", "-nan", "1e", "--1", ".", "1e99999", "1e-99999"] {
            XCTAssertNil(dbl(s), "\(s.debugDescription) must be rejected")
        }
        XCTAssertNil(dbl(String(repeating: "1", count: 5120)))
        XCTAssertNotNil(dbl(String(repeating: "1", count: 300)))
    }

    func testFormatHumanDouble() {
        XCTAssertEqual(human(10.5 + 0.1), "10.6")
        XCTAssertEqual(human(5.0e3), "5000")
        XCTAssertEqual(human(3.0), "3")
        XCTAssertEqual(human(0), "0")
        XCTAssertEqual(human(-0.0), "0")
        XCTAssertEqual(human(-1.5), "-1.5")
        XCTAssertEqual(human(0.1), "0.1")
        XCTAssertEqual(human(1e20), "100000000000000000000")
        XCTAssertEqual(human(1e-20), "0")
        XCTAssertEqual(human(3.0e-5), "0.00003")
        XCTAssertEqual(human(.infinity), "inf")
        XCTAssertEqual(human(-.infinity), "-inf")
        XCTAssertEqual(human(5000.0 + 200.0), "5200")
    }

    func testFormatDouble() {
        XCTAssertEqual(g17(1.5), "1.5")
        XCTAssertEqual(g17(0.1), "0.10000000000000001")
        XCTAssertEqual(g17(3), "3")
        XCTAssertEqual(g17(-0.0), "-0")
        XCTAssertEqual(g17(1e300), "1.0000000000000001e+300")
        XCTAssertEqual(g17(.infinity), "inf")
        XCTAssertEqual(g17(-.infinity), "-inf")
        XCTAssertEqual(g17(.nan), "nan")
        XCTAssertEqual(g17(-Double.nan), "nan")
    }

    func testFormatInt64() {
        for v: Int64 in [0, 7, -7, 10, 1_000_000, .max, .min] {
            XCTAssertEqual(formatted { ByteStrings.formatInt64(v, into: $0) }, String(v))
        }
    }
}
