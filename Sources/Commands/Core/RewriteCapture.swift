import Bytes

/// What an AOF rewrite needs from the log while it dumps the keyspace shard by shard (no fork).
///
/// The rewrite opens a new incremental file first, then dumps shard 0, 1, … each under its lock.
/// Every record always goes to the old incremental file (so a failed rewrite loses nothing). A
/// record whose shards are all dumped already must also reach the new incremental file (the new
/// base lacks it); a record whose shards are all still to be dumped must not (the base will hold
/// its effect, and INCR/APPEND would otherwise be applied twice). A record spanning both kinds of
/// shard cannot be split, so the capture fails and the rewrite is retried later (rare: only
/// multi-key writes across shards, or keyless ones such as FLUSHALL, during the dump).
///
/// Correct because a record is captured under the shard locks of its keys, and the dumper marks
/// a shard dumped under that shard's lock: for one shard, "dumped" cannot change between the
/// keyspace applying a write and the write's record being classified.
public struct RewriteCapture: ~Copyable {
    /// dumped[i]: shard i is in the new base.
    public var dumped: [Bool]
    /// Records for the new incremental file, with their own SELECTs.
    public var buffer = ByteBuffer(capacity: 64 * 1024)
    var database = -1
    /// A record touched dumped and undumped shards at once: this rewrite cannot be consistent.
    public var failed = false

    public init(shardCount: Int) { dumped = [Bool](repeating: false, count: shardCount) }

    mutating func capture(_ record: UnsafeRawBufferPointer, database: Int, shards: OpShards) {
        guard !failed else { return }
        switch shards {
        case .none:
            return
        case .one(let shard):
            guard dumped[shard] else { return }
        case .some(let list):
            let done = list.reduce(0) { $0 + (dumped[$1] ? 1 : 0) }
            if done == 0 { return }
            if done != list.count { failed = true; return }
        case .all:
            // A keyless write (FLUSHALL, SWAPDB) on a partly dumped keyspace cannot be split: shards
            // dumped after it already hold later writes that replaying it would undo.
            let done = dumped.reduce(0) { $0 + ($1 ? 1 : 0) }
            if done == 0 { return }
            if done != dumped.count { failed = true; return }
        }
        if self.database != database {
            self.database = database
            buffer.write("*2\r\n$6\r\nSELECT\r\n")
            Propagation.writeDecimalArgument(database, into: &buffer)
        }
        buffer.write(record)
    }
}
