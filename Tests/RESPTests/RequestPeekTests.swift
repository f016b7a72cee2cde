import XCTest
@testable import RESP

final class RequestPeekTests: XCTestCase {
    private func peek(_ s: String, limit: Int = 16) -> (keys: [String], walked: Int) {
        let input = bytes(s)
        var keys: [String] = []
        let walked = input.withUnsafeBytes { raw in
            RequestPeek.keys(raw, limit: limit) { keys.append(String(decoding: $0, as: UTF8.self)) }
        }
        return (keys, walked)
    }

    func testSecondArgumentOfEachCompleteRequest() {
        let pipeline = "*2\r\n$3\r\nGET\r\n$5\r\nuser1\r\n*1\r\n$4\r\nPING\r\n"
            + "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\nva\r\nl\r\n*2\r\n$3\r\nDEL\r\n$2\r\nk2\r\n"
        let out = peek(pipeline)
        XCTAssertEqual(out.keys, ["user1", "", "k2"])
        XCTAssertEqual(out.walked, 4)
    }

    func testStopsAtTheLimit() {
        let get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
        XCTAssertEqual(peek(String(repeating: get, count: 20)).walked, 16)
        XCTAssertEqual(peek(String(repeating: get, count: 20), limit: 3).keys.count, 3)
    }

    /// A hint must never read past the input or guess: every prefix of a request walks only the
    /// requests complete within it.
    func testPartialRequestsAreNotWalked() {
        let one = "*2\r\n$3\r\nGET\r\n$4\r\nabcd\r\n"
        let input = one + one
        for cut in 0...input.utf8.count {
            let prefix = String(decoding: Array(input.utf8.prefix(cut)), as: UTF8.self)
            let out = peek(prefix)
            let complete = cut / one.utf8.count
            XCTAssertEqual(out.walked, complete, "cut at \(cut)")
            XCTAssertEqual(out.keys, Array(repeating: "abcd", count: complete), "cut at \(cut)")
        }
    }

    func testStopsAtAnythingButPlainMultibulk() {
        let get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
        for tail in ["GET x\r\n", "*0\r\n", "*-1\r\n", "*x\r\n", "*2\r\n+GET\r\n", "*1\r\n$-1\r\n",
                     "*99999999999\r\n", "*2\r\n$99999999999\r\n"] {
            let out = peek(get + tail + get)
            XCTAssertEqual(out.keys, ["k"], tail.debugDescription)
            XCTAssertEqual(out.walked, 1, tail.debugDescription)
        }
    }

    /// The peek agrees with the parser on every request it walks.
    func testAgreesWithTheParser() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var requests: [[String]] = []
            var wire = ""
            for _ in 0..<Int.random(in: 1...20, using: &rng) {
                let argc = Int.random(in: 1...4, using: &rng)
                let args = (0..<argc).map { _ in
                    String((0..<Int.random(in: 0...12, using: &rng)).map { _ in "ab\r\n$*1".randomElement(using: &rng)! })
                }
                requests.append(args)
                wire += "*\(argc)\r\n" + args.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
            }
            let out = peek(wire, limit: 64)
            XCTAssertEqual(out.walked, requests.count)
            XCTAssertEqual(out.keys, requests.filter { $0.count >= 2 }.map { $0[1] })
            XCTAssertEqual(feed(bytes(wire)).commands, requests)
        }
    }
}
