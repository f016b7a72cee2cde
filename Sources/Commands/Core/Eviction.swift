import Keyspace
import Synchronization

/// `maxmemory-policy` values, with Redis's names.
public enum EvictionPolicy: UInt8, Sendable, CaseIterable {
    case noeviction, allkeysLRU, volatileLRU, allkeysLFU, volatileLFU, allkeysRandom, volatileRandom, volatileTTL

    public var name: String {
        switch self {
        case .noeviction: "noeviction"
        case .allkeysLRU: "allkeys-lru"
        case .volatileLRU: "volatile-lru"
        case .allkeysLFU: "allkeys-lfu"
        case .volatileLFU: "volatile-lfu"
        case .allkeysRandom: "allkeys-random"
        case .volatileRandom: "volatile-random"
        case .volatileTTL: "volatile-ttl"
        }
    }

    public init?(name: String) {
        guard let policy = EvictionPolicy.allCases.first(where: { $0.name == name }) else { return nil }
        self = policy
    }

    public var isLFU: Bool { self == .allkeysLFU || self == .volatileLFU }
    public var volatileOnly: Bool { self == .volatileLRU || self == .volatileLFU || self == .volatileRandom || self == .volatileTTL }
}

/// The maxmemory state shared by every loop. `used` is the malloc'd bytes outside the dataset
/// (client buffers, tables of other structures, the allocator's own headers; sampled once a second
/// with mallinfo2, which is too slow per command) plus the dataset bytes the shards publish after
/// each write, so a burst of writes is seen at once.
public final class MemoryGuard: Sendable {
    private let maxBytesValue = Atomic<Int>(0)
    private let policyValue = Atomic<UInt8>(EvictionPolicy.noeviction.rawValue)
    private let samplesValue = Atomic<Int>(5)
    private let overheadBytes = Atomic<Int>(0)
    private let evictedKeysValue = Atomic<Int>(0)
    private let randomState = Atomic<UInt64>(0x2545_F491_4F6C_DD1D)
    /// Redis's eviction pool: the best candidates seen by recent samplings, best first.
    let pool = Mutex<[EvictionCandidate]>([])
    static let poolSize = 16

    public init() {}

    /// 0 = no limit. One relaxed load: the dispatcher's check for denyoom commands.
    @inline(__always) public var maxBytes: Int { maxBytesValue.load(ordering: .relaxed) }
    public var policy: EvictionPolicy { EvictionPolicy(rawValue: policyValue.load(ordering: .relaxed)) ?? .noeviction }
    public var samples: Int { samplesValue.load(ordering: .relaxed) }
    /// INFO evicted_keys (since start).
    public var evictedKeys: Int { evictedKeysValue.load(ordering: .relaxed) }

    public func configure(maxBytes: Int, policy: EvictionPolicy, samples: Int) {
        maxBytesValue.store(maxBytes, ordering: .relaxed)
        policyValue.store(policy.rawValue, ordering: .relaxed)
        samplesValue.store(max(1, samples), ordering: .relaxed)
        pool.withLock { $0.removeAll() }  // scores of another policy mean nothing now
    }

    private let lastMeasurement = Atomic<Int64>(0)
    /// mallinfo2 walks every free chunk (milliseconds on a churned heap): measure once a second.
    public static let measurementPeriodMilliseconds: Int64 = 1000

    /// True (once per period) when it is time to measure again.
    public func measurementDue(now: Int64) -> Bool {
        let last = lastMeasurement.load(ordering: .relaxed)
        guard now - last >= MemoryGuard.measurementPeriodMilliseconds else { return false }
        return lastMeasurement.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
    }

    /// Records a fresh measurement: `mallocInUse` bytes in use, of which `dataset` are the keyspace's.
    public func recordMeasurement(mallocInUse: Int, dataset: Int) {
        overheadBytes.store(max(0, mallocInUse - dataset), ordering: .relaxed)
    }

    public func usedBytes(_ keyspace: Keyspace) -> Int {
        overheadBytes.load(ordering: .relaxed) + keyspace.memoryBytes
    }

    func countEviction() { evictedKeysValue.add(1, ordering: .relaxed) }

    func nextRandom() -> UInt64 {
        // splitmix64 over a shared counter: shard choice only needs to be spread, not secret.
        var z = randomState.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension ErrorReply {
    /// Redis shared.oomerr.
    public static let outOfMemory: StaticString = "OOM command not allowed when used memory > 'maxmemory'."
}

/// Redis `performEvictions`: before a command that may grow memory (flag `denyoom`) runs with
/// `maxmemory` set, evict keys by the policy until usage is under the limit.
///
/// Victims come from Redis's eviction pool: each step samples `maxmemory-samples` keys of one
/// random shard (every non-empty database), merges them into a shared pool of the 16 best
/// candidates seen recently, and evicts the best. The pool carries good candidates across steps,
/// so one shard's sample per victim (a handful of cache misses) approximates LRU/LFU well.
public enum Eviction {
    /// Keys one command may evict before it runs anyway (Redis bounds the time instead).
    static let keysPerCommandMax = 1024

    /// True if the command may run; false = reply OOM (over the limit and nothing evictable).
    public static func makeRoom(_ client: Client) -> Bool {
        makeRoom(client.context, now: client.now)
    }

    /// Evicts until memory is under `maxmemory` (at most `keysPerCommandMax` keys). Also used right
    /// after CONFIG SET lowers the limit, as Redis does.
    public static func makeRoom(_ context: ServerContext, now: Int64) -> Bool {
        let memory = context.memory
        let limit = memory.maxBytes
        guard limit > 0 else { return true }
        let keyspace = context.keyspace
        var used = memory.usedBytes(keyspace)
        guard used > limit else { return true }
        let policy = memory.policy
        guard policy != .noeviction else { return false }
        var evicted = 0
        var attempts = 0
        while used > limit && evicted < keysPerCommandMax {
            guard let victim = nextVictim(context, policy: policy, samples: memory.samples, now: now) else { return false }
            if remove(victim, context, now: now, requireTTL: policy.volatileOnly) {
                evicted += 1
                used = memory.usedBytes(keyspace)
            } else {
                // Gone or changed since it was pooled: bounded retries, then give up for this command.
                attempts += 1
                if attempts > keysPerCommandMax { return evicted > 0 }
            }
        }
        return true
    }

    static func score(_ policy: EvictionPolicy, _ keyspace: Keyspace) -> EvictionScore {
        switch policy {
        case .allkeysLRU, .volatileLRU: .idle
        case .allkeysLFU, .volatileLFU: .frequency(decayMinutes: keyspace.accessTracking.decayMinutes)
        case .volatileTTL: .ttl
        case .allkeysRandom, .volatileRandom, .noeviction: .random
        }
    }

    /// Samples shards from a random one until a sample found something (every shard at worst),
    /// merges into the pool and takes its best candidate. nil = nothing evictable anywhere.
    static func nextVictim(_ context: ServerContext, policy: EvictionPolicy, samples: Int, now: Int64) -> EvictionCandidate? {
        let keyspace = context.keyspace
        let memory = context.memory
        let kind = score(policy, keyspace)
        let shardCount = keyspace.shardCount
        let start = Int(truncatingIfNeeded: memory.nextRandom() % UInt64(shardCount))
        var sampled: [EvictionCandidate] = []
        for step in 0..<shardCount {
            let shard = keyspace.shards[(start + step) % shardCount]
            shard.lock()
            for database in 0..<keyspace.databaseCount where shard.count(database: database) > 0 {
                shard.evictionSamples(database: database, samples: samples, volatileOnly: policy.volatileOnly,
                                      score: kind, now: now, into: &sampled)
            }
            shard.unlock()
            if !sampled.isEmpty { break }
        }
        return memory.pool.withLock { pool in
            if !sampled.isEmpty {
                for candidate in sampled where !pool.contains(where: { $0.shard == candidate.shard
                    && $0.database == candidate.database && $0.key == candidate.key }) {
                    pool.append(candidate)
                }
                pool.sort { $0.score > $1.score }
                if pool.count > MemoryGuard.poolSize { pool.removeLast(pool.count - MemoryGuard.poolSize) }
            }
            return pool.isEmpty ? nil : pool.removeFirst()
        }
    }

    /// Deletes the victim like DEL would (keyspace event "evicted", WATCH broken, DEL in the AOF). False if it is
    /// gone (or, for volatile policies, lost its TTL) since it was sampled.
    static func remove(_ victim: EvictionCandidate, _ context: ServerContext, now: Int64, requireTTL: Bool) -> Bool {
        let keyspace = context.keyspace
        let shard = keyspace.shards[victim.shard]
        return victim.key.withUnsafeBytes { key in
            let hash = keyspace.hash(key)
            shard.lock()
            defer { shard.unlock() }
            guard shard.evict(database: victim.database, key: key, hash: hash, now: now,
                              requireTTL: requireTTL) else { return false }
            context.memory.countEviction()
            // Evictions reach the AOF as DEL, like expiries (Redis propagateDeletion), under the lock.
            if context.propagation.isEnabled {
                context.propagation.appendExpired(database: victim.database, key: key, shard: victim.shard)
            }
            context.events.notify(.evicted, "evicted", key: key, database: victim.database)
            context.watches.touch(database: victim.database, key: key)
            return true
        }
    }
}
