@testable import Persistence
import XCTest

/// The reusable LZF match table (one per RDB writer) must give exactly the output of a fresh table,
/// whatever was compressed before with it, including across a stamp wrap-around.
final class LZFTableTests: XCTestCase {
    private func compress(_ input: [UInt8], table: LZF.HashTable?) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: input.count + 64)
        let n = input.withUnsafeBytes { i in
            out.withUnsafeMutableBytes { o in
                table.map { LZF.compress(i, into: o, table: $0) } ?? LZF.compress(i, into: o)
            }
        }
        return Array(out[0..<n])
    }

    func testSharedTableMatchesFreshTable() throws {
        var seed: UInt64 = 42
        var inputs: [[UInt8]] = []
        for size in [21, 64, 200, 1000, 5000, 70_000, 30, 300] {
            var data: [UInt8] = []
            for i in 0..<size {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                data.append(i % 7 < 4 ? UInt8(97 + (seed >> 61)) : UInt8(truncatingIfNeeded: seed >> 40))
            }
            inputs.append(data)
        }
        let table = LZF.HashTable()
        for round in 0..<3 {
            for input in inputs {
                let shared = compress(input, table: table)
                XCTAssertEqual(shared, compress(input, table: nil), "round \(round), \(input.count) bytes")
                XCTAssertEqual(try LZF.decompress(shared, length: input.count), input)
            }
        }
        // Near the end of the stamp range the table is cleared instead of wrapping.
        table.base = Int32.max - 100
        for input in inputs { XCTAssertEqual(compress(input, table: table), compress(input, table: nil)) }
        XCTAssertLessThan(table.base, Int32.max - 100)
    }
}
