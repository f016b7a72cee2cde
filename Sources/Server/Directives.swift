import Commands
import Glibc

/// The directive table: name, how to parse and print it, whether CONFIG SET may change it at run
/// time. Configuration files, `--name value` flags, CONFIG GET and CONFIG SET all go through it.
struct Directive: Sendable {
    let name: String
    /// false = only at start-up (CONFIG SET answers "can't set immutable config").
    let mutable: Bool
    let get: @Sendable (Settings) -> String
    /// Parses `arguments` into `settings`, or returns Redis's reason text.
    let set: @Sendable (inout Settings, [String]) -> String?
    /// Redis's PROTECTED_CONFIG (dir, dbfilename): CONFIG SET refuses it unless
    /// enable-protected-configs is yes.
    var isProtected = false
    /// Not a CONFIG GET/SET parameter and left as written by CONFIG REWRITE (`user`: repeatable).
    var hidden = false

    static let all: [Directive] = [
        Directive(name: "bind", mutable: false, get: { $0.bind.joined(separator: " ") }, set: { s, args in
            guard !args.isEmpty, args.count <= 16 else { return "Too many bind addresses specified." }
            s.bind = args.flatMap { $0.split(separator: " ").map(String.init) }
            return nil
        }),
        integer("port", mutable: false, 0...65535, \.port),
        Directive(name: "unixsocket", mutable: false, get: { $0.unixSocket }, set: { s, args in
            guard args.count == 1 else { return "wrong number of arguments" }
            s.unixSocket = args[0]
            return nil
        }),
        Directive(name: "unixsocketperm", mutable: false, get: { String($0.unixSocketPermissions, radix: 8) },
                  set: { s, args in
            guard args.count == 1, let mode = UInt32(args[0], radix: 8), mode <= 0o777 else { return "Invalid socket file permissions" }
            s.unixSocketPermissions = mode
            return nil
        }),
        integer("tcp-backlog", mutable: false, 0...65535, \.tcpBacklog),
        integer("tcp-keepalive", mutable: true, 0...Int(Int32.max), \.tcpKeepaliveSeconds),
        integer("timeout", mutable: true, 0...Int(Int32.max), \.timeoutSeconds),
        integer("maxclients", mutable: true, 1...1_000_000, \.maxClients),
        integer("io-threads", mutable: false, 1...128, \.ioThreads),
        Directive(name: "io-engine", mutable: false, get: { $0.ioEngine.rawValue }, set: { s, args in
            guard args.count == 1, let engine = IOEngine(rawValue: args[0].lowercased()) else {
                return "argument must be one of the following: io_uring, epoll"
            }
            s.ioEngine = engine
            return nil
        }),
        Directive(name: "shards", mutable: false, get: { String($0.shards) }, set: { s, args in
            guard args.count == 1, let n = Int(args[0]), n >= 1, n <= 65536, n & (n - 1) == 0 else {
                return "shards must be a power of two between 1 and 65536"
            }
            s.shards = n
            return nil
        }),
        integer("databases", mutable: false, 1...256, \.databases),
        memory("proto-max-bulk-len", mutable: true, 1024 * 1024...Int(Int64.max), \.protoMaxBulkLength),
        memory("client-query-buffer-limit", mutable: true, 1024 * 1024...Int(Int64.max), \.clientQueryBufferLimit),
        Directive(name: "loglevel", mutable: true, get: { $0.logLevel.name }, set: { s, args in
            let levels: [String: LogLevel] = ["debug": .debug, "verbose": .verbose, "notice": .notice, "warning": .warning]
            guard args.count == 1, let level = levels[args[0].lowercased()] else { return "argument(s) must be one of the following: debug, verbose, notice, warning, nothing" }
            s.logLevel = level
            return nil
        }),
        string("logfile", mutable: false, \.logFile),
        string("pidfile", mutable: false, \.pidFile),
        Directive(name: "notify-keyspace-events", mutable: true, get: { KeyspaceEvents.render($0.keyspaceEvents) },
                  set: { s, args in
            guard args.count == 1, let classes = KeyspaceEvents.parse(args[0]) else {
                return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
            }
            s.keyspaceEvents = classes
            return nil
        }),
        // Snapshots (RDB): Server/Snapshotter.swift.
        Directive(name: "save", mutable: true, get: { s in
            s.saveRules.map { "\($0.seconds) \($0.changes)" }.joined(separator: " ")
        }, set: { s, args in
            // Redis setConfigSaveOption: `save ""` clears; otherwise pairs of seconds ≥ 1, changes ≥ 0.
            // Lines of a config file accumulate (the default is empty); CONFIG SET replaces (it clears first).
            var words = args
            // A multi-argument config given as one word ("3600 1") is split, as Redis does.
            if words.count == 1 && words[0].contains(" ") { words = words[0].split(separator: " ").map(String.init) }
            if words.count == 1 && words[0].isEmpty {
                s.saveRules = []
                words = []
            }
            guard words.count % 2 == 0 else { return "Invalid save parameters" }
            var rules: [SaveRule] = []
            var index = 0
            while index < words.count {
                guard let seconds = Int(words[index]), seconds >= 1,
                      let changes = Int(words[index + 1]), changes >= 0 else { return "Invalid save parameters" }
                rules.append(SaveRule(seconds: seconds, changes: changes))
                index += 2
            }
            s.saveRules += rules
            return nil
        }),
        Directive(name: "dir", mutable: true, get: { _ in currentDirectory() }, set: { _, args in
            // As redis-server: `dir` is the working directory (the dump and AOF paths are relative to it).
            guard args.count == 1 else { return "wrong number of arguments" }
            if chdir(args[0]) != 0 { return String(cString: strerror(errno)) }
            return nil
        }, isProtected: true),
        Directive(name: "dbfilename", mutable: true, get: { $0.dbFilename }, set: { s, args in
            guard args.count == 1 else { return "wrong number of arguments" }
            guard !args[0].isEmpty, !args[0].contains("/") else { return "dbfilename can't be a path, just a filename" }
            s.dbFilename = args[0]
            return nil
        }, isProtected: true),
        boolean("rdbcompression", mutable: true, \.rdbCompression),
        boolean("rdbchecksum", mutable: true, \.rdbChecksum),
        boolean("stop-writes-on-bgsave-error", mutable: true, \.stopWritesOnBgsaveError),
        Directive(name: "enable-protected-configs", mutable: false, get: { $0.enableProtectedConfigs }, set: { s, args in
            guard args.count == 1, ["yes", "no", "local"].contains(args[0].lowercased()) else {
                return "argument(s) must be one of the following: no, yes, local"
            }
            s.enableProtectedConfigs = args[0].lowercased()
            return nil
        }),
        // Persistence (AOF); its files live under `dir` (the working directory, above).
        boolean("appendonly", mutable: true, \.appendOnly),
        Directive(name: "appendfsync", mutable: true, get: { $0.appendFsync.rawValue }, set: { s, args in
            guard args.count == 1, let policy = AppendFsync(rawValue: args[0].lowercased()) else {
                return "argument(s) must be one of the following: always, everysec, no"
            }
            s.appendFsync = policy
            return nil
        }),
        Directive(name: "appendfilename", mutable: false, get: { $0.appendFilename }, set: { s, args in
            // Redis isValidAOFfilename: a plain file name.
            guard args.count == 1, !args[0].isEmpty, !args[0].contains("/"), args[0] != ".", args[0] != ".." else {
                return "appendfilename can't be a path, just a filename"
            }
            s.appendFilename = args[0]
            return nil
        }),
        Directive(name: "appenddirname", mutable: false, get: { $0.appendDirname }, set: { s, args in
            guard args.count == 1, !args[0].isEmpty, !args[0].contains("/"), args[0] != ".", args[0] != ".." else {
                return "appenddirname can't be a path, just a dirname"
            }
            s.appendDirname = args[0]
            return nil
        }),
        boolean("aof-load-truncated", mutable: true, \.aofLoadTruncated),
        integer("auto-aof-rewrite-percentage", mutable: true, 0...Int(Int32.max), \.autoAofRewritePercentage),
        memory("auto-aof-rewrite-min-size", mutable: true, 0...Int(Int64.max), \.autoAofRewriteMinSize),
    ] + Directive.security

    static func boolean(_ name: String, mutable: Bool, _ path: any WritableKeyPath<Settings, Bool> & Sendable) -> Directive {
        Directive(name: name, mutable: mutable, get: { $0[keyPath: path] ? "yes" : "no" }, set: { s, args in
            guard args.count == 1 else { return "wrong number of arguments" }
            switch args[0].lowercased() {
            case "yes": s[keyPath: path] = true
            case "no": s[keyPath: path] = false
            default: return "argument must be 'yes' or 'no'"
            }
            return nil
        })
    }

    static func named(_ name: String) -> Directive? {
        let lower = name.lowercased()
        return all.first { $0.name == lower }
    }

    static func integer(_ name: String, mutable: Bool, _ range: ClosedRange<Int>,
                        _ path: any WritableKeyPath<Settings, Int> & Sendable) -> Directive {
        Directive(name: name, mutable: mutable, get: { String($0[keyPath: path]) }, set: { s, args in
            guard args.count == 1, let value = Int(args[0]) else { return "argument couldn't be parsed into an integer" }
            guard range.contains(value) else { return "argument must be between \(range.lowerBound) and \(range.upperBound) inclusive" }
            s[keyPath: path] = value
            return nil
        })
    }

    static func memory(_ name: String, mutable: Bool, _ range: ClosedRange<Int>,
                       _ path: any WritableKeyPath<Settings, Int> & Sendable) -> Directive {
        Directive(name: name, mutable: mutable, get: { String($0[keyPath: path]) }, set: { s, args in
            guard args.count == 1, let value = parseMemory(args[0]) else { return "argument must be a memory value" }
            guard range.contains(value) else { return "argument must be between \(range.lowerBound) and \(range.upperBound) inclusive" }
            s[keyPath: path] = value
            return nil
        })
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func string(_ name: String, mutable: Bool, _ path: any WritableKeyPath<Settings, String> & Sendable) -> Directive {
        Directive(name: name, mutable: mutable, get: { $0[keyPath: path] }, set: { s, args in
            guard args.count == 1 else { return "wrong number of arguments" }
            s[keyPath: path] = args[0]
            return nil
        })
    }

    /// Redis `memtoull`: "1gb", "512mb", "100k" (k = 1000, kb = 1024…), plain bytes.
    static func parseMemory(_ text: String) -> Int? {
        let lower = text.lowercased()
        let units: [(String, Int)] = [("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10),
                                      ("g", 1_000_000_000), ("m", 1_000_000), ("k", 1000), ("b", 1)]
        for (suffix, multiplier) in units where lower.hasSuffix(suffix) {
            guard let number = Int(lower.dropLast(suffix.count)), number >= 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : product
        }
        guard let number = Int(lower), number >= 0 else { return nil }
        return number
    }
}
