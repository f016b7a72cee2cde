/// Sampling for maxmemory eviction (Redis `evictionPoolPopulate`, per shard): a few entries are
/// sampled from a random point of the table and the one most worth evicting is returned. Slot order
/// is hash order, so neighbouring entries are an unbiased sample of access times.
public enum EvictionScore: Sendable {
    /// Longest idle first (the LRU clock).
    case idle
    /// Lowest decayed LFU counter first.
    case frequency(decayMinutes: Int)
    /// Nearest expiry first.
    case ttl
    /// Any key.
    case random
}

public struct EvictionCandidate: Sendable {
    /// Higher = evict first.
    public var score: UInt64
    public var shard: Int
    public var database: Int
    public var key: [UInt8]
}

extension Shard {
    /// Samples up to `samples` entries of `database` (only those with a TTL when `volatileOnly`) and
    /// returns the best one if it beats `threshold`. Visits at most the whole table once, so a table
    /// with few volatile keys is still found; cost is bounded by the table size.
    public func evictionCandidate(database: Int, samples: Int, volatileOnly: Bool, score kind: EvictionScore,
                                  now: Int64, beating threshold: UInt64?) -> EvictionCandidate? {
        mutex.assertHeld()
        let t = core.pointee.table(database).pointee
        guard t.count > 0, let slots = t.slots, !volatileOnly || t.volatile > 0 else { return nil }
        let r = core.pointee.nextRandom()
        let useOld = t.oldLive > 0 && Int(r % UInt64(t.count)) < t.oldLive
        let array = useOld ? t.old.unsafelyUnwrapped : slots
        let mask = useOld ? t.oldMask : t.mask
        var i = Int(truncatingIfNeeded: r >> 20) & mask
        var taken = 0
        let nowSeconds = UInt32(truncatingIfNeeded: now / 1000)
        let nowTicks = AccessTracking.lruTicks(now: now)
        var best: (score: UInt64, pointer: UnsafeMutableRawPointer)?
        for _ in 0...mask {
            let w = array[i]
            i = (i + 1) & mask
            guard SlotWord.isLive(w) else { continue }
            let p = SlotWord.pointer(w)
            let expireAt = EntryLayout.expireAt(p)
            if volatileOnly && expireAt == 0 { continue }
            // Ties (same second, same counter) are broken at random so no key is always first.
            let noise = core.pointee.nextRandom() & 0xFFFF
            let value: UInt64
            switch kind {
            case .idle:
                value = UInt64(nowTicks &- EntryLayout.accessClock(p)) << 16 | noise
            case .frequency(let decay):
                let counter = AccessTracking.decayedCounter(EntryLayout.accessClock(p), nowSeconds: nowSeconds,
                                                            decayMinutes: decay)
                value = UInt64(255 - counter) << 16 | noise
            case .ttl:
                value = UInt64.max - UInt64(max(0, expireAt))
            case .random:
                value = noise
            }
            if best == nil || value > best!.score { best = (value, p) }
            taken += 1
            if taken >= samples { break }
        }
        guard let best, threshold == nil || best.score > threshold! else { return nil }
        return EvictionCandidate(score: best.score, shard: index, database: database,
                                 key: Array(EntryLayout.keyBytes(best.pointer)))
    }

    /// Removes `key` for eviction if it is still there; returns the bytes freed (0 if it was gone).
    /// Does not call the expiration handler (the caller notifies "evicted").
    public func evict(database: Int, key: UnsafeRawBufferPointer, hash: UInt64, now: Int64) -> Int {
        mutex.assertHeld()
        guard let entry = peek(database: database, key: key, hash: hash, now: now) else { return 0 }
        let before = core.pointee.memory
        remove(entry, database: database, hash: hash)
        return max(0, before - core.pointee.memory)
    }
}
