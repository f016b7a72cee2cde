import Bytes
import RESP

// Server commands: INFO, CONFIG, TIME, SHUTDOWN, ROLE, and the COMMAND container (its subcommands
// live in CommandIntrospection.swift). Most of the work is the server's, through `ServerControl`.

extension ServerFamily {
    /// INFO [section ...]: the server's report, lowercase section names. Verbatim in RESP3, as Redis 7.
    static func info(_ client: Client) {
        var sections: [[UInt8]] = []
        sections.reserveCapacity(client.argumentCount - 1)
        for index in 1..<client.argumentCount {
            sections.append(client.args[index].map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 })
        }
        let text = client.context.control.info(sections: sections)
        text.withUnsafeBytes { client.reply.verbatim($0) }
    }

    /// TIME: [seconds, microseconds] as bulk strings.
    static func time(_ client: Client) {
        let micros = client.context.clock.nowMicroseconds()
        client.reply.array(count: 2)
        client.reply.bulk(decimal: Int(micros / 1_000_000))
        client.reply.bulk(decimal: Int(micros % 1_000_000))
    }

    /// ROLE: always a master without replicas.
    static func role(_ client: Client) {
        client.reply.array(count: 3)
        client.reply.bulk(ServerIdentity.role)
        client.reply.integer(0)
        client.reply.array(count: 0)
    }

    /// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
    /// On success nothing is replied: the connection just closes, as when Redis exits.
    /// BGREWRITEAOF: "+Background append only file rewriting started", or Redis's error text.
    static func bgrewriteaof(_ client: Client) {
        switch client.context.control.rewriteAppendOnlyFile() {
        case .started: client.reply.simple("Background append only file rewriting started")
        case .failed(let text): text.withUnsafeBytes { client.reply.error([$0]) }
        }
    }

    static func shutdown(_ client: Client) {
        var save: Bool?
        var conflicting = false
        var hasFlags = false
        var abort = false
        for index in 1..<client.argumentCount {
            let option = client.args[index]
            if ByteStrings.equalsIgnoringCase(option, "nosave") {
                if save == true { conflicting = true }
                save = false
                hasFlags = true
            } else if ByteStrings.equalsIgnoringCase(option, "save") {
                if save == false { conflicting = true }
                save = true
                hasFlags = true
            } else if ByteStrings.equalsIgnoringCase(option, "now") || ByteStrings.equalsIgnoringCase(option, "force") {
                hasFlags = true
            } else if ByteStrings.equalsIgnoringCase(option, "abort") {
                abort = true
            } else {
                client.reply.error(ErrorReply.syntax)
                return
            }
        }
        if conflicting || (abort && hasFlags) {
            client.reply.error(ErrorReply.syntax)
            return
        }
        if abort {
            // Tessera shuts down at once: there is never a pending shutdown to abort.
            client.reply.error(ErrorReply.noShutdownInProgress)
            return
        }
        if let error = client.context.control.shutdown(save: save) {
            error.withUnsafeBytes { client.reply.error([$0]) }
            return
        }
        client.closeAfterReply = true
    }

    // MARK: CONFIG

    /// CONFIG GET pattern [pattern ...]: a map (RESP2: flat array) of name → value.
    static func configGet(_ client: Client) {
        var patterns: [[UInt8]] = []
        for index in 2..<client.argumentCount { patterns.append(Array(client.args[index])) }
        let pairs = client.context.control.configGet(patterns: patterns)
        client.reply.map(count: pairs.count)
        for (name, value) in pairs {
            name.withUnsafeBytes { client.reply.bulk($0) }
            value.withUnsafeBytes { client.reply.bulk($0) }
        }
    }

    /// CONFIG SET name value [name value ...]: atomic; the server's error text is passed through.
    static func configSet(_ client: Client) {
        let argc = client.argumentCount
        guard argc & 1 == 0 else {
            client.reply.error(ErrorReply.syntax)
            return
        }
        var pairs: [([UInt8], [UInt8])] = []
        var index = 2
        while index < argc {
            pairs.append((Array(client.args[index]), Array(client.args[index + 1])))
            index += 2
        }
        client.reply.okOrError(client.context.control.configSet(pairs))
    }

    /// CONFIG RESETSTAT
    static func configResetStat(_ client: Client) {
        client.context.control.resetStatistics()
        client.reply.ok()
    }

    /// CONFIG REWRITE
    static func configRewrite(_ client: Client) {
        client.reply.okOrError(client.context.control.rewriteConfig())
    }

    /// CONFIG HELP: Redis 7.0.15's text.
    static func configHelp(_ client: Client) {
        client.reply.array(count: configHelpLines.count)
        for line in configHelpLines { client.reply.simple(line) }
    }

    static let configHelpLines: [StaticString] = [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Prints this help.",
    ]
}

// MARK: - Table

public enum ServerFamily {
    static let configSubcommands: [Command] = [
        Command("get", arity: -3, flags: [.admin, .noscript, .loading, .stale], categories: [.admin, .slow, .dangerous],
                group: "server", since: "2.0.0", summary: "Get the values of configuration parameters",
                handler: configGet),
        Command("set", arity: -4, flags: [.admin, .noscript, .loading, .stale], categories: [.admin, .slow, .dangerous],
                group: "server", since: "2.0.0", summary: "Set configuration parameters to the given values",
                handler: configSet),
        Command("resetstat", arity: 2, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous], group: "server", since: "2.0.0",
                summary: "Reset the stats returned by INFO", handler: configResetStat),
        Command("rewrite", arity: 2, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous], group: "server", since: "2.8.0",
                summary: "Rewrite the configuration file with the in memory configuration", handler: configRewrite),
        Command("help", arity: 2, flags: [.loading, .stale], categories: [.slow], group: "server", since: "5.0.0",
                summary: "Show helpful text about the different subcommands", handler: configHelp),
    ]

    static let commandSubcommands: [Command] = [
        Command("count", arity: 2, flags: [.loading, .stale], categories: [.slow, .connection], group: "server",
                since: "2.8.13", summary: "Get total number of Redis commands", handler: commandCount),
        Command("docs", arity: -2, flags: [.loading, .stale], categories: [.slow, .connection], group: "server",
                since: "7.0.0", summary: "Get array of specific Redis command documentation", handler: commandDocs),
        Command("getkeys", arity: -4, flags: [.loading, .stale], categories: [.slow, .connection], group: "server",
                since: "2.8.13", summary: "Extract keys given a full Redis command", handler: commandGetKeys),
        Command("getkeysandflags", arity: -4, flags: [.loading, .stale], categories: [.slow, .connection],
                group: "server", since: "7.0.0", summary: "Extract keys and access flags given a full Redis command",
                handler: commandGetKeysAndFlags),
        Command("info", arity: -2, flags: [.loading, .stale], categories: [.slow, .connection], group: "server",
                since: "2.8.13",
                summary: "Get array of specific Redis command details, or all when no argument is given.",
                handler: commandInfo),
        Command("list", arity: -2, flags: [.loading, .stale], categories: [.slow, .connection], group: "server",
                since: "7.0.0", summary: "Get an array of Redis command names", handler: commandList),
        Command("help", arity: 2, flags: [.loading, .stale], categories: [.slow, .connection], group: "server",
                since: "5.0.0", summary: "Show helpful text about the different subcommands", handler: commandHelp),
    ]

    public static let commands: [Command] = [
        Command("info", arity: -1, flags: [.loading, .stale, .sentinel], categories: [.slow, .dangerous],
                group: "server", since: "1.0.0", summary: "Get information and statistics about the server",
                handler: info),
        Command("config", arity: -2, flags: [], categories: [.slow], group: "server", since: "2.0.0",
                summary: "A container for server configuration commands", subcommands: configSubcommands,
                handler: nil),
        // COMMAND alone lists every command: a container with a handler of its own.
        Command("command", arity: -1, flags: [.loading, .stale, .sentinel], categories: [.slow, .connection],
                group: "server", since: "2.8.13", summary: "Get array of Redis command details",
                subcommands: commandSubcommands, handler: commandAll),
        Command("time", arity: 1, flags: [.loading, .stale, .fast], categories: [.fast], group: "server",
                since: "2.6.0", summary: "Return the current server time", handler: time),
        Command("role", arity: 1, flags: [.noscript, .loading, .stale, .fast, .sentinel],
                categories: [.admin, .fast, .dangerous], group: "server", since: "2.8.12",
                summary: "Return the role of the instance in the context of replication", handler: role),
        Command("shutdown", arity: -1, flags: [.admin, .noscript, .loading, .stale, .noMulti, .sentinel, .allowBusy],
                categories: [.admin, .slow, .dangerous], group: "server", since: "1.0.0",
                summary: "Synchronously save the dataset to disk and then shut down the server", handler: shutdown),
        Command("bgrewriteaof", arity: 1, flags: [.admin, .noscript], categories: [.admin, .slow, .dangerous],
                group: "server", since: "1.0.0", summary: "Asynchronously rewrite the append-only file",
                handler: bgrewriteaof),
    ]
}
