import Glibc
import Synchronization

/// Redis-style log lines: `pid:M 21 Nov 2026 13:41:28.123 * message`, with Redis's level marks.
/// Writes go straight to the file descriptor (stdout when no logfile), one write per line.
public final class Logger: Sendable {
    private let fd: Int32
    private let minimumLevel: Atomic<Int>
    private let lock = Mutex<Void>(())

    public init(level: LogLevel, path: String) {
        minimumLevel = Atomic(level.rawValue)
        if path.isEmpty {
            fd = STDOUT_FILENO
        } else {
            let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            fd = opened >= 0 ? opened : STDOUT_FILENO
        }
    }

    public func setLevel(_ level: LogLevel) { minimumLevel.store(level.rawValue, ordering: .relaxed) }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func verbose(_ message: @autoclosure () -> String) { log(.verbose, message()) }
    public func notice(_ message: @autoclosure () -> String) { log(.notice, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard level.rawValue >= minimumLevel.load(ordering: .relaxed) else { return }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = ts.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        var stamp = [CChar](repeating: 0, count: 64)
        let length = strftime(&stamp, stamp.count, "%d %b %Y %H:%M:%S", &parts)
        let date = String(decoding: stamp[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let millis = Int(ts.tv_nsec / 1_000_000)
        let millisText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        let line = "\(getpid()):M \(date).\(millisText) \(level.mark) \(message())\n"
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        }
    }
}
