import Keyspace
import Synchronization

/// What the command layer needs from the process around it. `Server` implements it; tests use a
/// small fake. Only admin commands reach it, never the GET/SET path, so an existential is fine here.
public protocol ServerControl: AnyObject, Sendable {
    /// INFO text for the given lowercase section names (empty = default sections), with "# Section"
    /// headers and CRLF line ends, exactly as Redis formats it.
    func info(sections: [[UInt8]]) -> [UInt8]
    /// CONFIG GET: (name, value) pairs for every directive matching any glob pattern.
    func configGet(patterns: [[UInt8]]) -> [([UInt8], [UInt8])]
    /// CONFIG SET of several directives atomically; nil on success or Redis's error text.
    func configSet(_ pairs: [([UInt8], [UInt8])]) -> [UInt8]?
    /// Every connected client (CLIENT LIST / KILL).
    func clients() -> [ClientInfo]
    /// SHUTDOWN: `save` nil = default behaviour. Returns an error text if refused.
    func shutdown(save: Bool?) -> [UInt8]?
    /// Aggregated statistics over all workers.
    func totalCommandsProcessed() -> Int
    /// CLIENT KILL: asks the worker owning client `clientID` to close it (set its `killRequested` and
    /// wake the worker up). False if no such client. Never called for the calling client itself
    /// (that one is closed with `closeAfterReply`).
    func kill(clientID: Int) -> Bool
    /// CONFIG RESETSTAT: zero the statistics INFO reports (Redis `resetServerStats`: commands
    /// processed, connections received, keyspace hits/misses, expired keys, errors, net bytes…).
    func resetStatistics()
    /// CONFIG REWRITE: nil on success or Redis's error text ("ERR The server is running without a
    /// config file" when started without one).
    func rewriteConfig() -> [UInt8]?
    /// SAVE: a synchronous snapshot; nil on success or Redis's error text.
    func save() -> [UInt8]?
    /// BGSAVE [SCHEDULE]: starts a background snapshot (inside EXEC, schedules it, as Redis does).
    /// The status reply ("Background saving started"/"…scheduled") on success, otherwise
    /// `.failure` with Redis's error text.
    func backgroundSave(schedule: Bool, inTransaction: Bool) -> Result<[UInt8], SnapshotRefusal>
    /// LASTSAVE: Unix seconds of the last successful save (start time when none yet).
    func lastSaveTime() -> Int
    /// BGREWRITEAOF.
    func rewriteAppendOnlyFile() -> RewriteRequest
}

/// An error text for BGSAVE (a type so `Result` can carry it).
public struct SnapshotRefusal: Error, Sendable {
    public let text: [UInt8]
    public init(_ text: String) { self.text = Array(text.utf8) }
}

/// What BGREWRITEAOF replies.
public enum RewriteRequest: Sendable {
    case started
    /// An error text without the leading '-'.
    case failed([UInt8])
}

extension ServerControl {
    /// Default until the server implements it: nothing to reset.
    public func resetStatistics() {}
    /// Default until the server implements it: Redis's reply when there is no config file.
    public func rewriteConfig() -> [UInt8]? { Array("ERR The server is running without a config file".utf8) }
    /// Defaults for controls without persistence (command tests): nothing is saved.
    public func save() -> [UInt8]? { Array("ERR".utf8) }
    public func backgroundSave(schedule: Bool, inTransaction: Bool) -> Result<[UInt8], SnapshotRefusal> {
        .failure(SnapshotRefusal("ERR"))
    }
    public func lastSaveTime() -> Int { 0 }
    /// Default until the server implements it: no append-only file.
    public func rewriteAppendOnlyFile() -> RewriteRequest { .failed(Array("ERR Background append only file rewriting failed".utf8)) }
}

/// Everything a command may touch that is shared across event loops. One per server.
public final class ServerContext: Sendable {
    // Stored properties are laid out in declaration order: the gates every command reads come
    // first and the change counter every write bumps comes last, more than 64 bytes apart, so the
    // counter's cache line bouncing between event loops does not slow down the gate check.
    /// Admission gates the dispatcher checks with one relaxed load per command (0 = none set):
    /// `AdmissionGate.loading` (start-up load in progress → -LOADING) and
    /// `AdmissionGate.writesRefused` (last background save failed → -MISCONF for writes).
    public let admissionGates = Atomic<Int>(0)
    public let keyspace: Keyspace
    public let clock: Clock
    public let commands: CommandTable
    public let control: any ServerControl
    /// Users and their permissions (ACL, AUTH, the dispatcher's gate).
    public let acl: ACLStore
    /// Channel and pattern subscriptions across all loops.
    public let pubsub: PubSubHub
    /// notify-keyspace-events and their delivery.
    public let events: KeyspaceEvents
    /// WATCHed keys across all clients.
    public let watches: WatchRegistry
    /// Clients in MONITOR mode.
    public let monitors = MonitorHub()
    /// CLIENT PAUSE state.
    public let pause = ClientPause()
    /// The propagation point: every write's effect, in order, for the append-only file.
    public let propagation = Propagation()
    /// maxmemory, its policy and the eviction statistics (Eviction.swift).
    public let memory = MemoryGuard()
    /// Unix ms at start (uptime, INFO).
    public let startTime: Int64
    private let nextClientID = Atomic<Int>(1)
    /// Redis's `server.dirty`: writes since the last successful save, summed over the loops.
    public let changes = ChangeCounter()

    public init(keyspace: Keyspace, clock: Clock, control: any ServerControl,
                commands: CommandTable = .shared) {
        self.keyspace = keyspace
        self.clock = clock
        self.control = control
        self.commands = commands
        self.acl = ACLStore(commands: commands)
        self.startTime = clock.nowMilliseconds()
        pubsub = PubSubHub()
        events = KeyspaceEvents(hub: pubsub)
        watches = WatchRegistry()
    }

    public var databaseCount: Int { keyspace.databaseCount }

    /// Sets or clears one `AdmissionGate` bit.
    public func setGate(_ gate: Int, _ on: Bool) {
        if on { admissionGates.bitwiseOr(gate, ordering: .relaxed) } else { admissionGates.bitwiseAnd(~gate, ordering: .relaxed) }
    }

    public var isLoading: Bool { admissionGates.load(ordering: .relaxed) & AdmissionGate.loading != 0 }

    /// Client ids are unique and increasing, as in Redis.
    public func makeClientID() -> Int { nextClientID.add(1, ordering: .relaxed).oldValue }
}

/// Bits of `ServerContext.admissionGates`.
public enum AdmissionGate {
    /// The dataset is being loaded at start-up: commands without the `loading` flag get -LOADING.
    public static let loading = 1
    /// stop-writes-on-bgsave-error with a failed last save and save rules set: writes (and PING,
    /// as in Redis) get -MISCONF.
    public static let writesRefused = 2
}
