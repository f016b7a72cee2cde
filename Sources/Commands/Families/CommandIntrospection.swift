import Bytes
import RESP

// COMMAND, COMMAND COUNT / INFO / DOCS / LIST / GETKEYS / GETKEYSANDFLAGS / HELP.
// The table gives name, arity, flags, categories, legacy key range, group, since and summary; the
// facts it doesn't carry (complexity, tips, key specifications, deprecation) come from Redis
// 7.0.15's own replies, recorded in CommandMetadata.swift.

/// A Redis key specification (COMMAND INFO "key_specs").
struct KeySpec: Sendable {
    enum BeginSearch: Sendable {
        case index(Int)
        case keyword([UInt8], startFrom: Int)
        case unknown
    }

    enum FindKeys: Sendable {
        case range(lastKey: Int, step: Int, limit: Int)
        case keynum(index: Int, firstKey: Int, step: Int)
        case unknown
    }

    var notes: [UInt8]
    var flags: [[UInt8]]
    var begin: BeginSearch
    var find: FindKeys

    func hasFlag(_ name: StaticString) -> Bool {
        let bytes = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        return flags.contains(bytes)
    }
}

/// Redis's documentation facts for one command or subcommand.
struct CommandMetadata: Sendable {
    var complexity: [UInt8] = []
    var tips: [[UInt8]] = []
    var docFlags: [[UInt8]] = []
    var deprecatedSince: [UInt8] = []
    var replacedBy: [UInt8] = []
    var keySpecs: [KeySpec] = []

    /// By full name ("get", "client|list"), parsed from `CommandMetadataSource.text` on first use.
    static let byName: [[UInt8]: CommandMetadata] = parse(CommandMetadataSource.text)

    static func parse(_ source: StaticString) -> [[UInt8]: CommandMetadata] {
        let text = UnsafeBufferPointer(start: source.utf8Start, count: source.utf8CodeUnitCount)
        var result: [[UInt8]: CommandMetadata] = [:]
        for line in text.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "^"), omittingEmptySubsequences: false).map { Array($0) }
            guard fields.count >= 6 else { continue }
            var metadata = CommandMetadata()
            metadata.complexity = fields[1]
            metadata.tips = list(fields[2])
            metadata.docFlags = list(fields[3])
            metadata.deprecatedSince = fields[4]
            metadata.replacedBy = fields[5]
            for field in fields.dropFirst(6) {
                let parts = field.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false).map { Array($0) }
                guard parts.count == 4 else { continue }
                metadata.keySpecs.append(KeySpec(notes: parts[3], flags: list(parts[0]),
                                                 begin: beginSearch(parts[1]), find: findKeys(parts[2])))
            }
            result[fields[0]] = metadata
        }
        return result
    }

    private static func list(_ field: [UInt8]) -> [[UInt8]] {
        field.split(separator: UInt8(ascii: ",")).map { Array($0) }
    }

    private static func numbers(_ bytes: ArraySlice<UInt8>) -> [Int] {
        bytes.split(separator: UInt8(ascii: ",")).map { number($0) }
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int {
        var value = 0
        var negative = false
        for byte in bytes {
            if byte == UInt8(ascii: "-") { negative = true } else { value = value * 10 + Int(byte - 48) }
        }
        return negative ? -value : value
    }

    private static func beginSearch(_ field: [UInt8]) -> KeySpec.BeginSearch {
        switch field.first {
        case UInt8(ascii: "i"):
            return .index(number(field.dropFirst()))
        case UInt8(ascii: "k"):
            let body = field.dropFirst()
            guard let comma = body.lastIndex(of: UInt8(ascii: ",")) else { return .unknown }
            return .keyword(Array(body[..<comma]), startFrom: number(body[(comma + 1)...]))
        default:
            return .unknown
        }
    }

    private static func findKeys(_ field: [UInt8]) -> KeySpec.FindKeys {
        let values = numbers(field.dropFirst())
        switch field.first {
        case UInt8(ascii: "r") where values.count == 3:
            return .range(lastKey: values[0], step: values[1], limit: values[2])
        case UInt8(ascii: "n") where values.count == 3:
            return .keynum(index: values[0], firstKey: values[1], step: values[2])
        default:
            return .unknown
        }
    }

    /// Redis's metadata for `command`, or what the table alone implies (a single key range).
    static func of(_ command: Command) -> CommandMetadata {
        if let known = byName[command.fullName] { return known }
        var derived = CommandMetadata()
        let keys = command.keys
        if keys.first > 0 {
            let flags: [StaticString] = command.flags.contains(.write) ? ["RW", "update"] : ["RO", "access"]
            derived.keySpecs = [KeySpec(
                notes: [], flags: flags.map { Array(UnsafeBufferPointer(start: $0.utf8Start, count: $0.utf8CodeUnitCount)) },
                begin: .index(keys.first),
                find: .range(lastKey: keys.last < 0 ? keys.last : keys.last - keys.first, step: keys.step, limit: 0))]
        }
        return derived
    }
}

extension ServerFamily {
    /// Flags as COMMAND INFO prints them, in Redis's order; may_replicate and sentinel are hidden, as
    /// in Redis.
    static let visibleFlags: [(CommandFlags, StaticString)] = [
        (.write, "write"), (.readonly, "readonly"), (.denyOOM, "denyoom"), (.admin, "admin"),
        (.pubsub, "pubsub"), (.noscript, "noscript"), (.blocking, "blocking"), (.loading, "loading"),
        (.stale, "stale"), (.skipMonitor, "skip_monitor"), (.skipSlowlog, "skip_slowlog"), (.fast, "fast"),
        (.noAuth, "no_auth"), (.noMandatoryKeys, "no_mandatory_keys"), (.noMulti, "no_multi"),
        (.movableKeys, "movablekeys"), (.allowBusy, "allow_busy"),
    ]

    /// A command by full name, any case: "get", "CLIENT|list". Nil for unknown names.
    static func lookupCommand(_ table: CommandTable, _ name: UnsafeRawBufferPointer) -> Command? {
        guard let bar = name.firstIndex(of: UInt8(ascii: "|")) else { return table.lookup(name) }
        let base = UnsafeRawBufferPointer(rebasing: name[..<bar])
        let rest = UnsafeRawBufferPointer(rebasing: name[(bar + 1)...])
        guard !rest.contains(UInt8(ascii: "|")), let parent = table.lookup(base), parent.isContainer else { return nil }
        return parent.subcommand(named: rest)
    }

    // MARK: COMMAND / COMMAND INFO

    /// COMMAND: every command's COMMAND INFO entry.
    static func commandAll(_ client: Client) {
        let commands = client.context.commands.commands
        client.reply.array(count: commands.count)
        for command in commands { replyCommandInfo(client, command) }
    }

    /// COMMAND COUNT: top-level commands.
    static func commandCount(_ client: Client) {
        client.reply.integer(client.context.commands.commands.count)
    }

    /// COMMAND INFO [name ...]: all commands without names; null for unknown names.
    static func commandInfo(_ client: Client) {
        let argc = client.argumentCount
        guard argc > 2 else { return commandAll(client) }
        client.reply.array(count: argc - 2)
        for index in 2..<argc {
            if let command = lookupCommand(client.context.commands, client.args[index]) {
                replyCommandInfo(client, command)
            } else {
                client.reply.null()
            }
        }
    }

    /// Redis `addReplyCommandInfo`: name, arity, flags, first key, last key, step, ACL categories,
    /// tips, key specs, subcommands.
    static func replyCommandInfo(_ client: Client, _ command: Command) {
        let metadata = CommandMetadata.of(command)
        client.reply.array(count: 10)
        command.fullName.withUnsafeBytes { client.reply.bulk($0) }
        client.reply.integer(command.arity)

        let flags = visibleFlags.filter { command.flags.contains($0.0) }
        client.reply.set(count: flags.count)
        for (_, name) in flags { client.reply.simple(name) }

        let keys = command.keys
        client.reply.integer(keys.first)
        client.reply.integer(keys.last)
        client.reply.integer(keys.step)

        let categories = CommandCategories.names.filter { command.categories.contains($0.0) }
        client.reply.set(count: categories.count)
        for (_, name) in categories {
            let text = [UInt8(ascii: "@")] + Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            text.withUnsafeBytes { client.reply.simple($0) }
        }

        client.reply.set(count: metadata.tips.count)
        for tip in metadata.tips { tip.withUnsafeBytes { client.reply.bulk($0) } }

        client.reply.set(count: metadata.keySpecs.count)
        for spec in metadata.keySpecs { replyKeySpec(client, spec) }

        if command.subcommands.isEmpty {
            client.reply.set(count: 0)
        } else {
            client.reply.array(count: command.subcommands.count)
            for sub in command.subcommands { replyCommandInfo(client, sub) }
        }
    }

    static func replyKeySpec(_ client: Client, _ spec: KeySpec) {
        client.reply.map(count: spec.notes.isEmpty ? 3 : 4)
        if !spec.notes.isEmpty {
            client.reply.bulk("notes")
            spec.notes.withUnsafeBytes { client.reply.bulk($0) }
        }
        client.reply.bulk("flags")
        client.reply.set(count: spec.flags.count)
        for flag in spec.flags { flag.withUnsafeBytes { client.reply.simple($0) } }

        client.reply.bulk("begin_search")
        client.reply.map(count: 2)
        client.reply.bulk("type")
        switch spec.begin {
        case .index(let position):
            client.reply.bulk("index")
            client.reply.bulk("spec")
            client.reply.map(count: 1)
            client.reply.bulk("index")
            client.reply.integer(position)
        case .keyword(let keyword, let startFrom):
            client.reply.bulk("keyword")
            client.reply.bulk("spec")
            client.reply.map(count: 2)
            client.reply.bulk("keyword")
            keyword.withUnsafeBytes { client.reply.bulk($0) }
            client.reply.bulk("startfrom")
            client.reply.integer(startFrom)
        case .unknown:
            client.reply.bulk("unknown")
            client.reply.bulk("spec")
            client.reply.map(count: 0)
        }

        client.reply.bulk("find_keys")
        client.reply.map(count: 2)
        client.reply.bulk("type")
        switch spec.find {
        case .range(let lastKey, let step, let limit):
            client.reply.bulk("range")
            client.reply.bulk("spec")
            client.reply.map(count: 3)
            client.reply.bulk("lastkey")
            client.reply.integer(lastKey)
            client.reply.bulk("keystep")
            client.reply.integer(step)
            client.reply.bulk("limit")
            client.reply.integer(limit)
        case .keynum(let index, let firstKey, let step):
            client.reply.bulk("keynum")
            client.reply.bulk("spec")
            client.reply.map(count: 3)
            client.reply.bulk("keynumidx")
            client.reply.integer(index)
            client.reply.bulk("firstkey")
            client.reply.integer(firstKey)
            client.reply.bulk("keystep")
            client.reply.integer(step)
        case .unknown:
            client.reply.bulk("unknown")
            client.reply.bulk("spec")
            client.reply.map(count: 0)
        }
    }

    // MARK: COMMAND DOCS

    /// COMMAND DOCS [name ...]: a map of name → docs; unknown names are left out.
    static func commandDocs(_ client: Client) {
        let argc = client.argumentCount
        var found: [Command] = []
        if argc == 2 {
            found = client.context.commands.commands
        } else {
            for index in 2..<argc {
                if let command = lookupCommand(client.context.commands, client.args[index]) { found.append(command) }
            }
        }
        client.reply.map(count: found.count)
        for command in found {
            command.fullName.withUnsafeBytes { client.reply.bulk($0) }
            replyCommandDocs(client, command)
        }
    }

    /// Redis `addReplyCommandDocs`, without "history" and "arguments" (not recorded).
    static func replyCommandDocs(_ client: Client, _ command: Command) {
        let metadata = CommandMetadata.of(command)
        var fields = 3 // summary, since, group
        if !metadata.complexity.isEmpty { fields += 1 }
        if !metadata.docFlags.isEmpty { fields += 1 }
        if !metadata.deprecatedSince.isEmpty { fields += 1 }
        if !metadata.replacedBy.isEmpty { fields += 1 }
        if !command.subcommands.isEmpty { fields += 1 }
        client.reply.map(count: fields)
        client.reply.bulk("summary")
        client.reply.bulk(command.summary)
        client.reply.bulk("since")
        client.reply.bulk(command.since)
        client.reply.bulk("group")
        client.reply.bulk(command.group)
        if !metadata.complexity.isEmpty {
            client.reply.bulk("complexity")
            metadata.complexity.withUnsafeBytes { client.reply.bulk($0) }
        }
        if !metadata.docFlags.isEmpty {
            client.reply.bulk("doc_flags")
            client.reply.set(count: metadata.docFlags.count)
            for flag in metadata.docFlags { flag.withUnsafeBytes { client.reply.simple($0) } }
        }
        if !metadata.deprecatedSince.isEmpty {
            client.reply.bulk("deprecated_since")
            metadata.deprecatedSince.withUnsafeBytes { client.reply.bulk($0) }
        }
        if !metadata.replacedBy.isEmpty {
            client.reply.bulk("replaced_by")
            metadata.replacedBy.withUnsafeBytes { client.reply.bulk($0) }
        }
        if !command.subcommands.isEmpty {
            client.reply.bulk("subcommands")
            client.reply.map(count: command.subcommands.count)
            for sub in command.subcommands {
                sub.fullName.withUnsafeBytes { client.reply.bulk($0) }
                replyCommandDocs(client, sub)
            }
        }
    }

    // MARK: COMMAND LIST

    enum ListFilter {
        case none
        case module
        case category(CommandCategories?)
        case pattern(UnsafeRawBufferPointer)
    }

    /// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]: full names, each
    /// container followed by its subcommands.
    static func commandList(_ client: Client) {
        let args = client.args
        var filter = ListFilter.none
        var index = 2
        while index < args.count {
            guard ByteStrings.equalsIgnoringCase(args[index], "filterby") && args.count - 1 - index == 2 else {
                client.reply.error(ErrorReply.syntax)
                return
            }
            let kind = args[index + 1]
            let value = args[index + 2]
            if ByteStrings.equalsIgnoringCase(kind, "module") {
                filter = .module
            } else if ByteStrings.equalsIgnoringCase(kind, "aclcat") {
                let category = CommandCategories.names.first { name in
                    ByteStrings.equalsIgnoringCase(value, name.1)
                }?.0
                filter = .category(category)
            } else if ByteStrings.equalsIgnoringCase(kind, "pattern") {
                filter = .pattern(value)
            } else {
                client.reply.error(ErrorReply.syntax)
                return
            }
            index += 3
        }
        var names: [[UInt8]] = []
        func visit(_ commands: [Command]) {
            for command in commands {
                if matches(command, filter) { names.append(command.fullName) }
                visit(command.subcommands)
            }
        }
        visit(client.context.commands.commands)
        client.reply.array(count: names.count)
        for name in names { name.withUnsafeBytes { client.reply.bulk($0) } }
    }

    static func matches(_ command: Command, _ filter: ListFilter) -> Bool {
        switch filter {
        case .none:
            return true
        case .module:
            return false // no modules
        case .category(let category):
            guard let category else { return false }
            return command.categories.contains(category)
        case .pattern(let pattern):
            return command.fullName.withUnsafeBytes {
                ByteStrings.globMatch(pattern: pattern, string: $0, ignoringCase: true)
            }
        }
    }

    // MARK: COMMAND GETKEYS / GETKEYSANDFLAGS

    static func commandGetKeys(_ client: Client) { getKeys(client, withFlags: false) }
    static func commandGetKeysAndFlags(_ client: Client) { getKeys(client, withFlags: true) }

    /// Redis `getKeysSubcommandImpl`, with key extraction from the key specs
    /// (`getKeysUsingKeySpecs`) and SET's variable flags resolved as `setGetKeys` does.
    static func getKeys(_ client: Client, withFlags: Bool) {
        let args = client.args
        let argc = args.count - 2
        guard var command = client.context.commands.lookup(args[2]) else {
            client.reply.error(ErrorReply.invalidCommandSpecified)
            return
        }
        if command.isContainer && argc >= 2 {
            guard let sub = command.subcommand(named: args[3]) else {
                client.reply.error(ErrorReply.invalidCommandSpecified)
                return
            }
            command = sub
        }
        let specs = CommandMetadata.of(command).keySpecs
        guard specs.contains(where: { !$0.hasFlag("not_key") }) else {
            client.reply.error(ErrorReply.commandHasNoKeys)
            return
        }
        guard command.accepts(argumentCount: argc) else {
            client.reply.error(ErrorReply.invalidCommandArgumentCount)
            return
        }
        let keys = keyPositions(specs, args: args, offset: 2, count: argc)
        guard !keys.isEmpty else {
            if command.flags.contains(.noMandatoryKeys) {
                client.reply.array(count: 0)
            } else {
                client.reply.error(ErrorReply.invalidCommandArguments)
            }
            return
        }
        client.reply.array(count: keys.count)
        for (position, specIndex) in keys {
            if withFlags { client.reply.array(count: 2) }
            client.reply.bulk(args[position + 2])
            guard withFlags else { continue }
            var flags = specs[specIndex].flags
            if command.fullName == Array("set".utf8) {
                // setGetKeys: RW access update with GET, OW update without.
                var hasGet = false
                for index in 3..<argc where ByteStrings.equalsIgnoringCase(args[index + 2], "get") { hasGet = true }
                flags = hasGet ? [Array("RW".utf8), Array("access".utf8), Array("update".utf8)]
                               : [Array("OW".utf8), Array("update".utf8)]
            }
            client.reply.set(count: flags.count)
            for flag in flags { flag.withUnsafeBytes { client.reply.simple($0) } }
        }
    }

    /// Key positions (relative to the command's own argv, whose argv[0] is at `args[offset]`) and
    /// the index of the spec that found each; empty when a spec can't be applied.
    static func keyPositions(_ specs: [KeySpec], args: Arguments, offset: Int, count argc: Int) -> [(Int, Int)] {
        var result: [(Int, Int)] = []
        for (specIndex, spec) in specs.enumerated() where !spec.hasFlag("not_key") {
            var first = 0
            switch spec.begin {
            case .index(let position):
                first = position
            case .keyword(let keyword, let startFrom):
                let start = startFrom > 0 ? startFrom : argc + startFrom
                let end = startFrom > 0 ? argc - 1 : 0
                var index = start
                while index != end {
                    if index >= argc || index < 1 { break }
                    let matched = keyword.withUnsafeBytes { keywordBytes in
                        args[index + offset].count == keywordBytes.count
                            && zip(args[index + offset], keywordBytes).allSatisfy { ($0 | 0x20) == ($1 | 0x20) }
                    }
                    if matched {
                        first = index + 1
                        break
                    }
                    index += start <= end ? 1 : -1
                }
                if first == 0 { continue }
            case .unknown:
                return []
            }
            var last: Int
            var step: Int
            switch spec.find {
            case .range(let lastKey, let keyStep, let limit):
                step = keyStep
                if lastKey >= 0 {
                    last = first + lastKey
                } else if limit == 0 {
                    last = argc + lastKey
                } else {
                    last = first + ((argc - first) / limit + lastKey)
                }
            case .keynum(let index, let firstKey, let keyStep):
                step = keyStep
                guard index < argc - first, let keyCount = ByteStrings.parseInt64(args[first + index + offset]),
                      keyCount >= 0 else { return [] }
                first += firstKey
                last = first + Int(keyCount) - 1
            case .unknown:
                return []
            }
            if last >= argc || last < first || first >= argc { return [] }
            var position = first
            while position <= last {
                result.append((position, specIndex))
                position += max(step, 1)
            }
        }
        return result
    }

    // MARK: COMMAND HELP

    static func commandHelp(_ client: Client) {
        client.reply.array(count: commandHelpLines.count)
        for line in commandHelpLines { client.reply.simple(line) }
    }

    static let commandHelpLines: [StaticString] = [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        "HELP",
        "    Prints this help.",
    ]
}
