import XCTest
@testable import Bytes

final class GlobMatchTests: XCTestCase {
    func m(_ p: String, _ s: String, nocase: Bool = false) -> Bool {
        withBytes(p) { pp in withBytes(s) { ByteStrings.globMatch(pattern: pp, string: $0, ignoringCase: nocase) } }
    }

    func testBasics() {
        XCTAssertTrue(m("*", "anything"))
        // Redis quirk: the loop never runs for an empty string, so "*" does not match "" (KEYS and
        // SCAN special-case a lone "*" before calling stringmatchlen).
        XCTAssertFalse(m("*", ""))
        XCTAssertTrue(m("", ""))
        XCTAssertFalse(m("", "a"))
        XCTAssertFalse(m("a", ""))
        XCTAssertTrue(m("h?llo", "hello"))
        XCTAssertFalse(m("h?llo", "hllo"))
        XCTAssertTrue(m("h*llo", "hllo"))
        XCTAssertTrue(m("h*llo", "heeeello"))
        XCTAssertTrue(m("user:*:name", "user:42:name"))
        XCTAssertFalse(m("user:*:name", "user:42:names"))
        XCTAssertTrue(m("a**b", "ab"))
        XCTAssertTrue(m("ab*", "ab"))
        XCTAssertTrue(m("ab**", "ab"))
        XCTAssertFalse(m("a?", "a"))
        XCTAssertFalse(m("*a*b", "xxbxxa"))
        XCTAssertTrue(m("*a*b", "xxaxxb"))
    }

    func testClasses() {
        XCTAssertTrue(m("h[ae]llo", "hallo"))
        XCTAssertFalse(m("h[ae]llo", "hillo"))
        XCTAssertTrue(m("h[^e]llo", "hallo"))
        XCTAssertFalse(m("h[^e]llo", "hello"))
        XCTAssertTrue(m("h[a-b]llo", "hbllo"))
        XCTAssertTrue(m("h[b-a]llo", "hallo"), "reversed ranges are swapped")
        XCTAssertFalse(m("h[a-b]llo", "hcllo"))
        XCTAssertTrue(m("[\\]]", "]"))
        // "[a-]" is the range ']'...'a' (swapped), as in Redis.
        XCTAssertTrue(m("[a-]", "_"))
        XCTAssertFalse(m("[a-]", "-"))
        // Unterminated class: Redis treats the end of the pattern as the end of the class.
        XCTAssertTrue(m("[abc", "b"))
        XCTAssertFalse(m("[abc", "d"))
        XCTAssertFalse(m("[", "x"))
        XCTAssertTrue(m("[^", "x"), "an empty negated class matches any one byte")
    }

    func testEscapesAndCase() {
        XCTAssertTrue(m("\\*", "*"))
        XCTAssertFalse(m("\\*", "a"))
        XCTAssertTrue(m("a\\?", "a?"))
        XCTAssertTrue(m("a\\", "a\\"), "a trailing backslash matches itself")
        XCTAssertTrue(m("HELLO", "hello", nocase: true))
        XCTAssertFalse(m("HELLO", "hello"))
        XCTAssertTrue(m("[A-C]x", "bX", nocase: true))
        XCTAssertFalse(m("[A-C]x", "bx"))
    }

    func testSignedCharRanges() {
        // Redis compares range bounds as signed chars: 0xE9 is negative, so [a-\xE9] spans
        // [-23, 'a'] and contains digits but not 'b'.
        let pattern: [UInt8] = [UInt8(ascii: "["), UInt8(ascii: "a"), UInt8(ascii: "-"), 0xE9, UInt8(ascii: "]")]
        func mm(_ s: [UInt8]) -> Bool {
            withBytes(pattern) { p in withBytes(s) { ByteStrings.globMatch(pattern: p, string: $0, ignoringCase: false) } }
        }
        XCTAssertTrue(mm([UInt8(ascii: "5")]))
        XCTAssertFalse(mm([UInt8(ascii: "b")]))
        XCTAssertTrue(mm([0xF0]))
    }

    func testPathologicalPatternTerminates() {
        let p = String(repeating: "a*", count: 40) + "b"
        let s = String(repeating: "a", count: 60)
        XCTAssertFalse(m(p, s))
        // Beyond 1000 nesting levels Redis gives up and reports no match.
        XCTAssertFalse(m(String(repeating: "*a", count: 1100), String(repeating: "a", count: 1100)))
        XCTAssertTrue(m(String(repeating: "*a", count: 900), String(repeating: "a", count: 900)))
    }
}

final class ByteHashTests: XCTestCase {
    func h(_ a: [UInt8], _ seed: UInt64 = 0) -> UInt64 { withBytes(a) { ByteHash.hash($0, seed: seed) } }

    func testDeterministicAndSeeded() {
        let a = Array("session:12345".utf8)
        XCTAssertEqual(h(a), h(a))
        XCTAssertNotEqual(h(a, 1), h(a, 2))
        XCTAssertNotEqual(h([]), h([0]))
        XCTAssertNotEqual(h([0]), h([0, 0]))
    }

    func testEveryLengthAndAlignment() {
        // Lengths straddle the 3/4/8/16/48-byte code paths; a one-bit change must change the hash.
        let big = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var seen = Set<UInt64>()
        for len in 0...200 {
            let x = Array(big[0..<len])
            let v = h(x)
            XCTAssertTrue(seen.insert(v).inserted, "collision at length \(len)")
            // An unaligned start must hash the same bytes the same way.
            let unaligned = big.withUnsafeBytes {
                ByteHash.hash(UnsafeRawBufferPointer(rebasing: $0[1..<(len + 1)]), seed: 0)
            }
            XCTAssertEqual(unaligned, h(Array(big[1..<(len + 1)])))
            if len > 0 {
                var y = x
                y[len / 2] ^= 1
                XCTAssertNotEqual(h(y), v, "bit flip at length \(len)")
            }
        }
    }

    func testDistribution() {
        // 64k sequential keys into 256 buckets by the low byte: each bucket near 256.
        var buckets = [Int](repeating: 0, count: 256)
        for i in 0..<65536 {
            let k = Array("key:\(i)".utf8)
            buckets[Int(h(k, 0x1234) & 255)] += 1
        }
        XCTAssertLessThan(buckets.max()!, 400)
        XCTAssertGreaterThan(buckets.min()!, 150)
    }
}
