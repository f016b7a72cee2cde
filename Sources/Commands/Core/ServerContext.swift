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
}

/// Everything a command may touch that is shared across event loops. One per server.
public final class ServerContext: Sendable {
    public let keyspace: Keyspace
    public let clock: Clock
    public let commands: CommandTable
    public let control: any ServerControl
    /// Unix ms at start (uptime, INFO).
    public let startTime: Int64
    private let nextClientID = Atomic<Int>(1)

    public init(keyspace: Keyspace, clock: Clock, control: any ServerControl,
                commands: CommandTable = .shared) {
        self.keyspace = keyspace
        self.clock = clock
        self.control = control
        self.commands = commands
        self.startTime = clock.nowMilliseconds()
    }

    public var databaseCount: Int { keyspace.databaseCount }

    /// Client ids are unique and increasing, as in Redis.
    public func makeClientID() -> Int { nextClientID.add(1, ordering: .relaxed).oldValue }
}
