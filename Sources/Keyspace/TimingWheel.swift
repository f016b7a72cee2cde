import Glibc

/// A growable array of entry pointers for one wheel slot, managed by hand (no ARC, no CoW).
struct WheelBucket {
    var items: UnsafeMutablePointer<UnsafeMutableRawPointer>?
    var count: UInt32 = 0
    var capacity: UInt32 = 0
}

/// Hierarchical timing wheel over "fire times" f = expireAt + 1 (the first `now` at which the
/// key is expired under Redis's `now > expireAt` rule), in milliseconds.
///
///     level 0: 256 slots x 1 ms       level 1: 64 x 256 ms     level 2: 64 x 16.4 s
///     level 3: 64 x 17.5 min          level 4: 64 x 18.6 h     overflow: beyond 2^32 ms blocks
///     due:     entries scheduled with f < time (already due when scheduled)
///
/// `time` is the next unprocessed millisecond. An entry sits at the lowest level whose current
/// block contains f (so slot ranges are ordered: level 0 < level 1 < ... < overflow), and is
/// moved down ("cascaded") when `time` enters its slot's range. Slots are found through bitmaps,
/// so large time jumps cost O(levels), not O(milliseconds).
struct TimingWheel {
    static let levelShift: [Int64] = [0, 8, 14, 20, 26]
    static let blockShift: [Int64] = [8, 14, 20, 26, 32]
    static let levelBase = [0, 256, 320, 384, 448]
    static let overflowSlot = 512
    static let dueSlot = 513
    static let slotCount = 514

    let buckets: UnsafeMutablePointer<WheelBucket>
    /// Non-empty bits: words 0...3 level 0, word 3 + l for level l (1...4).
    let bitmap: UnsafeMutablePointer<UInt64>
    var time: Int64 = 0
    var scheduled = 0
    /// Lower bound of fire times in the overflow bucket (exact after each redistribution).
    var overflowMin: Int64 = .max
    /// `time >> 32` at the last overflow redistribution.
    var overflowEpoch: Int64 = 0
    /// Bytes of bucket arrays (part of the shard's memory figure).
    var memory = 0

    init() {
        buckets = .allocate(capacity: TimingWheel.slotCount)
        buckets.initialize(repeating: WheelBucket(), count: TimingWheel.slotCount)
        bitmap = .allocate(capacity: 8)
        bitmap.initialize(repeating: 0, count: 8)
    }

    func destroy() {
        for i in 0..<TimingWheel.slotCount { free(buckets[i].items) }
        buckets.deallocate()
        bitmap.deallocate()
    }

    @inline(__always) static func fireTime(_ expireAt: Int64) -> Int64 {
        expireAt == .max ? .max : expireAt + 1
    }

    /// The bucket for fire time `f` relative to the current `time`.
    @inline(__always) func slot(for f: Int64) -> Int {
        if f < time { return TimingWheel.dueSlot }
        let x = f ^ time
        if x < 1 << 8 { return Int(f & 255) }
        for level in 1...4 where x < 1 << TimingWheel.blockShift[level] {
            return TimingWheel.levelBase[level] + Int((f >> TimingWheel.levelShift[level]) & 63)
        }
        return TimingWheel.overflowSlot
    }

    @inline(__always) private func setBit(_ slot: Int) {
        if slot < 256 { bitmap[slot >> 6] |= 1 << UInt64(slot & 63) } else if slot < 512 {
            bitmap[3 + (slot - 192) >> 6] |= 1 << UInt64(slot & 63)
        }
    }

    @inline(__always) private func clearBit(_ slot: Int) {
        if slot < 256 { bitmap[slot >> 6] &= ~(1 << UInt64(slot & 63)) } else if slot < 512 {
            bitmap[3 + (slot - 192) >> 6] &= ~(1 << UInt64(slot & 63))
        }
    }

    // MARK: Schedule / unschedule

    mutating func schedule(_ p: UnsafeMutableRawPointer) {
        let f = TimingWheel.fireTime(EntryLayout.expireAt(p))
        let slot = self.slot(for: f)
        if slot == TimingWheel.overflowSlot { overflowMin = min(overflowMin, f) }
        append(p, to: slot)
        scheduled += 1
    }

    private mutating func append(_ p: UnsafeMutableRawPointer, to slot: Int) {
        let b = buckets + slot
        if b.pointee.count == b.pointee.capacity {
            let newCapacity = max(4, b.pointee.capacity * 2)
            let size = Int(newCapacity) * MemoryLayout<UnsafeMutableRawPointer>.stride
            guard let raw = realloc(b.pointee.items, size) else { fatalError("out of memory") }
            memory += size - Int(b.pointee.capacity) * MemoryLayout<UnsafeMutableRawPointer>.stride
            b.pointee.items = raw.bindMemory(to: UnsafeMutableRawPointer.self, capacity: Int(newCapacity))
            b.pointee.capacity = newCapacity
        }
        if b.pointee.count == 0 { setBit(slot) }
        let index = b.pointee.count
        b.pointee.items.unsafelyUnwrapped[Int(index)] = p
        b.pointee.count = index + 1
        EntryLayout.setWheel(p, slot: UInt32(slot), index: index)
    }

    /// O(1) removal via the (slot, index) stored in the entry header.
    mutating func unschedule(_ p: UnsafeMutableRawPointer) {
        let slot = EntryLayout.wheelSlot(p)
        guard slot != EntryLayout.notScheduled else { return }
        let index = EntryLayout.wheelIndex(p)
        let b = buckets + Int(slot)
        // A mismatch means the header and the wheel disagree: removing anything would free or
        // expire the wrong key later.
        precondition(index < b.pointee.count && b.pointee.items.unsafelyUnwrapped[Int(index)] == p,
                     "timing wheel position corrupt")
        removeAt(slot: Int(slot), index: index)
        scheduled -= 1
    }

    private mutating func removeAt(slot: Int, index: UInt32) {
        let b = buckets + slot
        let items = b.pointee.items.unsafelyUnwrapped
        let last = b.pointee.count - 1
        EntryLayout.setWheel(items[Int(index)], slot: EntryLayout.notScheduled, index: 0)
        if index != last {
            let moved = items[Int(last)]
            items[Int(index)] = moved
            EntryLayout.setWheelIndex(moved, index)
        }
        b.pointee.count = last
        if last == 0 {
            releaseBucket(slot)
        } else if b.pointee.capacity > 16 && last < b.pointee.capacity / 4 {
            // Shrink so a drained bucket does not pin memory after mass expiry.
            let newCapacity = b.pointee.capacity / 2
            let stride = MemoryLayout<UnsafeMutableRawPointer>.stride
            if let raw = realloc(b.pointee.items, Int(newCapacity) * stride) {
                memory -= Int(b.pointee.capacity - newCapacity) * stride
                b.pointee.items = raw.bindMemory(to: UnsafeMutableRawPointer.self, capacity: Int(newCapacity))
                b.pointee.capacity = newCapacity
            }
        }
    }

    private mutating func releaseBucket(_ slot: Int) {
        let b = buckets + slot
        free(b.pointee.items)
        memory -= Int(b.pointee.capacity) * MemoryLayout<UnsafeMutableRawPointer>.stride
        b.pointee = WheelBucket()
        clearBit(slot)
    }

    /// Points the wheel at a reallocated entry (header already copied by realloc).
    func replace(_ p: UnsafeMutableRawPointer) {
        let slot = EntryLayout.wheelSlot(p)
        guard slot != EntryLayout.notScheduled else { return }
        let b = buckets + Int(slot)
        let index = Int(EntryLayout.wheelIndex(p))
        precondition(index < Int(b.pointee.count), "timing wheel position corrupt")
        b.pointee.items.unsafelyUnwrapped[index] = p
    }

    /// Drops every entry (FLUSHALL): the caller frees the entries themselves.
    mutating func removeAll() {
        for slot in 0..<TimingWheel.slotCount where buckets[slot].items != nil {
            let b = buckets[slot]
            for i in 0..<Int(b.count) { EntryLayout.setWheel(b.items.unsafelyUnwrapped[i], slot: EntryLayout.notScheduled, index: 0) }
            releaseBucket(slot)
        }
        scheduled = 0
        overflowMin = .max
    }

    // MARK: Advancing

    /// Re-files a bucket's entries relative to the current time (they land in lower levels).
    private mutating func cascade(_ slot: Int) {
        let b = buckets[slot]
        guard b.count > 0, let items = b.items else { return }
        // Detach first: entries may be re-filed into the same bucket (overflow).
        buckets[slot] = WheelBucket()
        clearBit(slot)
        memory -= Int(b.capacity) * MemoryLayout<UnsafeMutableRawPointer>.stride
        if slot == TimingWheel.overflowSlot { overflowMin = .max }
        for i in 0..<Int(b.count) {
            let p = items[i]
            let f = TimingWheel.fireTime(EntryLayout.expireAt(p))
            let target = self.slot(for: f)
            if target == TimingWheel.overflowSlot { overflowMin = min(overflowMin, f) }
            append(p, to: target)
        }
        free(items)
    }

    /// Cascades the buckets whose range contains `time` at levels 1...4 (and the overflow bucket
    /// once per 2^32 ms epoch), restoring the invariant that those buckets are empty.
    private mutating func cascadeCurrent() {
        if buckets[TimingWheel.overflowSlot].count > 0 && time >> 32 != overflowEpoch {
            overflowEpoch = time >> 32
            cascade(TimingWheel.overflowSlot)
        }
        for level in stride(from: 4, through: 1, by: -1) {
            let slot = TimingWheel.levelBase[level] + Int((time >> TimingWheel.levelShift[level]) & 63)
            if buckets[slot].count > 0 { cascade(slot) }
        }
    }

    /// The next time > `time` at which a bucket needs processing or cascading, or nil if none.
    private func nextEventTime() -> Int64? {
        let s0 = Int(time & 255)
        var word = s0 >> 6
        var bits = (s0 & 63) == 63 ? 0 : bitmap[word] & (~0 << UInt64((s0 & 63) + 1))
        while true {
            if bits != 0 { return (time & ~255) + Int64(word << 6 + bits.trailingZeroBitCount) }
            word += 1
            if word == 4 { break }
            bits = bitmap[word]
        }
        for level in 1...4 {
            let current = Int((time >> TimingWheel.levelShift[level]) & 63)
            let bits = current == 63 ? 0 : bitmap[3 + level] & (~0 << UInt64(current + 1))
            if bits != 0 {
                let block = (time >> TimingWheel.blockShift[level]) << TimingWheel.blockShift[level]
                return block + Int64(bits.trailingZeroBitCount) << TimingWheel.levelShift[level]
            }
        }
        guard buckets[TimingWheel.overflowSlot].count > 0 else { return nil }
        let levelsEmpty = scheduled == Int(buckets[TimingWheel.overflowSlot].count + buckets[TimingWheel.dueSlot].count)
        // With nothing in the levels we may jump straight to the earliest overflow entry.
        if levelsEmpty { return max(time + 1, overflowMin) }
        return ((time >> 32) + 1) << 32
    }

    /// Removes and returns one entry that is due at `now`, advancing time as far as needed (but
    /// never past `now + 1`). Nil when nothing more is due; the next call resumes where this one
    /// stopped, so a budget can cut processing anywhere.
    mutating func popDue(now: Int64) -> UnsafeMutableRawPointer? {
        let due = buckets[TimingWheel.dueSlot]
        if due.count > 0 {
            let p = due.items.unsafelyUnwrapped[Int(due.count - 1)]
            // Due entries were already expired at an earlier `now`; only a clock going backwards
            // can make this false, and then they wait.
            if now > EntryLayout.expireAt(p) {
                removeAt(slot: TimingWheel.dueSlot, index: due.count - 1)
                scheduled -= 1
                return p
            }
        }
        if scheduled == 0 {
            if time <= now { time = now + 1 }
            return nil
        }
        while time <= now {
            cascadeCurrent()
            let s0 = Int(time & 255)
            let b = buckets[s0]
            if b.count > 0 {
                let p = b.items.unsafelyUnwrapped[Int(b.count - 1)]
                removeAt(slot: s0, index: b.count - 1)
                scheduled -= 1
                return p
            }
            guard let next = nextEventTime(), next <= now else {
                time = now + 1
                // Keep the at-rest invariant (current higher-level buckets empty) that
                // nextEventTime and nextDeadline rely on.
                cascadeCurrent()
                break
            }
            time = next
        }
        return nil
    }

    /// Earliest scheduled expireAt, exact except when only overflow entries (> ~49 days away)
    /// remain, where it is a lower bound.
    func nextDeadline() -> Int64? {
        guard scheduled > 0 else { return nil }
        var best = Int64.max
        let due = buckets[TimingWheel.dueSlot]
        for i in 0..<Int(due.count) { best = min(best, EntryLayout.expireAt(due.items.unsafelyUnwrapped[i])) }
        if best != .max { return best }
        // Level 0: first non-empty bucket at or after the current slot (all share one fire time).
        let s0 = Int(time & 255)
        for slot in s0..<256 where buckets[slot].count > 0 {
            return (time & ~255) + Int64(slot) - 1
        }
        // Higher levels: bucket ranges are ordered, so the first non-empty bucket holds the
        // minimum; scan it exactly. (The current index is included in case it is not cascaded yet.)
        for level in 1...4 {
            let current = Int((time >> TimingWheel.levelShift[level]) & 63)
            for index in current..<64 {
                let b = buckets[TimingWheel.levelBase[level] + index]
                guard b.count > 0 else { continue }
                for i in 0..<Int(b.count) { best = min(best, EntryLayout.expireAt(b.items.unsafelyUnwrapped[i])) }
                break
            }
            if best != .max { return best }
        }
        return overflowMin == .max ? nil : overflowMin - 1
    }
}
