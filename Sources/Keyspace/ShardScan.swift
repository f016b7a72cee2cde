/// SCAN and RANDOMKEY support.
///
/// A scan position is a point in 64-bit hash space. Home slots are the top bits of the hash, so a
/// table of 2^k slots maps slot h to the hash range [h << (64-k), (h+1) << (64-k)): every table
/// size agrees on the order, which is what keeps positions valid across resizes. Each call visits
/// every entry whose hash lies in [range start, returned position) in all slot arrays (both during
/// a migration); an entry present for the whole scan has a fixed hash, so some call covers it.
extension Shard {
    /// Visits entries whose position in hash space is ≥ `position`, in increasing order, stopping after
    /// roughly `count` entries at a home-slot boundary; returns the position to resume at (nil = shard done).
    /// Expired entries are skipped (not removed). Entries present for the whole scan are visited at least once.
    /// `visit` runs with the lock held and must not modify this shard.
    public func scan(database: Int, from position: UInt64, count: Int, now: Int64,
                     _ visit: (Entry) -> Void) -> UInt64? {
        mutex.assertHeld()
        let t = core.pointee.table(database).pointee
        guard let slots = t.slots else { return nil }
        let seed = core.pointee.seed
        let newBits = 64 - Int(t.shift)
        let oldBits = t.isMigrating ? 64 - Int(t.oldShift) : newBits
        // Walk in units of the coarser table's slots so one step covers whole slots of both.
        let bits = min(newBits, oldBits)
        let total = 1 << bits
        var coarse = Int(truncatingIfNeeded: position >> UInt64(64 - bits))
        // Aim for about `count` entries per range so a call is usually one pass.
        var width = max(1, (max(1, count) * total) / max(1, t.count))
        var seen = 0
        while coarse < total && seen < count {
            width = min(width, total - coarse)
            let end = coarse + width
            seen += Shard.scanRange(slots, mask: t.mask, shift: t.shift, from: coarse << (newBits - bits),
                                    to: end << (newBits - bits), seed: seed, now: now, visit)
            if let old = t.old {
                seen += Shard.scanRange(old, mask: t.oldMask, shift: t.oldShift, from: coarse << (oldBits - bits),
                                        to: end << (oldBits - bits), seed: seed, now: now, visit)
            }
            coarse = end
        }
        return coarse >= total ? nil : UInt64(coarse) << UInt64(64 - bits)
    }

    /// Visits live entries whose home slot is in [a, b). Linear probing puts such an entry at or
    /// after its home with no empty slot in between, so walk from `a` to the first empty slot at or
    /// after `b` (wrapping), never more than once around. Returns entries examined in range.
    private static func scanRange(_ slots: UnsafeMutablePointer<UInt64>, mask: Int, shift: UInt64,
                                  from a: Int, to b: Int, seed: UInt64, now: Int64,
                                  _ visit: (Entry) -> Void) -> Int {
        let capacity = mask + 1
        var seen = 0
        var j = a
        while j - a < capacity {
            let w = slots[j & mask]
            if w == SlotWord.empty {
                if j >= b { break }
            } else if SlotWord.isLive(w) {
                let home = Table.home(Table.entryHash(w, seed: seed), shift: shift)
                if home >= a && home < b {
                    seen += 1
                    let p = SlotWord.pointer(w)
                    let expireAt = EntryLayout.expireAt(p)
                    if expireAt == 0 || now <= expireAt { visit(Entry(pointer: p)) }
                }
            }
            j += 1
        }
        return seen
    }

    /// A uniformly-ish random live entry of `database`, or nil if empty. Expired entries are
    /// skipped, not removed.
    public func randomEntry(database: Int, now: Int64) -> Entry? {
        mutex.assertHeld()
        let t = core.pointee.table(database).pointee
        guard t.count > 0, let slots = t.slots else { return nil }
        for _ in 0..<32 {
            // Pick an array in proportion to its live entries, then the next live slot after a
            // random position.
            let r = core.pointee.nextRandom()
            let useOld = t.oldLive > 0 && Int(r % UInt64(t.count)) < t.oldLive
            let array = useOld ? t.old.unsafelyUnwrapped : slots
            let mask = useOld ? t.oldMask : t.mask
            var i = Int(truncatingIfNeeded: r >> 20) & mask
            for _ in 0...mask {
                let w = array[i]
                if SlotWord.isLive(w) {
                    let p = SlotWord.pointer(w)
                    let expireAt = EntryLayout.expireAt(p)
                    if expireAt == 0 || now <= expireAt { return Entry(pointer: p) }
                    break
                }
                i = (i + 1) & mask
            }
        }
        // Mostly expired: fall back to a full walk for any live entry.
        var found: Entry?
        t.forEach { p in
            let expireAt = EntryLayout.expireAt(p)
            if found == nil && (expireAt == 0 || now <= expireAt) { found = Entry(pointer: p) }
        }
        return found
    }
}
