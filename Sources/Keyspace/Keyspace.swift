// CONTRACT STUB — the Keyspace helper replaces the bodies; public signatures are fixed.
import Bytes

/// All databases of the server, split into `shardCount` shards by key hash. Each shard has its own
/// lock, its own tables (one per database) and its own timing wheel. Shared by all event loops.
/// Lock discipline: a command locks the shards of its keys; several shards only in increasing index
/// order (`lockShards`), all shards via `lockAll` (FLUSHALL, SWAPDB).
public final class Keyspace: @unchecked Sendable {
    public let shardCount: Int
    public let databaseCount: Int
    public let shards: [Shard]

    /// Called with the shard lock held whenever a key is removed because it expired (lazily or by
    /// the wheel). Set once at start-up (propagation as DEL, keyspace notifications, stats).
    public var expirationHandler: (@Sendable (_ database: Int, _ key: UnsafeRawBufferPointer) -> Void)?

    /// `shardCount` must be a power of two.
    public init(shardCount: Int, databaseCount: Int, hashSeed: UInt64) { fatalError("unimplemented") }

    @inlinable public func hash(_ key: UnsafeRawBufferPointer) -> UInt64 { fatalError("unimplemented") }
    @inlinable public func shardIndex(hash: UInt64) -> Int { fatalError("unimplemented") }
    @inlinable public func shard(hash: UInt64) -> Shard { shards[shardIndex(hash: hash)] }

    /// Locks the given shard indices in increasing order (duplicates allowed; each locked once).
    /// Returns the sorted unique indices for `unlockShards`.
    public func lockShards(_ indices: inout [Int]) { fatalError("unimplemented") }
    public func unlockShards(_ sortedUnique: [Int]) { fatalError("unimplemented") }
    public func lockAll() { fatalError("unimplemented") }
    public func unlockAll() { fatalError("unimplemented") }

    /// Total keys in `database` (locks each shard in turn).
    public func count(database: Int) -> Int { fatalError("unimplemented") }
    /// Keys with an expiry in `database`.
    public func volatileCount(database: Int) -> Int { fatalError("unimplemented") }
    /// Exchanges two databases (all shards locked by the caller via lockAll).
    public func swapDatabases(_ a: Int, _ b: Int) { fatalError("unimplemented") }
    /// Bytes held by entries and tables (INFO used_memory's dataset part).
    public var memoryBytes: Int { fatalError("unimplemented") }
    /// Keys removed because they expired, since start.
    public var expiredKeys: Int { fatalError("unimplemented") }
}

/// SCAN cursor over one database, stable across resizes: encodes (shard, position in hash space).
/// Cursor 0 starts; `next == 0` means done.
public struct ScanResult { public var next: UInt64 }
