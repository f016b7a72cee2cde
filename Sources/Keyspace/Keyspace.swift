import Bytes
import CLinux
import Synchronization

/// Bytes the process has allocated for data: malloc's in-use bytes plus the slot arrays the tables
/// map directly (INFO used_memory, the maxmemory measurement, the RDB used-mem field).
public func processAllocatedBytes() -> Int {
    Int(tessera_malloc_in_use()) + Table.mappedBytes.load(ordering: .relaxed)
}

/// All databases of the server, split into `shardCount` shards by key hash. Each shard has its own
/// lock, its own tables (one per database) and its own timing wheel. Shared by all event loops.
/// Lock discipline: a command locks the shards of its keys; several shards only in increasing index
/// order (`lockShards`), all shards via `lockAll` (FLUSHALL, SWAPDB, EXEC). Locks are reentrant for
/// their owning thread, so code holding every shard (EXEC) can run handlers that lock their own;
/// acquiring a shard not yet held must still follow increasing index order.
///
/// Hash bits: the low bits pick the shard, bits 16...31 are the in-table tag, the top bits the
/// home slot (and the SCAN position).
public final class Keyspace: @unchecked Sendable {
    public let shardCount: Int
    public let databaseCount: Int
    public let shards: [Shard]
    /// `shards` again, unretained, for `withShard` (the keyspace keeps every shard alive).
    @usableFromInline let shardRefs: [Unmanaged<Shard>]
    @usableFromInline let hashSeed: UInt64
    @usableFromInline let shardMask: Int
    /// Monotonic ms of the last malloc_trim (shared rate limit: trimming is process-wide).
    let lastTrim = Atomic<Int64>(0)
    /// Bytes of entries freed since the last malloc_trim, pooled over shards.
    let freedSinceTrim = Atomic<Int>(0)
    /// LRU or LFU access clocks (set from `maxmemory-policy`; AccessTracking.swift).
    public let accessTracking = AccessTracking()

    /// Called with the shard lock held whenever a key is removed because it expired (lazily or by
    /// the wheel). Set once at start-up (propagation as DEL, keyspace notifications, stats).
    /// It must not call back into the keyspace.
    public var expirationHandler: (@Sendable (_ database: Int, _ key: UnsafeRawBufferPointer) -> Void)?

    /// `shardCount` must be a power of two.
    public init(shardCount: Int, databaseCount: Int, hashSeed: UInt64) {
        precondition(shardCount > 0 && shardCount.nonzeroBitCount == 1 && shardCount <= 1 << 16,
                     "shardCount must be a power of two ≤ 65536")
        // Entries record their table in one byte.
        precondition(databaseCount >= 1 && databaseCount <= 256, "databaseCount must be 1...256")
        self.shardCount = shardCount
        self.databaseCount = databaseCount
        self.hashSeed = hashSeed
        self.shardMask = shardCount - 1
        self.shards = (0..<shardCount).map { Shard(index: $0, databaseCount: databaseCount, seed: hashSeed) }
        self.shardRefs = shards.map { Unmanaged.passUnretained($0) }
        for shard in shards { shard.keyspace = self }
    }

    @inlinable public func hash(_ key: UnsafeRawBufferPointer) -> UInt64 { ByteHash.hash(key, seed: hashSeed) }
    @inlinable public func shardIndex(hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & shardMask }
    @inlinable public func shard(hash: UInt64) -> Shard { shards[shardIndex(hash: hash)] }

    /// Runs `body` with the shard for `hash` without retaining it: `shard(hash:)` costs an atomic
    /// retain/release pair, which GET/SET (measured) need not pay.
    @inlinable @inline(__always)
    public func withShard<R>(hash: UInt64, _ body: (Shard) throws -> R) rethrows -> R {
        try shardRefs[shardIndex(hash: hash)]._withUnsafeGuaranteedRef(body)
    }

    /// Locks the given shard indices in increasing order (duplicates allowed; each locked once).
    /// Returns the sorted unique indices for `unlockShards`.
    public func lockShards(_ indices: inout [Int]) {
        indices.sort()
        var unique = 0
        for i in indices.indices where unique == 0 || indices[unique - 1] != indices[i] {
            indices[unique] = indices[i]
            unique += 1
        }
        indices.removeLast(indices.count - unique)
        for i in indices { shards[i].lock() }
    }

    public func unlockShards(_ sortedUnique: [Int]) {
        for i in sortedUnique.reversed() { shards[i].unlock() }
    }

    public func lockAll() { for shard in shards { shard.lock() } }
    public func unlockAll() { for shard in shards.reversed() { shard.unlock() } }

    /// Total keys in `database` (locks each shard in turn).
    public func count(database: Int) -> Int {
        var total = 0
        for shard in shards {
            shard.lock()
            total += shard.count(database: database)
            shard.unlock()
        }
        return total
    }

    /// Keys with an expiry in `database`.
    public func volatileCount(database: Int) -> Int {
        var total = 0
        for shard in shards {
            shard.lock()
            total += shard.volatileCount(database: database)
            shard.unlock()
        }
        return total
    }

    /// Exchanges two databases (all shards locked by the caller via lockAll). O(shards).
    public func swapDatabases(_ a: Int, _ b: Int) {
        for shard in shards { shard.swapDatabases(a, b) }
    }

    /// Bytes held by entries and tables (INFO used_memory's dataset part). Lock-free; may lag a
    /// concurrent write by one operation.
    public var memoryBytes: Int { shards.reduce(0) { $0 + $1.publishedMemory.load(ordering: .relaxed) } }

    /// Keys removed because they expired, since start. Lock-free.
    public var expiredKeys: Int { shards.reduce(0) { $0 + $1.publishedExpired.load(ordering: .relaxed) } }

    /// One SCAN step over `database`. Cursor encoding: the low log2(shardCount) bits are the shard
    /// index, the remaining high bits the position in that shard's hash space (a home-slot
    /// boundary, so its low bits are zero). Cursor 0 starts; a returned 0 means done. Locks each
    /// shard while scanning it, so the caller must hold no shard lock; `visit` runs under that
    /// lock and must not modify the keyspace (copy the key out).
    public func scan(database: Int, cursor: UInt64, count: Int, now: Int64, visit: (Entry) -> Void) -> UInt64 {
        let mask = UInt64(shardMask)
        var shardIndex = Int(cursor & mask)
        var position = cursor & ~mask
        var remaining = max(1, count)
        while shardIndex < shardCount {
            let shard = shards[shardIndex]
            var visited = 0
            shard.lock()
            let next = shard.scan(database: database, from: position, count: remaining, now: now) { entry in
                visited += 1
                visit(entry)
            }
            shard.unlock()
            if let next {
                precondition(next & mask == 0 && next != 0, "scan position collides with shard bits")
                return next | UInt64(shardIndex)
            }
            shardIndex += 1
            position = 0
            remaining -= visited
            if remaining <= 0 { break }
        }
        return shardIndex < shardCount ? UInt64(shardIndex) : 0
    }
}

/// SCAN cursor over one database, stable across resizes: encodes (shard, position in hash space).
/// Cursor 0 starts; `next == 0` means done. See `Keyspace.scan(database:cursor:count:now:visit:)`.
public struct ScanResult { public var next: UInt64 }
