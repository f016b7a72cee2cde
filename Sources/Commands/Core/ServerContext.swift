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
}

extension ServerControl {
    /// Default until the server implements it: nothing to reset.
    public func resetStatistics() {}
    /// Default until the server implements it: Redis's reply when there is no config file.
    public func rewriteConfig() -> [UInt8]? { Array("ERR The server is running without a config file".utf8) }
}

/// Everything a command may touch that is shared across event loops. One per server.
public final class ServerContext: Sendable {
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
    /// maxmemory, its policy and the eviction statistics (Eviction.swift).
    public let memory = MemoryGuard()
    /// Unix ms at start (uptime, INFO).
    public let startTime: Int64
    private let nextClientID = Atomic<Int>(1)

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

    /// Client ids are unique and increasing, as in Redis.
    public func makeClientID() -> Int { nextClientID.add(1, ordering: .relaxed).oldValue }
}
