/// A key pattern with the access it grants (`~p` = read and write, `%R~p`, `%W~p`).
public struct ACLKeyPattern: Sendable, Equatable {
    public var pattern: [UInt8]
    public var read: Bool
    public var write: Bool
}

/// Why ACL SETUSER rejected a rule: Redis's `ACLSetUserStringError` texts.
public enum ACLRuleError: Error, Sendable {
    case syntax, unknownCommand, keyAfterAllKeys, channelAfterAllChannels, noSuchPassword, badHash,
         firstArgOfSubcommand

    public var message: StaticString {
        switch self {
        case .syntax: "Syntax error"
        case .unknownCommand: "Unknown command or category name in ACL"
        case .keyAfterAllKeys:
            "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
        case .channelAfterAllChannels:
            "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
        case .noSuchPassword: "The password you are trying to remove from the user does not exist"
        case .badHash: "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
        case .firstArgOfSubcommand: "Allowing first-arg of a subcommand is not supported"
        }
    }
}

/// One user's rules as a value: ACL SETUSER edits a copy and installs it only if every rule parsed,
/// so a failing SETUSER changes nothing (as in Redis 7).
public struct ACLRules: Sendable {
    public enum Sanitize: Sendable { case unset, sanitize, skip }

    public var enabled = false
    public var nopass = false
    public var sanitize = Sanitize.unset
    /// SHA-256 hex digests (64 lowercase bytes each), in insertion order.
    public var passwords: [[UInt8]] = []
    public var allKeys = false
    public var keyPatterns: [ACLKeyPattern] = []
    public var allChannels = false
    public var channels: [[UInt8]] = []
    /// One flag per `ACLCommandIndex` id.
    public var commandBits: [Bool]
    /// Redis's reserved "future commands" bit: set only by +@all / allcommands.
    public var futureCommands = false
    /// +cmd|firstarg grants for commands whose bit is off, by command id.
    public var firstArgs: [Int: [[UInt8]]] = [:]

    /// A new user: off, no passwords, no keys, no channels, no commands.
    public init(commandCount: Int) {
        commandBits = [Bool](repeating: false, count: commandCount)
    }

    /// Whether every check would pass: the dispatcher skips ACL checks for such users.
    public var allowsEverything: Bool {
        allKeys && allChannels && !commandBits.contains(false)
    }
}

/// An immutable snapshot of a user, shared by the connections authenticated as it. ACL changes
/// install a new snapshot; connections pick it up when the store's generation moves.
public final class ACLUser: Sendable {
    public let name: [UInt8]
    public let rules: ACLRules
    /// Precomputed: the command gate's one-branch fast path.
    public let allowsAll: Bool

    public init(name: [UInt8], rules: ACLRules) {
        self.name = name
        self.rules = rules
        self.allowsAll = rules.allowsEverything
    }

    public var isDefault: Bool { name == ACLUser.defaultName }
    public static let defaultName: [UInt8] = Array("default".utf8)

    /// Whether `password` authenticates this user (disabled users never authenticate).
    public func accepts(password: UnsafeRawBufferPointer) -> Bool {
        guard rules.enabled else { return false }
        if rules.nopass { return true }
        let hashed = SHA256.hexDigest(password)
        var matched = false
        // Compare against every stored hash so the time doesn't reveal which one matched.
        for stored in rules.passwords where SHA256.constantTimeEqual(hashed, stored) { matched = true }
        return matched
    }
}
