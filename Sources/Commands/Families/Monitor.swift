import Bytes
import RESP

/// MONITOR (Redis replicationFeedMonitors): every command a client runs, after it ran, as one
/// status line `+<sec>.<usec> [<db> <addr>] "arg" …` to every monitoring client. Admin and
/// skip_monitor commands are not shown, AUTH and HELLO's credentials are redacted, arguments are
/// quoted like Redis's sdscatrepr. A monitoring client may not touch the keyspace any more
/// (Redis treats it as a replica); RESET or QUIT ends it.
public enum MonitorFamily {
    static func monitor(_ client: Client) {
        if client.inExec {
            // Redis: EXEC sets CLIENT_DENY_BLOCKING, and a monitor never replies per command.
            client.reply.error("ERR MONITOR isn't allowed for DENY BLOCKING client")
            return
        }
        // Redis ignores MONITOR from a client already monitoring: no reply at all.
        guard !client.isMonitor else { return }
        guard let mailbox = client.mailbox,
              client.context.monitors.add(PubSubHub.Subscriber(clientID: client.id, mailbox: mailbox)) else {
            client.reply.error("ERR max number of monitors reached")
            return
        }
        client.isMonitor = true
        client.reply.ok()
    }

    /// Called by the dispatcher after a command ran, only while someone monitors.
    static func feed(_ command: Command, _ client: Client) {
        guard !command.flags.contains(.admin) && !command.flags.contains(.skipMonitor) else { return }
        var line: [UInt8] = []
        line.reserveCapacity(64)
        let micros = client.context.clock.nowMicroseconds()
        line.append(contentsOf: String(micros / 1_000_000).utf8)
        line.append(UInt8(ascii: "."))
        let fraction = String(micros % 1_000_000)
        line.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 6 - fraction.utf8.count))
        line.append(contentsOf: fraction.utf8)
        line.append(contentsOf: " [".utf8)
        line.append(contentsOf: String(client.database).utf8)
        line.append(UInt8(ascii: " "))
        appendAddress(client.info.address, to: &line)
        line.append(UInt8(ascii: "]"))
        let redacted = redactedRange(command, client.args)
        for index in 0..<client.args.count {
            line.append(UInt8(ascii: " "))
            if redacted.contains(index) {
                line.append(contentsOf: "\"(redacted)\"".utf8)
            } else {
                appendQuoted(client.args[index], to: &line)
            }
        }
        client.context.monitors.feed(line)
    }

    /// Redis shows unix-socket clients as "unix:<path>"; ClientInfo keeps them as "<path>:0".
    static func appendAddress(_ address: [UInt8], to line: inout [UInt8]) {
        if address.first == UInt8(ascii: "/") {
            line.append(contentsOf: "unix:".utf8)
            line.append(contentsOf: address.hasSuffix(":0") ? address.dropLast(2) : address[...])
        } else {
            line.append(contentsOf: address)
        }
    }

    /// Arguments that hold credentials: all of AUTH's, HELLO's AUTH user and password.
    static func redactedRange(_ command: Command, _ args: Arguments) -> Range<Int> {
        if command.fullName.elementsEqual("auth".utf8) { return 1..<args.count }
        if command.fullName.elementsEqual("hello".utf8) {
            var index = 2
            while index < args.count {
                if ByteStrings.equalsIgnoringCase(args[index], "auth") && index + 2 < args.count {
                    return (index + 1)..<(index + 3)
                }
                index += 1
            }
        }
        return 0..<0
    }

    /// Redis's sdscatrepr: printable bytes as they are, the usual escapes, \xHH for the rest.
    static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to line: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        line.append(UInt8(ascii: "\""))
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): line.append(UInt8(ascii: "\\")); line.append(byte)
            case UInt8(ascii: "\n"): line.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): line.append(contentsOf: "\\r".utf8)
            case UInt8(ascii: "\t"): line.append(contentsOf: "\\t".utf8)
            case 7: line.append(contentsOf: "\\a".utf8)
            case 8: line.append(contentsOf: "\\b".utf8)
            case 0x20...0x7e: line.append(byte)
            default: line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    public static let commands: [Command] = [
        Command("monitor", arity: 1, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous], group: "server", since: "1.0.0",
                summary: "Listen for all requests received by the server in real time", handler: monitor),
    ]
}

private extension Array where Element == UInt8 {
    func hasSuffix(_ suffix: StaticString) -> Bool {
        let tail = UnsafeRawBufferPointer(start: suffix.utf8Start, count: suffix.utf8CodeUnitCount)
        return count >= tail.count && self[(count - tail.count)...].elementsEqual(tail)
    }
}
