import Bytes
import Keyspace
import RESP
import Synchronization

/// One connection's command state, owned by exactly one event loop (Redis's `client *c`).
/// Allocated once per connection; handlers receive it and reply through `reply`.
public final class Client {
    public let context: ServerContext
    public let keyspace: Keyspace
    public let info: ClientInfo
    public let stats: WorkerStats
    /// `context.clock` and `context.events`, used by every GET/SET, as unmanaged references: a call
    /// through a strong (or unowned) reference loaded from a class costs a retain/release pair,
    /// atomic, ~20 cycles each (callgrind on the request path). `context` holds both strongly for as
    /// long as this client holds `context`.
    let clockRef: Unmanaged<Clock>
    let eventsRef: Unmanaged<KeyspaceEvents>
    /// The command being executed; valid only during dispatch.
    public var args: Arguments
    public var reply: ReplyWriter
    /// Selected database.
    public private(set) var database: Int = 0
    /// Unix ms for this command (read once, so one command sees one instant).
    public var now: Int64 = 0
    /// The command being executed (set by the dispatcher). Unowned(unsafe): commands live in the
    /// context's command table (held by `context`) for the client's whole life, and a strong
    /// reference cost a retain and a release per request.
    public internal(set) unowned(unsafe) var command: Command?
    /// Set by QUIT (and protocol errors): the connection closes once the reply is written.
    public var closeAfterReply = false
    /// The user this connection runs as (a snapshot; refreshed when `context.acl.generation` moves).
    public private(set) var user: ACLUser
    /// Whether AUTH (or a nopass default user at connect time) authenticated the connection.
    public private(set) var authenticated: Bool
    /// The ACL generation `user` and `aclRestricted` were computed at.
    var aclGeneration: Int
    /// True when the dispatcher has work to do: authentication is required or the user is limited.
    /// False for the default nopass user, so GET/SET pay one branch.
    var aclRestricted: Bool
    /// Set when this connection's user was deleted: every further command is refused until it closes.
    var userDeleted = false
    /// The event loop's mailbox: pub/sub deliveries for this client arrive there (nil in tests
    /// that never subscribe).
    public let mailbox: Mailbox?
    /// Commands queued since MULTI (nil = not in a transaction).
    public internal(set) var transaction: Transaction?
    /// In MONITOR mode: receives every command's line, may not touch the keyspace.
    public internal(set) var isMonitor = false
    /// Subscribed channels and patterns (RESP2 subscribed mode when either is non-empty).
    public internal(set) var channels: Set<[UInt8]> = []
    public internal(set) var patterns: Set<[UInt8]> = []
    /// WATCHed keys (database, key, expiry seen at WATCH time) and the flag other writers set.
    var watchedKeys: [(database: Int, key: [UInt8], expireAt: Int64)] = []
    let watchToken: WatchRegistry.Token
    // Propagation (see Propagation.swift): ops of the running command (or EXEC) not yet committed.
    var propagationBuffer = ByteBuffer(capacity: 256)
    var propagationOps: [PendingOp] = []
    /// The handler emitted its own ops or suppressed propagation.
    var propagationHandled = false
    /// Shards of the running command's keys (set by the dispatcher while the AOF is on).
    var currentOpShards: OpShards = .none
    /// Scratch for the dispatcher's shard locking (kept to avoid an allocation per write).
    var lockScratch: [Int] = []
    /// True while EXEC runs the queue: ops commit once, wrapped in MULTI/EXEC, when the
    /// transaction ends; MONITOR refuses (Redis's CLIENT_DENY_BLOCKING during EXEC).
    var inExec = false
    /// Log offset that must be durable before this client's pending replies may be sent
    /// (appendfsync always). The worker compares it with the AOF's durable offset.
    public var durableTarget: Int64 = 0
    /// The AOF loader's internal client: its commands see time 0, so nothing expires mid-replay.
    public var replaying = false

    public init(context: ServerContext, info: ClientInfo, stats: WorkerStats, mailbox: Mailbox? = nil) {
        self.context = context
        self.mailbox = mailbox
        self.watchToken = WatchRegistry.Token(clientID: info.id)
        self.keyspace = context.keyspace
        self.clockRef = Unmanaged.passUnretained(context.clock)
        self.eventsRef = Unmanaged.passUnretained(context.events)
        self.info = info
        self.stats = stats
        context.changes.register(stats)
        self.args = Arguments.empty
        self.reply = ReplyWriter()
        let acl = context.acl
        self.aclGeneration = acl.generation
        let user = acl.defaultUser
        self.user = user
        // Redis createClient: authenticated iff the default user is enabled and takes no password.
        self.authenticated = user.rules.nopass && user.rules.enabled
        self.aclRestricted = false
        self.aclRestricted = computeRestricted()
        info.userName = user.name
    }

    // MARK: Authentication

    private func computeRestricted() -> Bool {
        (!authenticated && context.acl.defaultUserNeedsPassword) || !user.allowsAll
    }

    /// Picks up ACL changes made since this client's snapshot: the user's new rules, or, if the user
    /// was deleted, back to an unauthenticated default user and closing (Redis frees such clients).
    func refreshACL() {
        let acl = context.acl
        aclGeneration = acl.generation
        if let current = acl.user(named: user.name) {
            user = current
        } else {
            user = acl.defaultUser
            authenticated = false
            closeAfterReply = true
            userDeleted = true
            info.userName = user.name
        }
        aclRestricted = userDeleted || computeRestricted()
    }

    /// Runs as `user` from now on (AUTH, HELLO AUTH).
    public func authenticate(as user: ACLUser) {
        aclGeneration = context.acl.generation
        self.user = context.acl.user(named: user.name) ?? user
        authenticated = true
        info.userName = user.name
        aclRestricted = computeRestricted()
    }

    /// RESET: the default user again, authenticated only if it takes no password.
    public func resetAuthentication() {
        let acl = context.acl
        aclGeneration = acl.generation
        user = acl.defaultUser
        authenticated = user.rules.nopass && user.rules.enabled
        info.userName = user.name
        aclRestricted = computeRestricted()
    }

    public var id: Int { info.id }

    /// `clock.nowMilliseconds()` without retaining the clock.
    @inline(__always) public func readClock() -> Int64 {
        clockRef._withUnsafeGuaranteedRef { $0.nowMilliseconds() }
    }

    /// `events.notify(...)` without retaining the events object (GET/SET call it on every request;
    /// it returns at once unless notify-keyspace-events enables the class).
    @inline(__always)
    func notify(_ type: KeyspaceEvents.Classes, _ event: StaticString, key: UnsafeRawBufferPointer, database: Int) {
        eventsRef._withUnsafeGuaranteedRef { $0.notify(type, event, key: key, database: database) }
    }
    public var subscriptionCount: Int { channels.count + patterns.count }
    public var isSubscribed: Bool { !channels.isEmpty || !patterns.isEmpty }

    /// Drops subscriptions, watches and a pending transaction: on disconnect and RESET.
    public func releaseSessionState() {
        for channel in channels { context.pubsub.unsubscribe(channel, clientID: id) }
        for pattern in patterns { context.pubsub.punsubscribe(pattern, clientID: id) }
        channels.removeAll()
        patterns.removeAll()
        unwatchAll()
        transaction = nil
        if isMonitor {
            context.monitors.remove(clientID: id)
            isMonitor = false
        }
    }
    public var argumentCount: Int { args.count }

    public func select(database: Int) {
        precondition(database >= 0 && database < keyspace.databaseCount, "database index checked by SELECT")
        self.database = database
        info.database.store(database, ordering: .relaxed)
    }

    public var protocolVersion: ProtocolVersion {
        get { reply.version }
        set {
            reply.version = newValue
            info.protocolVersion.store(newValue.rawValue, ordering: .relaxed)
        }
    }

    // MARK: Error replies built from arguments

    /// "ERR wrong number of arguments for '<fullname>' command"
    public func replyWrongArity() {
        let name = command?.fullName ?? []
        name.withUnsafeBytes { nameBytes in
            reply.error([Client.bytes("ERR wrong number of arguments for '"), nameBytes, Client.bytes("' command")])
        }
    }

    /// Redis's reply for an unknown command name, quoting the first arguments (128 chars at most).
    func replyUnknownCommand() {
        let name = args[0]
        var quoted: [UInt8] = []
        var index = 1
        while index < args.count && quoted.count < 128 {
            let room = 128 - quoted.count
            let arg = args[index]
            quoted.append(UInt8(ascii: "'"))
            quoted.append(contentsOf: arg.prefix(room))
            quoted.append(contentsOf: "' ".utf8)
            index += 1
        }
        quoted.withUnsafeBytes { quotedBytes in
            reply.error([Client.bytes("ERR unknown command '"), UnsafeRawBufferPointer(rebasing: name.prefix(128)),
                         Client.bytes("', with args beginning with: "), quotedBytes])
        }
    }

    /// "ERR unknown subcommand '<sub>'. Try <CMD> HELP."
    public func replyUnknownSubcommand() {
        let upper = args[0].map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }
        upper.withUnsafeBytes { upperBytes in
            reply.error([Client.bytes("ERR unknown subcommand '"), UnsafeRawBufferPointer(rebasing: args[1].prefix(128)),
                         Client.bytes("'. Try "), upperBytes, Client.bytes(" HELP.")])
        }
    }

    /// A StaticString's bytes as a buffer (they live in the binary forever).
    @inlinable
    public static func bytes(_ text: StaticString) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}

extension Arguments {
    /// An argv of zero arguments.
    // Never mutated: zero ranges and a dummy base, shared by every idle client.
    nonisolated(unsafe) public static let empty: Arguments = {
        let ranges = UnsafeMutablePointer<ArgumentRange>.allocate(capacity: 1)
        return Arguments(base: UnsafeRawPointer(ranges), ranges: ranges, count: 0)
    }()
}
