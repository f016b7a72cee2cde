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
    /// How event loops talk to the kernel; io_uring falls back to epoll where the kernel refuses it.
    public var ioEngine: IOEngine = .ioUring
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
    // Snapshots (RDB). Off by default in Tessera (`save ""`): see the README's Persistence section.
    /// `save <seconds> <changes>` rules: BGSAVE when at least `changes` writes happened and more
    /// than `seconds` passed since the last successful save. Empty = no automatic snapshots.
    public var saveRules: [SaveRule] = []
    public var dbFilename: String = "dump.rdb"
    public var rdbCompression: Bool = true
    public var rdbChecksum: Bool = true
    public var stopWritesOnBgsaveError: Bool = true
    /// enable-protected-configs: "no" (default), "yes" or "local" (treated as "no": see README).
    public var enableProtectedConfigs: String = "no"
    // Persistence: the append-only file (off by default, as in Redis). Its directory `appenddirname`
    // is relative to the working directory, which the `dir` directive sets (as in Redis).
    public var appendOnly = false
    public var appendFsync: AppendFsync = .everysec
    public var appendFilename = "appendonly.aof"
    public var appendDirname = "appendonlydir"
    /// Load an AOF whose last command is torn (and truncate it), instead of refusing to start.
    public var aofLoadTruncated = true
    /// Rewrite when the AOF grew by this percentage over its size after the last rewrite (0 = never).
    public var autoAofRewritePercentage = 100
    public var autoAofRewriteMinSize = 64 * 1024 * 1024
    /// Path of the config file we started from ("" = none), for CONFIG REWRITE / INFO config_file.
    public var configFile: String = ""
    /// Authentication, protected mode, output-buffer and memory limits (SecuritySettings.swift).
    public var security = SecuritySettings()

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

/// io-engine: the event loops' system-call interface (see Worker+Ring.swift).
public enum IOEngine: String, Sendable {
    /// Multishot receives and one io_uring_enter per loop iteration, which also batches wake-ups.
    case ioUring = "io_uring"
    /// Level-triggered epoll with a recv per readable socket (what Redis does).
    case epoll
}

/// appendfsync: when the AOF is fsync'ed.
public enum AppendFsync: String, Sendable {
    /// After every batch of writes, before their replies are sent (group commit).
    case always
    /// Once a second in the background.
    case everysec
    /// Never: the kernel writes back when it wants.
    case no
}

public enum LogLevel: Int, Sendable, Comparable {
    case debug = 0, verbose, notice, warning
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
    var name: String { ["debug", "verbose", "notice", "warning"][rawValue] }
    /// Redis's level marks in log lines.
    var mark: Character { [".", "-", "*", "#"][rawValue] }
}

/// One `save <seconds> <changes>` rule.
public struct SaveRule: Sendable, Equatable {
    public var seconds: Int
    public var changes: Int
    public init(seconds: Int, changes: Int) { self.seconds = seconds; self.changes = changes }
}
