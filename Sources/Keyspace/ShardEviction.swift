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
    /// Samples up to `samples` entries of `database` (only those with a TTL when `volatileOnly`),
    /// starting at a random slot, and appends each with its score to `candidates` (Redis's pool
    /// then keeps the best). Visits at most the whole table once, so a table with few volatile keys
    /// is still found.
    public func evictionSamples(database: Int, samples: Int, volatileOnly: Bool, score kind: EvictionScore,
                                now: Int64, into candidates: inout [EvictionCandidate]) {
        mutex.assertHeld()
        let t = core.pointee.table(database).pointee
        guard t.count > 0, let slots = t.slots, !volatileOnly || t.volatile > 0 else { return }
        let r = core.pointee.nextRandom()
        let useOld = t.oldLive > 0 && Int(r % UInt64(t.count)) < t.oldLive
        let array = useOld ? t.old.unsafelyUnwrapped : slots
        let mask = useOld ? t.oldMask : t.mask
        var i = Int(truncatingIfNeeded: r >> 20) & mask
        var taken = 0
        let nowSeconds = UInt32(truncatingIfNeeded: now / 1000)
        let nowTicks = AccessTracking.lruTicks(now: now)
        for _ in 0...mask {
            let w = array[i]
            i = (i + 1) & mask
            guard SlotWord.isLive(w) else { continue }
            let p = SlotWord.pointer(w)
            let expireAt = EntryLayout.expireAt(p)
            if volatileOnly && expireAt == 0 { continue }
            // Ties (same tick, same counter) are broken at random so no key is always first.
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
            candidates.append(EvictionCandidate(score: value, shard: index, database: database,
                                                key: Array(EntryLayout.keyBytes(p))))
            taken += 1
            if taken >= samples { break }
        }
    }

    /// Removes `key` for eviction if it is still there (and still has a TTL when `requireTTL`);
    /// returns false if not. Does not call the expiration handler (the caller notifies "evicted").
    public func evict(database: Int, key: UnsafeRawBufferPointer, hash: UInt64, now: Int64, requireTTL: Bool) -> Bool {
        mutex.assertHeld()
        guard let entry = peek(database: database, key: key, hash: hash, now: now),
              !requireTTL || entry.expireAt != 0 else { return false }
        remove(entry, database: database, hash: hash)
        return true
    }
}
