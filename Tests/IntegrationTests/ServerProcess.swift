import Foundation
import Glibc

/// Starts the built `tessera` binary on a free loopback port and stops it at the end of a test.
final class ServerProcess {
    let process = Process()
    let port: Int
    let stderrPipe = Pipe()
    let stdoutPipe = Pipe()

    static var binaryURL: URL {
        // The test bundle lives next to the products: .build/<triple>/debug/TesseraPackageTests.xctest
        if let path = ProcessInfo.processInfo.environment["TESSERA_BIN"] { return URL(fileURLWithPath: path) }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("tessera")
    }

    init(arguments: [String] = []) throws {
        port = ServerProcess.freePort()
        process.executableURL = ServerProcess.binaryURL
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--loglevel", "warning"] + arguments
        process.standardError = stderrPipe
        process.standardOutput = stdoutPipe
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let client = try? RESPConnection(port: port) {
                client.close()
                return
            }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        process.terminate()
        throw NSError(domain: "ServerProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "tessera did not start"])
    }

    func connect() throws -> RESPConnection { try RESPConnection(port: port) }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate(); process.waitUntilExit() } }

    /// Runs the binary to completion (start-up that must fail): exit status, stdout and stderr.
    static func runToExit(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = binaryURL
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: a full pipe would block the child.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A minimal blocking RESP client over a real TCP socket: sends raw bytes, reads one whole reply.
final class RESPConnection {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(fd)
            throw NSError(domain: "RESPConnection", code: Int(errno))
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func close() { Glibc.close(fd) }
    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    static func encode(_ args: [[UInt8]]) -> [UInt8] {
        var out = Array("*\(args.count)\r\n".utf8)
        for arg in args { out += Array("$\(arg.count)\r\n".utf8) + arg + [13, 10] }
        return out
    }

    /// Sends a command and returns its whole raw reply.
    func command(_ args: String...) -> String {
        send(RESPConnection.encode(args.map { Array($0.utf8) }))
        return String(decoding: readReply() ?? [], as: UTF8.self)
    }

    /// Reads exactly one reply's raw bytes (nil on EOF/timeout).
    func readReply() -> [UInt8]? {
        while true {
            if let end = RESPConnection.replyEnd(buffer, from: 0) {
                let reply = Array(buffer[0..<end])
                buffer.removeFirst(end)
                return reply
            }
            guard fill() else { return nil }
        }
    }

    /// True if the peer closed the connection (reads EOF).
    func readsEOF() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return false }
        }
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// End index of the reply starting at `start`, or nil if incomplete.
    static func replyEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        guard let lineEnd = lineEnd(bytes, from: start) else { return nil }
        let header = String(decoding: bytes[(start + 1)..<lineEnd], as: UTF8.self)
        let next = lineEnd + 2
        switch bytes[start] {
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "_"), UInt8(ascii: ","),
             UInt8(ascii: "#"), UInt8(ascii: "("):
            return next
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            let length = Int(header) ?? -1
            if length < 0 { return next }
            return bytes.count >= next + length + 2 ? next + length + 2 : nil
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
            var count = Int(header) ?? -1
            if count < 0 { return next }
            if bytes[start] == UInt8(ascii: "%") || bytes[start] == UInt8(ascii: "|") { count *= 2 }
            var position = next
            for _ in 0..<count {
                guard let end = replyEnd(bytes, from: position) else { return nil }
                position = end
            }
            return position
        default:
            return next
        }
    }

    static func lineEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }
}
