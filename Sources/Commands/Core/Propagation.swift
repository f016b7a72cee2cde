import Bytes
import Glibc
import Keyspace
import RESP
import Synchronization

/// The single propagation point (Redis `propagateNow` / `alsoPropagate`): every write's effect,
/// as a RESP command, goes into one ordered log that the server drains into the append-only file.
///
/// Flow. A write command's handler either says nothing (the dispatcher then propagates its argv
/// verbatim, unless the command replied an error) or emits its own rewritten ops
/// (`SET … EX 10` → `SET … PXAT <ms>`, SPOP → SREM…) or suppresses propagation (a write that
/// changed nothing, when replaying it could differ). Ops first collect in the client's pending
/// buffer; `commit` moves them into the log, wrapped in MULTI/EXEC when there are several (EXEC,
/// or a command that emitted several ops), with SELECT before an op whose database differs from
/// the log's, exactly as Redis 7.0's propagatePendingCommands does.
///
/// Order. While the AOF is on, the dispatcher holds the shard locks of the command's keys (all
/// shards for keyless writes and EXEC) from before the handler until after `commit`. Two writes to
/// one key therefore commit in the order the keyspace applied them: the second cannot even start
/// before the first's record is in the log. Keys expired lazily or by the wheel are logged as DEL
/// from `Keyspace.expirationHandler`, which runs under that key's shard lock as well.
///
/// Cost when off: one relaxed atomic load and a branch per write command.
public final class Propagation: @unchecked Sendable {
    private let enabledFlag = Atomic<Bool>(false)
    /// Set while the AOF cannot be written (appendfsync everysec/no): writes get -MISCONF.
    private let writeErrorFlag = Atomic<Int32>(0)
    /// Total bytes ever appended to the log (a record's end offset is its sequence number).
    private let appendedBytes = Atomic<Int64>(0)
    /// Guards `state`: a pthread mutex rather than `Mutex` because ops are copied out of a client
    /// (not Sendable) while it is held. A leaf lock: nothing else is acquired under it.
    private let lock = PlainLock()
    private var state = LogState()

    @inline(__always)
    func withState<R>(_ body: (inout LogState) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    struct LogState: ~Copyable {
        var buffer = ByteBuffer(capacity: 64 * 1024)
        /// Database of the last SELECT in the log (-1 = none yet: the next op writes one).
        var database = -1
        var appended: Int64 = 0
        /// While a rewrite dumps the keyspace: which shards are already in the new base, and the
        /// records that must also go to the rewrite's new incremental file.
        var rewrite: RewriteCapture?
    }

    public init() {}

    @inline(__always) public var isEnabled: Bool { enabledFlag.load(ordering: .relaxed) }

    /// Starts or stops logging. The caller makes sure nothing is mid-command (start-up) or that
    /// losing the in-flight record is harmless (turning the AOF off).
    public func setEnabled(_ on: Bool) {
        withState { $0.database = -1 }
        enabledFlag.store(on, ordering: .releasing)
    }

    /// errno of the last failed AOF write (0 = writes succeed).
    public var writeErrno: Int32 { writeErrorFlag.load(ordering: .relaxed) }
    public func setWriteErrno(_ code: Int32) { writeErrorFlag.store(code, ordering: .relaxed) }

    /// Bytes appended so far (records end at increasing offsets).
    @inline(__always) public var appendedOffset: Int64 { appendedBytes.load(ordering: .acquiring) }

    /// Appends the pending log bytes to `target` and returns the log offset they end at.
    public func take(appendingTo target: inout ByteBuffer) -> Int64 {
        withState { s in
            if s.buffer.readableBytes > 0 {
                target.write(s.buffer.readableView)
                s.buffer.clear()
                // Keep one burst's worth of memory, give the rest back.
                s.buffer.shrinkIfEmpty(to: 1 << 20)
            }
            return s.appended
        }
    }

    /// Forces the next op to be preceded by SELECT (a new file begins).
    public func forgetDatabase() { withState { $0.database = -1 } }

    // MARK: Rewrite support

    /// Starts capturing records for a rewrite's new incremental file.
    public func beginCapture(shardCount: Int) { withState { $0.rewrite = RewriteCapture(shardCount: shardCount) } }

    /// Marks shard `index` as dumped into the new base. Call with that shard's lock held.
    public func markDumped(_ index: Int) { withState { $0.rewrite?.dumped[index] = true } }

    /// Ends the capture atomically with taking the pending log bytes (which belong to the old
    /// file): `pending` gets them, `captured` the new incremental file's records. Returns false if
    /// the capture failed. Later records start with a SELECT (they go to the new file).
    public func endCapture(pending: inout ByteBuffer, captured: inout ByteBuffer) -> (ok: Bool, end: Int64) {
        withState { s in
            if s.buffer.readableBytes > 0 {
                pending.write(s.buffer.readableView)
                s.buffer.clear()
            }
            var ok = false
            if let capture = s.rewrite.take() {
                ok = !capture.failed
                if ok { captured.write(capture.buffer.readableView) }
            }
            s.database = -1
            return (ok, s.appended)
        }
    }

    /// Drops a capture (rewrite abandoned).
    public func cancelCapture() { withState { _ = $0.rewrite.take() } }

    // MARK: Committing

    /// Moves `client`'s pending ops into the log (under the shard locks of their keys).
    func commit(_ client: Client) {
        guard !client.propagationOps.isEmpty else { return }
        let mixed = append(client)
        if !mixed.isEmpty { captureState(client, ops: client.propagationOps, mixed: mixed) }
        // No other reference to the ops array is alive here, so this keeps its storage.
        client.propagationOps.removeAll(keepingCapacity: true)
        client.propagationBuffer.clear()
    }

    /// The log part of `commit`; returns the indices of ops a rewrite must capture as key state.
    private func append(_ client: Client) -> [Int] {
        let ops = client.propagationOps
        var mixed: [Int] = []
        let end = withState { s -> Int64 in
            let before = s.buffer.writerIndex
            let wrap = ops.count > 1
            if wrap {
                Propagation.select(ops[0].database, &s)
                s.buffer.write("*1\r\n$5\r\nMULTI\r\n")
            }
            let pending = client.propagationBuffer.readableView
            for (i, op) in ops.enumerated() {
                Propagation.select(op.database, &s)
                let stop = i + 1 < ops.count ? ops[i + 1].start : pending.count
                let bytes = UnsafeRawBufferPointer(rebasing: pending[op.start..<stop])
                s.buffer.write(bytes)
                if s.rewrite?.capture(bytes, database: op.database, shards: op.shards) == .mixed { mixed.append(i) }
            }
            if wrap { s.buffer.write("*1\r\n$4\r\nEXEC\r\n") }
            s.appended += Int64(s.buffer.writerIndex - before)
            appendedBytes.store(s.appended, ordering: .releasing)
            return s.appended
        }
        client.durableTarget = end
        return mixed
    }

    /// A rewrite is running and ops in `mixed` touched dumped and undumped shards: capture the
    /// current state of their keys on dumped shards (after all of the command's ops, so it
    /// overrides whatever the captured ops did to those keys). Under the keys' shard locks.
    private func captureState(_ client: Client, ops: [PendingOp], mixed: [Int]) {
        let keyspace = client.keyspace
        let pending = client.propagationBuffer.readableView
        var states: [(database: Int, bytes: [UInt8])] = []
        var buffer = ByteBuffer(capacity: 1024)
        let dumped = withState { s in s.rewrite?.dumped ?? [] }
        guard !dumped.isEmpty else { return }
        for i in mixed {
            // Which keys: the logged command's key positions, from the command table.
            let stop = i + 1 < ops.count ? ops[i + 1].start : pending.count
            let argv = EntryDump.arguments(of: UnsafeRawBufferPointer(rebasing: pending[ops[i].start..<stop]))
            guard let command = client.context.commands.lookup(argv[0]), command.keys.first > 0 else { continue }
            let keys = command.keys
            let last = keys.last < 0 ? argv.count + keys.last : keys.last
            var index = keys.first
            while index <= last && index < argv.count {
                let key = argv[index]
                if dumped[keyspace.shardIndex(hash: keyspace.hash(key))] {
                    buffer.clear()
                    EntryDump.appendState(database: ops[i].database, key: key, keyspace: keyspace, into: &buffer)
                    states.append((ops[i].database, Array(buffer.readableView)))
                }
                index += max(1, keys.step)
            }
        }
        guard !states.isEmpty else { return }
        withState { s in
            for state in states { state.bytes.withUnsafeBytes { s.rewrite?.append($0, database: state.database) } }
        }
    }

    /// `DEL key` for a key that expired (called under its shard lock).
    public func appendExpired(database: Int, key: UnsafeRawBufferPointer, shard: Int) {
        withState { s in
            let before = s.buffer.writerIndex
            Propagation.select(database, &s)
            let start = s.buffer.writerIndex
            s.buffer.write("*2\r\n$3\r\nDEL\r\n")
            Propagation.argument(key, into: &s.buffer)
            let record = UnsafeRawBufferPointer(start: s.buffer.base + start, count: s.buffer.writerIndex - start)
            s.rewrite?.capture(record, database: database, shards: .one(shard))
            s.appended += Int64(s.buffer.writerIndex - before)
            appendedBytes.store(s.appended, ordering: .releasing)
        }
    }

    private static func select(_ database: Int, _ s: inout LogState) {
        guard s.database != database else { return }
        s.database = database
        s.buffer.write("*2\r\n$6\r\nSELECT\r\n")
        writeDecimalArgument(database, into: &s.buffer)
    }

    @inline(__always)
    static func argument(_ bytes: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        buffer.write(byte: UInt8(ascii: "$"))
        buffer.writeDecimal(bytes.count)
        buffer.write("\r\n")
        buffer.write(bytes)
        buffer.write("\r\n")
    }

    static func writeDecimalArgument(_ value: Int, into buffer: inout ByteBuffer) {
        var digits = 1
        var rest = value.magnitude
        while rest >= 10 { rest /= 10; digits += 1 }
        if value < 0 { digits += 1 }
        buffer.write(byte: UInt8(ascii: "$"))
        buffer.writeDecimal(digits)
        buffer.write("\r\n")
        buffer.writeDecimal(value)
        buffer.write("\r\n")
    }
}

/// A pthread mutex at a stable address.
public final class PlainLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    @inline(__always) public func lock() { precondition(pthread_mutex_lock(mutex) == 0, "pthread_mutex_lock failed") }
    public func tryAcquire() -> Bool { pthread_mutex_trylock(mutex) == 0 }
    @inline(__always) public func unlock() { pthread_mutex_unlock(mutex) }
}

/// Which shards an op touched, for the rewrite's "already dumped?" question.
public enum OpShards: Sendable {
    case none
    case one(Int)
    /// Sorted, unique.
    case some([Int])
    case all
}

/// One op in a client's pending buffer.
struct PendingOp {
    var database: Int
    var start: Int
    var shards: OpShards
}

// MARK: - Client side: what handlers call

extension Client {
    /// Whether writes are being propagated (handlers test it before building a rewritten op).
    @inline(__always) public var propagates: Bool { context.propagation.isEnabled }

    /// Begins a rewritten op of `count` arguments; follow with exactly `count` `propagateArgument`
    /// calls. Marks the command as propagated by its handler (no verbatim copy).
    public func propagateCommand(argumentCount count: Int) {
        propagationHandled = true
        propagationOps.append(PendingOp(database: database, start: propagationBuffer.writerIndex,
                                        shards: currentOpShards))
        propagationBuffer.write(byte: UInt8(ascii: "*"))
        propagationBuffer.writeDecimal(count)
        propagationBuffer.write("\r\n")
    }

    public func propagateArgument(_ bytes: UnsafeRawBufferPointer) {
        Propagation.argument(bytes, into: &propagationBuffer)
    }

    public func propagateArgument(_ text: StaticString) {
        propagateArgument(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public func propagateArgument(_ value: Int64) {
        Propagation.writeDecimalArgument(Int(value), into: &propagationBuffer)
    }

    /// The handler decided this command changed nothing worth logging.
    public func suppressPropagation() { propagationHandled = true }

    /// Common rewrites.
    public func propagateDel(_ key: UnsafeRawBufferPointer) {
        propagateCommand(argumentCount: 2)
        propagateArgument("DEL")
        propagateArgument(key)
    }

    public func propagatePExpireAt(_ key: UnsafeRawBufferPointer, _ when: Int64) {
        propagateCommand(argumentCount: 3)
        propagateArgument("PEXPIREAT")
        propagateArgument(key)
        propagateArgument(when)
    }

    /// strerror text, for -MISCONF replies.
    static func errnoText(_ code: Int32) -> [UInt8] {
        guard let text = strerror(code) else { return Array("errno \(code)".utf8) }
        return Array(String(cString: text).utf8)
    }

    /// The current argv, unchanged.
    func propagateVerbatim() {
        let args = self.args
        propagateCommand(argumentCount: args.count)
        for i in 0..<args.count { propagateArgument(args[i]) }
    }
}
