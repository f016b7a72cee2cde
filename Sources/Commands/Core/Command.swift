/// Redis command flags (COMMAND INFO reports them by these names).
public struct CommandFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let write = CommandFlags(rawValue: 1 << 0)
    public static let readonly = CommandFlags(rawValue: 1 << 1)
    public static let denyOOM = CommandFlags(rawValue: 1 << 2)
    public static let admin = CommandFlags(rawValue: 1 << 3)
    public static let pubsub = CommandFlags(rawValue: 1 << 4)
    public static let noscript = CommandFlags(rawValue: 1 << 5)
    public static let blocking = CommandFlags(rawValue: 1 << 6)
    public static let loading = CommandFlags(rawValue: 1 << 7)
    public static let stale = CommandFlags(rawValue: 1 << 8)
    public static let skipMonitor = CommandFlags(rawValue: 1 << 9)
    public static let skipSlowlog = CommandFlags(rawValue: 1 << 10)
    public static let fast = CommandFlags(rawValue: 1 << 11)
    public static let noAuth = CommandFlags(rawValue: 1 << 12)
    public static let mayReplicate = CommandFlags(rawValue: 1 << 13)
    public static let sentinel = CommandFlags(rawValue: 1 << 14)
    public static let noMandatoryKeys = CommandFlags(rawValue: 1 << 15)
    public static let allowBusy = CommandFlags(rawValue: 1 << 16)
    public static let noMulti = CommandFlags(rawValue: 1 << 17)
    public static let movableKeys = CommandFlags(rawValue: 1 << 18)
    // Tessera-internal flags (not in `names`, so COMMAND INFO never shows them):
    /// Runs at once inside MULTI instead of being queued (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
    public static let bypassesQueue = CommandFlags(rawValue: 1 << 24)
    /// Allowed for a RESP2 client in subscribed mode ((P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT, RESET).
    public static let allowedWhileSubscribed = CommandFlags(rawValue: 1 << 25)
    /// The integer reply 0 means the command changed nothing (DEL, SREM, SETNX, EXPIRE, …): it then
    /// breaks no WATCH, as Redis signals only keys that were modified.
    public static let zeroMeansUnchanged = CommandFlags(rawValue: 1 << 26)

    /// Names in the order Redis prints them.
    public static let names: [(CommandFlags, StaticString)] = [
        (.write, "write"), (.readonly, "readonly"), (.denyOOM, "denyoom"), (.admin, "admin"),
        (.pubsub, "pubsub"), (.noscript, "noscript"), (.blocking, "blocking"), (.loading, "loading"),
        (.stale, "stale"), (.skipMonitor, "skip_monitor"), (.skipSlowlog, "skip_slowlog"), (.fast, "fast"),
        (.noAuth, "no_auth"), (.mayReplicate, "may_replicate"), (.sentinel, "sentinel"),
        (.noMandatoryKeys, "no_mandatory_keys"), (.allowBusy, "allow_busy"), (.noMulti, "no_multi"),
        (.movableKeys, "movablekeys"),
    ]
}

/// Redis ACL categories (COMMAND INFO prints them as "@name"; ACL rules use them).
public struct CommandCategories: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let keyspace = CommandCategories(rawValue: 1 << 0)
    public static let read = CommandCategories(rawValue: 1 << 1)
    public static let write = CommandCategories(rawValue: 1 << 2)
    public static let set = CommandCategories(rawValue: 1 << 3)
    public static let sortedset = CommandCategories(rawValue: 1 << 4)
    public static let list = CommandCategories(rawValue: 1 << 5)
    public static let hash = CommandCategories(rawValue: 1 << 6)
    public static let string = CommandCategories(rawValue: 1 << 7)
    public static let bitmap = CommandCategories(rawValue: 1 << 8)
    public static let hyperloglog = CommandCategories(rawValue: 1 << 9)
    public static let geo = CommandCategories(rawValue: 1 << 10)
    public static let stream = CommandCategories(rawValue: 1 << 11)
    public static let pubsub = CommandCategories(rawValue: 1 << 12)
    public static let admin = CommandCategories(rawValue: 1 << 13)
    public static let fast = CommandCategories(rawValue: 1 << 14)
    public static let slow = CommandCategories(rawValue: 1 << 15)
    public static let blocking = CommandCategories(rawValue: 1 << 16)
    public static let dangerous = CommandCategories(rawValue: 1 << 17)
    public static let connection = CommandCategories(rawValue: 1 << 18)
    public static let transaction = CommandCategories(rawValue: 1 << 19)
    public static let scripting = CommandCategories(rawValue: 1 << 20)

    /// Names in Redis's order (ACL CAT).
    public static let names: [(CommandCategories, StaticString)] = [
        (.keyspace, "keyspace"), (.read, "read"), (.write, "write"), (.set, "set"),
        (.sortedset, "sortedset"), (.list, "list"), (.hash, "hash"), (.string, "string"),
        (.bitmap, "bitmap"), (.hyperloglog, "hyperloglog"), (.geo, "geo"), (.stream, "stream"),
        (.pubsub, "pubsub"), (.admin, "admin"), (.fast, "fast"), (.slow, "slow"),
        (.blocking, "blocking"), (.dangerous, "dangerous"), (.connection, "connection"),
        (.transaction, "transaction"), (.scripting, "scripting"),
    ]
}

/// Where a command's keys are (Redis's legacy first/last/step triple; last -1 = up to the end).
public struct KeyPositions: Sendable {
    public let first: Int
    public let last: Int
    public let step: Int
    public init(first: Int, last: Int, step: Int) { self.first = first; self.last = last; self.step = step }
    public static let none = KeyPositions(first: 0, last: 0, step: 0)
    public static let single = KeyPositions(first: 1, last: 1, step: 1)
    public static let all = KeyPositions(first: 1, last: -1, step: 1)
}

public typealias CommandHandler = @Sendable (Client) -> Void

/// One entry of the declarative command table. Containers (CLIENT, CONFIG, COMMAND…) have
/// subcommands; a container may also have a handler of its own when it runs alone (COMMAND).
public final class Command: Sendable {
    /// Lowercase name ("get"; subcommands: "setname").
    public let name: StaticString
    /// Redis arity: positive = exact argc, negative = at least -arity (argv[0] counts).
    public let arity: Int
    public let flags: CommandFlags
    public let categories: CommandCategories
    public let keys: KeyPositions
    public let group: StaticString
    public let since: StaticString
    public let summary: StaticString
    public let handler: CommandHandler?
    public let subcommands: [Command]
    /// "client|setname" for subcommands, "get" otherwise (arity errors and CLIENT LIST use it).
    public let fullName: [UInt8]

    public init(_ name: StaticString, arity: Int, flags: CommandFlags, categories: CommandCategories,
                keys: KeyPositions = .none, group: StaticString, since: StaticString = "1.0.0",
                summary: StaticString, subcommands: [Command] = [], handler: CommandHandler?) {
        self.name = name
        self.arity = arity
        self.flags = flags
        self.categories = categories
        self.keys = keys
        self.group = group
        self.since = since
        self.summary = summary
        self.handler = handler
        self.subcommands = subcommands.map { $0.asSubcommand(of: name) }
        self.fullName = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    private init(copying other: Command, fullName: [UInt8]) {
        name = other.name; arity = other.arity; flags = other.flags; categories = other.categories
        keys = other.keys; group = other.group; since = other.since; summary = other.summary
        handler = other.handler; subcommands = other.subcommands; self.fullName = fullName
    }

    private func asSubcommand(of parent: StaticString) -> Command {
        let parentBytes = UnsafeBufferPointer(start: parent.utf8Start, count: parent.utf8CodeUnitCount)
        return Command(copying: self, fullName: Array(parentBytes) + [UInt8(ascii: "|")] + fullName)
    }

    public var isContainer: Bool { !subcommands.isEmpty }

    /// Whether `argc` satisfies the arity.
    @inlinable public func accepts(argumentCount argc: Int) -> Bool {
        arity >= 0 ? argc == arity : argc >= -arity
    }

    public func subcommand(named bytes: UnsafeRawBufferPointer) -> Command? {
        subcommands.first { CommandTable.nameMatches($0.name, bytes) }
    }
}
