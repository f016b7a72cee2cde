import Bytes

/// What an AOF rewrite needs from the log while it dumps the keyspace shard by shard (no fork).
///
/// The rewrite opens a new incremental file first, then dumps shard 0, 1, … each under its lock.
/// Every record always goes to the old incremental file (so a failed rewrite loses nothing). A
/// record whose shards are all dumped already must also reach the new incremental file (the new
/// base lacks it); a record whose shards are all still to be dumped must not (the base will hold
/// its effect, and INCR/APPEND would otherwise be applied twice). A multi-key record spanning both
/// kinds cannot be split: instead, the current state of its keys on dumped shards (`DEL key` and
/// the commands that rebuild it) is captured once the record's command has run (Propagation.commit,
/// still under the keys' shard locks). A keyless write (FLUSHALL, SWAPDB) on a partly dumped
/// keyspace fails the capture: that rewrite is abandoned and retried.
///
/// Correct because a record is captured under the shard locks of its keys, and the dumper marks
/// a shard dumped under that shard's lock: for one shard, "dumped" cannot change between the
/// keyspace applying a write and the write's record being classified. And a mixed record's
/// undumped shard is locked by its writer until the state is captured, so the dump cannot finish
/// (and the capture end) in between.
public struct RewriteCapture: ~Copyable {
    /// dumped[i]: shard i is in the new base.
    public var dumped: [Bool]
    /// Records for the new incremental file, with their own SELECTs.
    public var buffer = ByteBuffer(capacity: 64 * 1024)
    var database = -1
    /// A keyless record touched dumped and undumped shards at once: this rewrite cannot be consistent.
    public var failed = false

    public init(shardCount: Int) { dumped = [Bool](repeating: false, count: shardCount) }

    enum Outcome { case skipped, captured, mixed }

    @discardableResult
    mutating func capture(_ record: UnsafeRawBufferPointer, database: Int, shards: OpShards) -> Outcome {
        guard !failed else { return .skipped }
        switch shards {
        case .none:
            return .skipped
        case .one(let shard):
            guard dumped[shard] else { return .skipped }
        case .some(let list):
            let done = list.reduce(0) { $0 + (dumped[$1] ? 1 : 0) }
            if done == 0 { return .skipped }
            if done != list.count { return .mixed }
        case .all:
            // A keyless write (FLUSHALL, SWAPDB) on a partly dumped keyspace cannot be split: shards
            // dumped after it already hold later writes that replaying it would undo.
            let done = dumped.reduce(0) { $0 + ($1 ? 1 : 0) }
            if done == 0 { return .skipped }
            if done != dumped.count { failed = true; return .skipped }
        }
        append(record, database: database)
        return .captured
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer, database: Int) {
        if self.database != database {
            self.database = database
            buffer.write("*2\r\n$6\r\nSELECT\r\n")
            Propagation.writeDecimalArgument(database, into: &buffer)
        }
        buffer.write(bytes)
    }
}
