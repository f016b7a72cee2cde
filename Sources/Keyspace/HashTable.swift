import Bytes
import CLinux
import Glibc
import Synchronization

/// Slot encoding shared by the table code: entry pointer in the low 48 bits, a 16-bit hash tag in
/// the high 16 bits (so probes reject most non-matches without touching the entry), 0 = empty,
/// 1 = tombstone (only ever written into the OLD table of a migration).
enum SlotWord {
    static let pointerMask: UInt64 = (1 << 48) - 1
    static let tagMask: UInt64 = ~pointerMask
    static let empty: UInt64 = 0
    static let tombstone: UInt64 = 1

    /// Tag bits 16..31 of the hash: independent of the home slot (top bits) and of the shard
    /// index (low bits) for every realistic table and shard count.
    @inline(__always) static func tag(_ hash: UInt64) -> UInt64 { (hash & 0xFFFF_0000) << 32 }

    @inline(__always) static func make(_ p: UnsafeMutableRawPointer, hash: UInt64) -> UInt64 {
        let bits = UInt64(UInt(bitPattern: p))
        // A pointer above 48 bits would be silently truncated into another entry's address.
        precondition(bits & tagMask == 0, "entry pointer does not fit in 48 bits")
        return bits | tag(hash)
    }

    @inline(__always) static func pointer(_ word: UInt64) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: UInt(word & pointerMask)).unsafelyUnwrapped
    }

    @inline(__always) static func isLive(_ word: UInt64) -> Bool { word > tombstone }
}

/// Where a key lives while a table may be migrating.
struct SlotLocation {
    var inOld: Bool
    var index: Int
}

/// One (shard, table) open-addressing table with linear probing and incremental resize.
///
/// Home slot = top bits of the hash, so hash order equals slot order (SCAN positions stay valid
/// across resizes). While `old != nil` a migration is in progress: entries live either in `old`
/// (not yet moved; chains kept intact with tombstones) or in `slots` (all inserts go there).
struct Table {
    static let minCapacity = 8
    /// Old-table slots moved per write/lookup; must outpace inserts (see `prepareInsert`).
    static let migrationStep = 8
    /// Old slots whose entries are prefetched together during migration.
    static let prefetchBlock = 16

    var slots: UnsafeMutablePointer<UInt64>?
    var mask = 0
    var shift: UInt64 = 64
    /// Live entries in `slots`.
    var used = 0
    var old: UnsafeMutablePointer<UInt64>?
    var oldMask = 0
    var oldShift: UInt64 = 64
    /// Live entries still in `old`.
    var oldLive = 0
    /// Next old slot to migrate.
    var cursor = 0
    /// Entries with an expiry.
    var volatile = 0

    var count: Int { used + oldLive }
    var capacity: Int { slots == nil ? 0 : mask + 1 }
    var isMigrating: Bool { old != nil }

    @inline(__always) static func home(_ hash: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: hash &>> shift)
    }

    @inline(__always) static func entryHash(_ word: UInt64, seed: UInt64) -> UInt64 {
        ByteHash.hash(EntryLayout.keyBytes(SlotWord.pointer(word)), seed: seed)
    }

    /// Slot arrays of at least this many bytes are mapped straight from the kernel. calloc zeroes
    /// recycled heap memory with memset, faulting every fresh page in at once: while a bulk load
    /// grew the tables, that was 70 % of the event-loop iterations that took over 250 µs. Mapped
    /// pages arrive zeroed and are faulted in one at a time as slots are first written.
    static let mappedBytesMin = 16 * 1024
    /// Bytes of slot arrays mapped outside malloc (see `processAllocatedBytes`).
    static let mappedBytes = Atomic<Int>(0)

    static func allocateSlots(_ capacity: Int, memory: inout Int) -> UnsafeMutablePointer<UInt64> {
        let bytes = capacity * MemoryLayout<UInt64>.stride
        let raw: UnsafeMutableRawPointer
        if bytes >= mappedBytesMin {
            let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let mapped, mapped != MAP_FAILED else { fatalError("out of memory") }
            raw = mapped
            mappedBytes.add(bytes, ordering: .relaxed)
        } else {
            guard let allocated = calloc(capacity, MemoryLayout<UInt64>.stride) else { fatalError("out of memory") }
            raw = allocated
        }
        memory += bytes
        return raw.bindMemory(to: UInt64.self, capacity: capacity)
    }

    static func freeSlots(_ p: UnsafeMutablePointer<UInt64>, capacity: Int, memory: inout Int) {
        let bytes = capacity * MemoryLayout<UInt64>.stride
        if bytes >= mappedBytesMin {
            let unmapped = munmap(p, bytes)
            precondition(unmapped == 0, "munmap of a slot array failed")
            mappedBytes.subtract(bytes, ordering: .relaxed)
        } else {
            free(p)
        }
        memory -= bytes
    }

    @inline(__always) static func shiftFor(_ capacity: Int) -> UInt64 {
        UInt64(64 - capacity.trailingZeroBitCount)
    }

    // MARK: Lookup

    /// Probes one slot array for `key`.
    @inline(__always)
    static func probe(_ slots: UnsafeMutablePointer<UInt64>, mask: Int, shift: UInt64,
                      key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let tag = SlotWord.tag(hash)
        var i = home(hash, shift: shift)
        while true {
            let w = slots[i]
            if w == SlotWord.empty { return nil }
            if w & SlotWord.tagMask == tag && w != SlotWord.tombstone,
               keysEqual(EntryLayout.keyBytes(SlotWord.pointer(w)), key) {
                return i
            }
            i = (i &+ 1) & mask
        }
    }

    /// Probes one slot array for the slot holding exactly `pointer` (no key compare needed).
    @inline(__always)
    static func probe(_ slots: UnsafeMutablePointer<UInt64>, mask: Int, shift: UInt64,
                      pointer: UnsafeMutableRawPointer, hash: UInt64) -> Int? {
        let word = SlotWord.make(pointer, hash: hash)
        var i = home(hash, shift: shift)
        while true {
            let w = slots[i]
            if w == SlotWord.empty { return nil }
            if w == word { return i }
            i = (i &+ 1) & mask
        }
    }

    func lookup(_ key: UnsafeRawBufferPointer, hash: UInt64) -> SlotLocation? {
        guard let slots else { return nil }
        if let i = Table.probe(slots, mask: mask, shift: shift, key: key, hash: hash) {
            return SlotLocation(inOld: false, index: i)
        }
        if let old, oldLive > 0,
           let i = Table.probe(old, mask: oldMask, shift: oldShift, key: key, hash: hash) {
            return SlotLocation(inOld: true, index: i)
        }
        return nil
    }

    func locate(_ pointer: UnsafeMutableRawPointer, hash: UInt64) -> SlotLocation? {
        guard let slots else { return nil }
        if let i = Table.probe(slots, mask: mask, shift: shift, pointer: pointer, hash: hash) {
            return SlotLocation(inOld: false, index: i)
        }
        if let old, oldLive > 0,
           let i = Table.probe(old, mask: oldMask, shift: oldShift, pointer: pointer, hash: hash) {
            return SlotLocation(inOld: true, index: i)
        }
        return nil
    }

    // MARK: Prefetch hints (nothing changes)

    /// Starts loading the slot a lookup of `hash` probes first.
    func prefetchHome(hash: UInt64) {
        guard let slots else { return }
        tessera_prefetch(slots + Table.home(hash, shift: shift))
    }

    /// Starts loading the entry a lookup of `hash` would compare first (the first slot with its
    /// tag, among the first few probed), with the value bytes that follow its key.
    func prefetchCandidate(hash: UInt64) {
        guard let slots else { return }
        let tag = SlotWord.tag(hash)
        var i = Table.home(hash, shift: shift)
        for _ in 0..<4 {
            let w = slots[i]
            if w == SlotWord.empty { return }
            if w & SlotWord.tagMask == tag && w != SlotWord.tombstone {
                tessera_prefetch_entry(SlotWord.pointer(w))
                return
            }
            i = (i &+ 1) & mask
        }
    }

    @inline(__always) func word(at loc: SlotLocation) -> UInt64 {
        loc.inOld ? old.unsafelyUnwrapped[loc.index] : slots.unsafelyUnwrapped[loc.index]
    }

    /// Points the slot at a reallocated entry (same key, so same hash and tag).
    mutating func replace(at loc: SlotLocation, with p: UnsafeMutableRawPointer, hash: UInt64) {
        let w = SlotWord.make(p, hash: hash)
        if loc.inOld { old.unsafelyUnwrapped[loc.index] = w } else { slots.unsafelyUnwrapped[loc.index] = w }
    }

    // MARK: Insert / remove

    /// Inserts into the current slot array; the caller guarantees the key is absent and that
    /// `prepareInsert` made room.
    mutating func insertNew(_ p: UnsafeMutableRawPointer, hash: UInt64) {
        let slots = self.slots.unsafelyUnwrapped
        var i = Table.home(hash, shift: shift)
        while slots[i] != SlotWord.empty { i = (i &+ 1) & mask }
        slots[i] = SlotWord.make(p, hash: hash)
        used += 1
    }

    /// Removes the slot at `loc`: tombstone in the old table (other old entries' chains must stay
    /// intact), backward shift in the current one (no tombstones, so probes stay short).
    mutating func remove(at loc: SlotLocation, seed: UInt64) {
        if loc.inOld {
            old.unsafelyUnwrapped[loc.index] = SlotWord.tombstone
            oldLive -= 1
            return
        }
        let slots = self.slots.unsafelyUnwrapped
        var gap = loc.index
        var j = gap
        while true {
            j = (j &+ 1) & mask
            let w = slots[j]
            if w == SlotWord.empty { break }
            let k = Table.home(Table.entryHash(w, seed: seed), shift: shift)
            // Movable into the gap iff its home is not cyclically inside (gap, j].
            if (j &- k) & mask >= (j &- gap) & mask {
                slots[gap] = w
                gap = j
            }
        }
        slots[gap] = SlotWord.empty
        used -= 1
    }

    // MARK: Resize

    /// Makes room for one more entry: helps a running migration, finishes it if the new table
    /// would get too full, and starts growth above 80% load.
    mutating func prepareInsert(seed: UInt64, memory: inout Int) {
        if slots == nil {
            slots = Table.allocateSlots(Table.minCapacity, memory: &memory)
            mask = Table.minCapacity - 1
            shift = Table.shiftFor(Table.minCapacity)
            return
        }
        if isMigrating {
            migrate(budget: Table.migrationStep, seed: seed, memory: &memory)
            if isMigrating && (count + 1) * 5 > (mask + 1) * 4 {
                migrate(budget: Int.max, seed: seed, memory: &memory)
            }
        }
        if !isMigrating && (used + 1) * 5 > (mask + 1) * 4 {
            startMigration(to: (mask + 1) * 2, memory: &memory)
        }
    }

    /// Starts shrinking when very sparse so mass deletion returns memory; frees an empty table.
    mutating func shrinkIfSparse(memory: inout Int) {
        guard let slots, !isMigrating else { return }
        let capacity = mask + 1
        guard capacity > Table.minCapacity, used * 8 < capacity else { return }
        if used == 0 {
            Table.freeSlots(slots, capacity: capacity, memory: &memory)
            let volatile = self.volatile
            self = Table()
            self.volatile = volatile
            return
        }
        var target = Table.minCapacity
        while target < used * 2 { target *= 2 }
        startMigration(to: target, memory: &memory)
    }

    mutating func startMigration(to capacity: Int, memory: inout Int) {
        precondition(!isMigrating && capacity.nonzeroBitCount == 1)
        old = slots
        oldMask = mask
        oldShift = shift
        oldLive = used
        cursor = 0
        slots = Table.allocateSlots(capacity, memory: &memory)
        mask = capacity - 1
        shift = Table.shiftFor(capacity)
        used = 0
    }

    /// Moves up to `budget` old slots into the current table; frees the old table when done.
    mutating func migrate(budget: Int, seed: UInt64, memory: inout Int) {
        guard let old else { return }
        let oldCapacity = oldMask + 1
        let end = budget >= oldCapacity - cursor ? oldCapacity : cursor + budget
        var i = cursor
        while i < end && oldLive > 0 {
            // Rehashing reads each entry's key: a cache miss per entry on a table bigger than the
            // cache. Prefetching a block first overlaps those misses (migration of a large table
            // was ~4x slower without it).
            let blockEnd = min(end, i + Table.prefetchBlock)
            for j in i..<blockEnd where SlotWord.isLive(old[j]) { tessera_prefetch(SlotWord.pointer(old[j])) }
            while i < blockEnd {
                let w = old[i]
                if SlotWord.isLive(w) {
                    insertNew(SlotWord.pointer(w), hash: Table.entryHash(w, seed: seed))
                    old[i] = SlotWord.tombstone
                    oldLive -= 1
                }
                i += 1
            }
        }
        cursor = i
        if cursor >= oldCapacity || oldLive == 0 {
            Table.freeSlots(old, capacity: oldCapacity, memory: &memory)
            self.old = nil
            oldMask = 0
            oldShift = 64
            cursor = 0
        }
    }

    /// Calls `body` for every live entry (both arrays).
    func forEach(_ body: (UnsafeMutableRawPointer) -> Void) {
        if let slots {
            for i in 0...mask where SlotWord.isLive(slots[i]) { body(SlotWord.pointer(slots[i])) }
        }
        if let old {
            for i in 0...oldMask where SlotWord.isLive(old[i]) { body(SlotWord.pointer(old[i])) }
        }
    }

    /// Frees the slot arrays (not the entries) and resets to the unallocated state.
    mutating func release(memory: inout Int) {
        if let slots { Table.freeSlots(slots, capacity: mask + 1, memory: &memory) }
        if let old { Table.freeSlots(old, capacity: oldMask + 1, memory: &memory) }
        self = Table()
    }
}
