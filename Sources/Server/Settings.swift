import Commands
import Glibc

/// Every setting the server understands, typed. Defaults match redis.conf where Redis has the
/// directive; `config/tessera.conf` documents each one and must stay in step with `Directives.all`.
public struct Settings: Sendable {
    public var bind: [String] = ["127.0.0.1", "-::1"]
    public var port: Int = 6379
    public var unixSocket: String = ""
    public var unixSocketPermissions: UInt32 = 0
    public var tcpBacklog: Int = 511
    public var tcpKeepaliveSeconds: Int = 300
    /// Close clients idle this long (0 = never).
    public var timeoutSeconds: Int = 0
    public var maxClients: Int = 10_000
    public var ioThreads: Int = Settings.defaultIOThreads()
    /// Keyspace shards (power of two); more shards = less lock contention between loops.
    public var shards: Int = 64
    public var databases: Int = 16
    public var protoMaxBulkLength: Int = 512 * 1024 * 1024
    public var clientQueryBufferLimit: Int = 1024 * 1024 * 1024
    public var logLevel: LogLevel = .notice
    public var logFile: String = ""
    public var pidFile: String = ""
    /// notify-keyspace-events classes (none by default, as in Redis).
    public var keyspaceEvents: KeyspaceEvents.Classes = []
    /// Path of the config file we started from ("" = none), for CONFIG REWRITE / INFO config_file.
    public var configFile: String = ""

    public init() {}

    public static func processorCount() -> Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// One event loop per CPU but one, at least one (Redis's io-threads advice: leave a core to
    /// the kernel's network stack and the clients). Measured on 2 vCPUs with the client on the same
    /// machine (bench/README.md): a second loop splits the connections, so each loop sleeps and
    /// wakes twice as often: +10 % CPU per unpipelined request and -20 % pipelined requests/s.
    public static func defaultIOThreads() -> Int {
        max(1, processorCount() - 1)
    }
}

public enum LogLevel: Int, Sendable, Comparable {
    case debug = 0, verbose, notice, warning
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
    var name: String { ["debug", "verbose", "notice", "warning"][rawValue] }
    /// Redis's level marks in log lines.
    var mark: Character { [".", "-", "*", "#"][rawValue] }
}
