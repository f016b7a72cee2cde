// libFuzzer target: requests parsed from the input run through the real Dispatcher on a real
// Keyspace with a manual clock (built by Fuzz/run.sh). Every reply must be well-formed RESP, and
// exactly one reply per command. Each input gets a fresh server so crashes reproduce alone.
import Bytes
import Commands
import Keyspace
import RESP

final class NullControl: ServerControl, @unchecked Sendable {
    var registered: [ClientInfo] = []
    func info(sections: [[UInt8]]) -> [UInt8] { Array("# Server\r\nredis_version:7.0.15\r\n".utf8) }
    func configGet(patterns: [[UInt8]]) -> [([UInt8], [UInt8])] { [] }
    func configSet(_ pairs: [([UInt8], [UInt8])]) -> [UInt8]? { nil }
    func clients() -> [ClientInfo] { registered }
    func shutdown(save: Bool?) -> [UInt8]? { Array("ERR shutdown refused in the fuzzer".utf8) }
    func totalCommandsProcessed() -> Int { 0 }
    func kill(clientID: Int) -> Bool { false }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func dispatcherFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var stream = Array(UnsafeBufferPointer(start: data, count: size))
    let clock = Clock.manual(at: 1_700_000_000_000)
    let control = NullControl()
    let keyspace = Keyspace(shardCount: 4, databaseCount: 16, hashSeed: 0x1234_5678)
    let context = ServerContext(keyspace: keyspace, clock: clock, control: control)
    let info = ClientInfo(id: context.makeClientID(), address: Array("127.0.0.1:50000".utf8),
                          localAddress: Array("127.0.0.1:6379".utf8), fd: 7, createdAt: clock.nowMilliseconds())
    control.registered = [info]
    let mailbox = Mailbox(wake: {})
    let client = Client(context: context, info: info, stats: WorkerStats(), mailbox: mailbox)
    // Half the inputs run under a tiny maxmemory with a policy picked by the input's length, so
    // eviction (and OOM refusals) happen between almost every write.
    if size % 2 == 1 {
        let policy = EvictionPolicy.allCases[(size / 2) % EvictionPolicy.allCases.count]
        context.memory.configure(maxBytes: keyspace.memoryBytes + 2048, policy: policy, samples: 1 + size % 5)
        keyspace.accessTracking.configure(lfu: policy.isLFU, logFactor: 10, decayMinutes: 1)
    }
    var limits = ParserLimits()
    limits.maxBulkLength = 1 << 16
    limits.maxInlineLength = 4096
    limits.maxMultibulkLength = 1 << 10
    var parser = RequestParser(limits: limits)
    var argv = ArgumentVector(initialCapacity: 4)
    var start = 0
    var executed = 0
    while start < stream.count && executed < 64 {
        let done = stream.withUnsafeMutableBytes { raw -> Bool in
            let region = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
            switch parser.parse(region, into: &argv) {
            case .command(let consumed):
                if argv.count > 0 {
                    client.args = argv.arguments(base: UnsafeRawPointer(region.baseAddress!))
                    client.reply.buffer.clear()
                    Dispatcher.execute(client)
                    client.args = Arguments.empty
                    let reply = Array(client.reply.buffer.readableView)
                    // Pub/sub and MULTI may add pushes, but a command always answers something.
                    precondition(!reply.isEmpty, "a command wrote no reply")
                    precondition(RESPCheck.wellFormed(reply), "malformed reply")
                    executed += 1
                    // Let time pass between commands: TTLs expire mid-stream.
                    clock.advance(by: Int64(consumed % 7) * 250)
                }
                argv.removeAll()
                start += consumed
                return false
            case .incomplete, .error:
                return true
            }
        }
        if done { break }
    }
    _ = mailbox.drain()
    client.releaseSessionState()
    return 0
}

/// A strict RESP2/RESP3 reply validator: every element complete, lengths exact, CRLF terminated.
enum RESPCheck {
    static func wellFormed(_ bytes: [UInt8]) -> Bool {
        var position = 0
        while position < bytes.count {
            guard let next = element(bytes, position, depth: 0) else { return false }
            position = next
        }
        return true
    }

    /// End of the element starting at `position`, or nil when malformed.
    static func element(_ b: [UInt8], _ position: Int, depth: Int) -> Int? {
        guard depth < 64, position < b.count else { return nil }
        guard let lineEnd = lineEnd(b, position + 1) else { return nil }
        let line = Array(b[(position + 1)..<lineEnd])
        let after = lineEnd + 2
        switch b[position] {
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            return line.contains(13) || line.contains(10) ? nil : after
        case UInt8(ascii: ":"), UInt8(ascii: "("):
            return integer(line) != nil ? after : nil
        case UInt8(ascii: ","):
            return line.isEmpty ? nil : after
        case UInt8(ascii: "_"):
            return line.isEmpty ? after : nil
        case UInt8(ascii: "#"):
            return line == [UInt8(ascii: "t")] || line == [UInt8(ascii: "f")] ? after : nil
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            guard let length = integer(line) else { return nil }
            if length == -1 && b[position] == UInt8(ascii: "$") { return after }
            guard length >= 0, after + length + 2 <= b.count,
                  b[after + length] == 13, b[after + length + 1] == 10 else { return nil }
            return after + length + 2
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
            guard let count = integer(line) else { return nil }
            if count == -1 && b[position] == UInt8(ascii: "*") { return after }
            guard count >= 0 else { return nil }
            let elements = b[position] == UInt8(ascii: "%") || b[position] == UInt8(ascii: "|") ? count * 2 : count
            var next = after
            for _ in 0..<elements {
                guard let end = element(b, next, depth: depth + 1) else { return nil }
                next = end
            }
            return next
        default:
            return nil
        }
    }

    static func lineEnd(_ b: [UInt8], _ from: Int) -> Int? {
        var index = from
        while index + 1 < b.count {
            if b[index] == 13 && b[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }

    static func integer(_ line: [UInt8]) -> Int? {
        guard !line.isEmpty else { return nil }
        var digits = line[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(String(decoding: line, as: UTF8.self))
    }
}
