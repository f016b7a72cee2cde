import Bytes
import Commands
import Keyspace
import RESP
import Synchronization

/// Runs commands through the real dispatcher in-process (Dragonfly's `Run({"set","k","v"})` style)
/// over a real keyspace and a manual clock, returning the exact reply bytes.
final class CommandHarness {
    let clock: Clock
    let context: ServerContext
    let control: FakeServerControl
    let client: Client
    /// A second connection that owns a mailbox, for pub/sub tests: SUBSCRIBE with `run(_:on:)`, then
    /// `mailbox.drain()` shows what was delivered to it.
    /// Created on first use, so tests that never subscribe keep their client ids.
    let mailbox = Mailbox(wake: {})
    lazy var subscriber: Client = {
        let info = ClientInfo(id: context.makeClientID(), address: Array("127.0.0.1:50001".utf8),
                              localAddress: Array("127.0.0.1:6379".utf8), fd: 8, createdAt: clock.nowMilliseconds())
        return Client(context: context, info: info, stats: WorkerStats(), mailbox: mailbox)
    }()

    init(shardCount: Int = 4, databases: Int = 16, startTime: Int64 = 1_700_000_000_000,
         commands: CommandTable = .shared) {
        clock = Clock.manual(at: startTime)
        control = FakeServerControl()
        let keyspace = Keyspace(shardCount: shardCount, databaseCount: databases, hashSeed: 0x1234_5678)
        context = ServerContext(keyspace: keyspace, clock: clock, control: control, commands: commands)
        let info = ClientInfo(id: context.makeClientID(), address: Array("127.0.0.1:50000".utf8),
                              localAddress: Array("127.0.0.1:6379".utf8), fd: 7, createdAt: startTime)
        client = Client(context: context, info: info, stats: WorkerStats())
        control.registered = [info]
        // As the server does: expired keys fire "expired" and break WATCHes.
        let context = self.context
        keyspace.expirationHandler = { database, key in
            context.events.notify(.expired, "expired", key: key, database: database)
            context.watches.touch(database: database, key: key)
        }
    }

    /// A second connection to the same server (same keyspace, clock, users).
    init(sharing other: CommandHarness) {
        clock = other.clock
        control = other.control
        context = other.context
        let info = ClientInfo(id: context.makeClientID(), address: Array("127.0.0.1:50001".utf8),
                              localAddress: Array("127.0.0.1:6379".utf8), fd: 8, createdAt: clock.nowMilliseconds())
        client = Client(context: context, info: info, stats: WorkerStats())
    }

    /// Executes one command and returns its raw reply as a String (bytes mapped 1:1 via Latin-1 when
    /// not UTF-8, so binary replies stay comparable).
    @discardableResult
    func run(_ argv: [String], on target: Client? = nil) -> String {
        decode(runBytes(argv.map { Array($0.utf8) }, on: target))
    }

    func runBytes(_ argv: [[UInt8]], on target: Client? = nil) -> [UInt8] {
        let client = target ?? self.client
        var joined: [UInt8] = []
        var ranges: [ArgumentRange] = []
        for arg in argv {
            ranges.append(ArgumentRange(offset: joined.count, count: arg.count))
            joined.append(contentsOf: arg)
        }
        joined.append(0) // a valid base pointer even for empty arguments
        return joined.withUnsafeBytes { base in
            ranges.withUnsafeBufferPointer { rangePointer in
                client.args = Arguments(base: base.baseAddress!, ranges: rangePointer.baseAddress!, count: argv.count)
                client.reply.buffer.clear()
                Dispatcher.execute(client)
                client.args = Arguments.empty
                return Array(client.reply.buffer.readableView)
            }
        }
    }

    func decode(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// A ServerControl that records calls and answers from simple in-memory state.
final class FakeServerControl: ServerControl, @unchecked Sendable {
    var registered: [ClientInfo] = []
    var config: [([UInt8], [UInt8])] = [(Array("databases".utf8), Array("16".utf8)),
                                         (Array("timeout".utf8), Array("0".utf8))]
    var shutdownRequests: [Bool?] = []
    var infoText: [UInt8] = Array("# Server\r\nredis_version:7.0.15\r\n".utf8)
    var infoRequests: [[[UInt8]]] = []
    var shutdownError: [UInt8]?

    func info(sections: [[UInt8]]) -> [UInt8] { infoRequests.append(sections); return infoText }
    func configGet(patterns: [[UInt8]]) -> [([UInt8], [UInt8])] {
        config.filter { pair in patterns.contains { $0 == pair.0 || $0 == Array("*".utf8) } }
    }
    func configSet(_ pairs: [([UInt8], [UInt8])]) -> [UInt8]? {
        for (name, value) in pairs {
            guard let index = config.firstIndex(where: { $0.0 == name }) else {
                return Array("ERR Unknown option or number of arguments for CONFIG SET - '".utf8) + name + Array("'".utf8)
            }
            config[index].1 = value
        }
        return nil
    }
    func clients() -> [ClientInfo] { registered }
    var killed: [Int] = []
    func kill(clientID: Int) -> Bool {
        guard let info = registered.first(where: { $0.id == clientID }) else { return false }
        info.killRequested.store(true, ordering: .relaxed)
        killed.append(clientID)
        return true
    }
    var statisticsResets = 0
    func resetStatistics() { statisticsResets += 1 }
    func shutdown(save: Bool?) -> [UInt8]? { shutdownRequests.append(save); return shutdownError }
    func totalCommandsProcessed() -> Int { 0 }
    // Snapshots: scripted answers and a call log.
    var saveError: [UInt8]?
    var saves = 0
    var backgroundSaveAnswer: Result<[UInt8], SnapshotRefusal> = .success(Array("Background saving started".utf8))
    var backgroundSaveRequests: [(schedule: Bool, inTransaction: Bool)] = []
    var lastSave = 1_700_000_000
    func save() -> [UInt8]? { saves += 1; return saveError }
    func backgroundSave(schedule: Bool, inTransaction: Bool) -> Result<[UInt8], SnapshotRefusal> {
        backgroundSaveRequests.append((schedule, inTransaction))
        return backgroundSaveAnswer
    }
    func lastSaveTime() -> Int { lastSave }
}
