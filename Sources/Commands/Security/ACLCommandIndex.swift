/// Gives every command and subcommand of a table a dense id (Redis `ACLGetCommandID`), so a user's
/// command permissions are a flat bitmap. Ids follow table order: a command, then its subcommands.
public final class ACLCommandIndex: Sendable {
    /// All commands, containers followed by their subcommands.
    public let commands: [Command]
    /// Index of the parent container, -1 for a top-level command.
    let parent: [Int]
    /// Ids of each command's subcommands (empty for plain commands).
    let children: [[Int]]
    /// Ids of the top-level commands in table order.
    let topLevel: [Int]
    private let ids: [ObjectIdentifier: Int]
    /// Each command's key specs with the access they need (Redis `ACLSelectorCheckKey`: ACCESS needs
    /// read permission; INSERT, DELETE and UPDATE need write permission).
    let keyRules: [[ACLKeyRule]]
    /// Whether every key spec of the command is a plain index + range (checked without allocating).
    let simpleKeys: [Bool]
    /// Which arguments of each command name channels (Redis `commands_with_channels`).
    let channelRules: [ACLChannelRule]

    public init(table: CommandTable) {
        var commands: [Command] = []
        var parent: [Int] = []
        var children: [[Int]] = []
        var topLevel: [Int] = []
        for command in table.commands {
            let id = commands.count
            topLevel.append(id)
            commands.append(command)
            parent.append(-1)
            children.append([])
            for sub in command.subcommands {
                children[id].append(commands.count)
                commands.append(sub)
                parent.append(id)
                children.append([])
            }
        }
        var ids: [ObjectIdentifier: Int] = [:]
        for (id, command) in commands.enumerated() { ids[ObjectIdentifier(command)] = id }
        self.commands = commands
        self.parent = parent
        self.children = children
        self.topLevel = topLevel
        self.ids = ids
        keyRules = commands.map { command in
            CommandMetadata.of(command).keySpecs.filter { !$0.hasFlag("not_key") }.map(ACLKeyRule.init)
        }
        simpleKeys = keyRules.map { rules in rules.allSatisfy { $0.simpleRange != nil } }
        channelRules = commands.map { ACLChannelRule(fullName: $0.fullName) }
    }

    public var count: Int { commands.count }

    /// The id of a command object from this table (what the dispatcher resolved).
    @inline(__always)
    public func id(of command: Command) -> Int? { ids[ObjectIdentifier(command)] }

    /// Redis `ACLLookupCommand`: "name" or "container|sub", any letter case; nil when unknown.
    func lookup(_ name: [UInt8]) -> Int? {
        let parts = name.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        guard let top = topLevelID(Array(parts[0])) else { return nil }
        guard parts.count == 2 else { return top }
        let sub = Array(parts[1])
        return children[top].first { id in
            sub.withUnsafeBytes { CommandTable.nameMatchesForACL(commands[id].name, $0) }
        }
    }

    private func topLevelID(_ name: [UInt8]) -> Int? {
        topLevel.first { id in name.withUnsafeBytes { CommandTable.nameMatchesForACL(commands[id].name, $0) } }
    }
}

extension CommandTable {
    static func nameMatchesForACL(_ lowercase: StaticString, _ bytes: UnsafeRawBufferPointer) -> Bool {
        nameMatches(lowercase, bytes)
    }
}

/// One key spec of a command and the permissions its keys require.
struct ACLKeyRule: Sendable {
    let spec: KeySpec
    let read: Bool
    let write: Bool
    /// (first, lastKey, step, limit) when the spec is an index begin with a range find.
    let simpleRange: (first: Int, lastKey: Int, step: Int, limit: Int)?

    init(_ spec: KeySpec) {
        self.spec = spec
        read = spec.hasFlag("access")
        write = spec.hasFlag("insert") || spec.hasFlag("delete") || spec.hasFlag("update")
        if case .index(let first) = spec.begin, case .range(let lastKey, let step, let limit) = spec.find {
            simpleRange = (first, lastKey, step, limit)
        } else {
            simpleRange = nil
        }
    }
}

/// The channel arguments ACLs check (Redis 7.0 `commands_with_channels`, publish and subscribe
/// flags only: UNSUBSCRIBE and PUNSUBSCRIBE are never refused).
enum ACLChannelRule: Sendable {
    case none
    /// PUBLISH: argument 1 is a channel.
    case publish
    /// SUBSCRIBE: every argument from 1 is a channel.
    case subscribe
    /// PSUBSCRIBE: every argument from 1 is a pattern, allowed only if it equals an allowed pattern.
    case patternSubscribe

    init(fullName: [UInt8]) {
        if fullName.elementsEqual("publish".utf8) {
            self = .publish
        } else if fullName.elementsEqual("subscribe".utf8) {
            self = .subscribe
        } else if fullName.elementsEqual("psubscribe".utf8) {
            self = .patternSubscribe
        } else {
            self = .none
        }
    }
}
