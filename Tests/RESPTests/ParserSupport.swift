import XCTest
@testable import RESP
import Bytes

/// What a connection would see: each parsed command's argv, or the error that ended the stream.
struct Outcome: Equatable, CustomStringConvertible {
    var commands: [[String]] = []
    var error: ProtocolError?
    var leftover = 0

    var description: String { "commands: \(commands) error: \(String(describing: error)) leftover: \(leftover)" }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Feeds `input` in the given chunks the way a connection does: bytes accumulate in one array
/// (which may reallocate, moving the data), the parser always sees the unconsumed region from its
/// start, and every complete command is taken out before more bytes arrive.
func feed(_ input: [UInt8], chunks sizes: [Int]? = nil, limits: ParserLimits = ParserLimits(),
         mutable: Bool = true) -> Outcome {
    var parser = RequestParser(limits: limits)
    var argv = ArgumentVector(initialCapacity: 2)
    var out = Outcome()
    var buffer: [UInt8] = []
    var start = 0
    var fed = 0
    let plan = sizes ?? [input.count]
    for size in plan + [0] {
        let take = min(size, input.count - fed)
        buffer.append(contentsOf: input[fed..<(fed + take)])
        fed += take
        while start < buffer.count {
            let result: ParseResult
            var args: [String] = []
            if mutable {
                result = buffer.withUnsafeMutableBytes { raw in
                    let region = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
                    let r = parser.parse(region, into: &argv)
                    if case .command = r { args = collect(argv, UnsafeRawPointer(region.baseAddress!)) }
                    return r
                }
            } else {
                result = buffer.withUnsafeBytes { raw in
                    let region = UnsafeRawBufferPointer(rebasing: raw[start...])
                    let r = parser.parse(region, into: &argv)
                    if case .command = r { args = collect(argv, region.baseAddress!) }
                    return r
                }
            }
            switch result {
            case .command(let consumed):
                XCTAssertGreaterThan(consumed, 0)
                if !args.isEmpty { out.commands.append(args) }
                start += consumed
            case .incomplete:
                break
            case .error(let e):
                out.error = e
                return out
            }
            if case .incomplete = result { break }
        }
        if fed == input.count && size == 0 { break }
    }
    out.leftover = buffer.count - start
    return out
}

/// Arguments rendered as Latin-1 so arbitrary bytes survive comparison.
func collect(_ argv: borrowing ArgumentVector, _ base: UnsafeRawPointer) -> [String] {
    let a = argv.arguments(base: base)
    return (0..<a.count).map { i in String(a[i].map { Character(Unicode.Scalar($0)) }) }
}

func chunks(of total: Int, splitAt k: Int) -> [Int] { [k, total - k] }
