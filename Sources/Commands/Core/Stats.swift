import Synchronization

/// Counters owned by one event loop and read by INFO from any thread. Each counter has a single
/// writer, so a relaxed load + store (two plain moves) replaces a locked read-modify-write.
public final class WorkerStats: Sendable {
    public let commandsProcessed = Atomic<Int>(0)
    public let keyspaceHits = Atomic<Int>(0)
    public let keyspaceMisses = Atomic<Int>(0)
    public let connectionsReceived = Atomic<Int>(0)
    public let rejectedConnections = Atomic<Int>(0)
    public let inputBytes = Atomic<Int>(0)
    public let outputBytes = Atomic<Int>(0)
    public let errorReplies = Atomic<Int>(0)
    /// Write commands that did not reply with an error (Redis's server.dirty; see ChangeCounter).
    public let writes = Atomic<Int>(0)
    public init() {}
}

extension Atomic where Value == Int {
    /// Increment by the single owning thread.
    @inlinable @inline(__always)
    public func bump(_ amount: Int = 1) {
        store(load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }
}
