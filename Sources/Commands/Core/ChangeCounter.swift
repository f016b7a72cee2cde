import Synchronization

/// Redis's `server.dirty` (INFO rdb_changes_since_last_save; drives the save rules) without a
/// shared cache line on the write path: every event loop counts its own writes in its
/// `WorkerStats.writes` (single writer, plain stores), and the total is summed when read — by the
/// save-rule check every 100 ms and by INFO. One atomic add per write on a line both loops touch
/// cost a cache-line transfer per SET.
public final class ChangeCounter: Sendable {
    private let sources = Mutex<[WorkerStats]>([])
    /// The total at the last successful save (or load).
    private let saved = Atomic<Int>(0)

    public init() {}

    /// Every client's stats are registered once (loops share theirs).
    public func register(_ stats: WorkerStats) {
        sources.withLock { list in
            if !list.contains(where: { $0 === stats }) { list.append(stats) }
        }
    }

    /// Writes since start, over every loop.
    public var total: Int { sources.withLock { $0.reduce(0) { $0 + $1.writes.load(ordering: .relaxed) } } }

    public var sinceSave: Int { total - saved.load(ordering: .relaxed) }

    /// A save that started when `total` was `totalAtStart` succeeded: later writes still count.
    public func markSaved(totalAtStart: Int) {
        saved.store(totalAtStart, ordering: .relaxed)
    }

    /// Loading just filled the keyspace from disk: nothing to save yet.
    public func reset() { markSaved(totalAtStart: total) }
}
