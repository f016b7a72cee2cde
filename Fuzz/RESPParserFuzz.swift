// libFuzzer target for RequestParser (built by Fuzz/run.sh, not by SwiftPM).
//
// The first input byte picks a split point; the rest is the request stream. The stream is fed as
// a connection would (a prefix, then everything) and the commands it yields are compared with a
// one-shot parse of the whole stream: the parser must not depend on how bytes arrive. Invariants:
// `consumed` is within the region, every argument range lies inside the consumed bytes.
import RESP

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let stream = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let split = stream.isEmpty ? 0 : Int(data[0]) % (stream.count + 1)
    var limits = ParserLimits()
    // Small limits so the fuzzer reaches the limit paths with small inputs.
    limits.maxBulkLength = 1 << 16
    limits.maxInlineLength = 1024
    limits.maxMultibulkLength = 1 << 12
    // A third of the inputs parse as a client that has not authenticated (10 args, 16 KiB bulks).
    limits.unauthenticated = data[0] % 3 == 0
    let whole = run(stream, chunks: [stream.count], limits: limits)
    let pieces = run(stream, chunks: [split, stream.count - split], limits: limits)
    precondition(whole.commands == pieces.commands, "split changed the parsed commands")
    precondition(whole.failed == pieces.failed, "split changed the protocol error")
    return 0
}

struct Outcome {
    var commands: [[[UInt8]]] = []
    var failed = false
}

func run(_ stream: [UInt8], chunks: [Int], limits: ParserLimits) -> Outcome {
    var parser = RequestParser(limits: limits)
    var argv = ArgumentVector(initialCapacity: 2)
    var buffer: [UInt8] = []
    var start = 0
    var fed = 0
    var out = Outcome()
    for chunk in chunks {
        buffer.append(contentsOf: stream[fed..<(fed + chunk)])
        fed += chunk
        while start < buffer.count {
            var parsed: [[UInt8]] = []
            let result = buffer.withUnsafeMutableBytes { raw -> ParseResult in
                let region = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
                let result = parser.parse(region, into: &argv)
                if case .command(let consumed) = result {
                    precondition(consumed > 0 && consumed <= region.count, "consumed outside the region")
                    let args = argv.arguments(base: UnsafeRawPointer(region.baseAddress!))
                    for index in 0..<args.count {
                        let range = args.ranges[index]
                        precondition(range.offset >= 0 && range.count >= 0 && range.offset + range.count <= consumed,
                                     "argument outside the consumed bytes")
                        parsed.append(Array(args[index]))
                    }
                }
                return result
            }
            switch result {
            case .command(let consumed):
                if !parsed.isEmpty { out.commands.append(parsed) }
                start += consumed
                argv.removeAll()
            case .incomplete:
                break
            case .error:
                out.failed = true
                return out
            }
            if case .incomplete = result { break }
        }
    }
    return out
}
