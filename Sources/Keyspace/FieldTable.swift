import Bytes
import CLinux
import Glibc

/// The "hashtable" encoding of a hash or set: an open-addressing table of fields (set members
/// are fields with an empty value), reached through a pointer stored in the entry's value bytes.
/// Used only past the compact encodings' thresholds, so it favours simplicity: it resizes all at
/// once (a hash this large is rare in a session store) and deletes by backward shift.
///
/// Element block (one malloc): [u32 fieldLength][u32 valueLength][field][value].
/// Home slot = top bits of the hash, as in `Table`, so a scan position in hash space stays valid
/// across resizes (HSCAN/SSCAN cursors).
struct FieldTable {
    static let seed: UInt64 = 0x5EED_F1E1_D7AB_1E00
    static let minCapacity = 8

    var slots: UnsafeMutablePointer<UInt64>
    var mask: Int
    var shift: UInt64
    var count = 0
    /// Every byte this object owns: itself, the slot array, the element blocks (malloc usable sizes).
    var bytes = 0

    /// A new empty table in its own allocation (the entry stores the returned pointer).
    static func create(capacityFor elements: Int) -> UnsafeMutablePointer<FieldTable> {
        var capacity = minCapacity
        while capacity * 4 < elements * 5 + 4 { capacity *= 2 }
        guard let raw = malloc(MemoryLayout<FieldTable>.stride) else { fatalError("out of memory") }
        let p = raw.bindMemory(to: FieldTable.self, capacity: 1)
        p.initialize(to: FieldTable(slots: allocateSlots(capacity), mask: capacity - 1,
                                    shift: UInt64(64 - capacity.trailingZeroBitCount)))
        p.pointee.bytes = tessera_malloc_usable_size(raw) + capacity * 8
        return p
    }

    static func allocateSlots(_ capacity: Int) -> UnsafeMutablePointer<UInt64> {
        guard let raw = calloc(capacity, 8) else { fatalError("out of memory") }
        return raw.bindMemory(to: UInt64.self, capacity: capacity)
    }

    /// Frees every element, the slots and the object itself.
    static func destroy(_ p: UnsafeMutablePointer<FieldTable>) {
        let t = p.pointee
        for i in 0...t.mask where t.slots[i] != 0 { free(SlotWord.pointer(t.slots[i])) }
        free(t.slots)
        p.deinitialize(count: 1)
        free(UnsafeMutableRawPointer(p))
    }

    @inline(__always) static func hash(_ field: UnsafeRawBufferPointer) -> UInt64 { ByteHash.hash(field, seed: seed) }

    @inline(__always) static func field(_ e: UnsafeMutableRawPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: e + 8, count: Int(e.load(as: UInt32.self)))
    }
    @inline(__always) static func value(_ e: UnsafeMutableRawPointer) -> UnsafeRawBufferPointer {
        let fieldLength = Int(e.load(as: UInt32.self))
        return UnsafeRawBufferPointer(start: e + 8 + fieldLength, count: Int(e.load(fromByteOffset: 4, as: UInt32.self)))
    }

    @inline(__always) func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash &>> shift) }

    /// Slot index holding `field`, or nil.
    func find(_ field: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        let tag = SlotWord.tag(hash)
        var i = home(hash)
        while true {
            let w = slots[i]
            if w == 0 { return nil }
            if w & SlotWord.tagMask == tag && ByteStrings.equal(FieldTable.field(SlotWord.pointer(w)), field) { return i }
            i = (i &+ 1) & mask
        }
    }

    func lookup(_ field: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        guard let i = find(field, hash: FieldTable.hash(field)) else { return nil }
        return SlotWord.pointer(slots[i])
    }

    private static func makeElement(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
        precondition(field.count <= Int(UInt32.max) && value.count <= Int(UInt32.max), "field too long")
        guard let e = malloc(8 + field.count + value.count) else { fatalError("out of memory") }
        e.storeBytes(of: UInt32(field.count), as: UInt32.self)
        e.storeBytes(of: UInt32(value.count), toByteOffset: 4, as: UInt32.self)
        if field.count > 0 { (e + 8).copyMemory(from: field.baseAddress!, byteCount: field.count) }
        if value.count > 0 { (e + 8 + field.count).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        return e
    }

    /// Inserts or overwrites; returns true when the field is new.
    @discardableResult
    mutating func set(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool {
        let hash = FieldTable.hash(field)
        let fresh = FieldTable.makeElement(field, value)
        bytes += tessera_malloc_usable_size(fresh)
        if let i = find(field, hash: hash) {
            let old = SlotWord.pointer(slots[i])
            bytes -= tessera_malloc_usable_size(old)
            free(old)
            slots[i] = SlotWord.make(fresh, hash: hash)
            return false
        }
        if (count + 1) * 5 > (mask + 1) * 4 { resize(to: (mask + 1) * 2) }
        insertNew(fresh, hash: hash)
        count += 1
        return true
    }

    private mutating func insertNew(_ e: UnsafeMutableRawPointer, hash: UInt64) {
        var i = home(hash)
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = SlotWord.make(e, hash: hash)
    }

    /// Removes `field`; returns whether it was there.
    mutating func remove(_ field: UnsafeRawBufferPointer) -> Bool {
        guard let index = find(field, hash: FieldTable.hash(field)) else { return false }
        let e = SlotWord.pointer(slots[index])
        bytes -= tessera_malloc_usable_size(e)
        free(e)
        var gap = index
        var j = gap
        while true {
            j = (j &+ 1) & mask
            let w = slots[j]
            if w == 0 { break }
            let k = home(FieldTable.hash(FieldTable.field(SlotWord.pointer(w))))
            if (j &- k) & mask >= (j &- gap) & mask {
                slots[gap] = w
                gap = j
            }
        }
        slots[gap] = 0
        count -= 1
        if mask + 1 > FieldTable.minCapacity && count * 8 < mask + 1 {
            var target = FieldTable.minCapacity
            while target < count * 2 { target *= 2 }
            resize(to: target)
        }
        return true
    }

    private mutating func resize(to capacity: Int) {
        let oldSlots = slots
        let oldCapacity = mask + 1
        slots = FieldTable.allocateSlots(capacity)
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for i in 0..<oldCapacity where oldSlots[i] != 0 {
            let e = SlotWord.pointer(oldSlots[i])
            insertNew(e, hash: FieldTable.hash(FieldTable.field(e)))
        }
        free(oldSlots)
        bytes += (capacity - oldCapacity) * 8
    }

    func forEach(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        for i in 0...mask where slots[i] != 0 {
            let e = SlotWord.pointer(slots[i])
            body(FieldTable.field(e), FieldTable.value(e))
        }
    }

    /// A uniformly chosen element (count > 0): random slots until a live one (load ≥ 1/8).
    func random(_ next: () -> UInt64) -> UnsafeMutableRawPointer {
        precondition(count > 0, "random element of an empty table")
        while true {
            let w = slots[Int(truncatingIfNeeded: next()) & mask]
            if w != 0 { return SlotWord.pointer(w) }
        }
    }

    /// Visits elements whose hash position is ≥ `position`, stopping at a home-slot boundary after
    /// about `count` elements; returns the next position (0 = done). Elements present throughout a
    /// scan are visited at least once, even across resizes (positions are points in hash space).
    func scan(from position: UInt64, count wanted: Int,
              _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> UInt64 {
        let bits = 64 - Int(shift)
        let total = mask + 1
        var slot = Int(truncatingIfNeeded: position >> UInt64(64 - bits))
        var seen = 0
        while slot < total && seen < wanted {
            // Elements whose home is `slot`: walk the run from there.
            var j = slot
            while j - slot < total {
                let w = slots[j & mask]
                if w == 0 { break }
                let e = SlotWord.pointer(w)
                if home(FieldTable.hash(FieldTable.field(e))) == slot {
                    visit(FieldTable.field(e), FieldTable.value(e))
                    seen += 1
                }
                j += 1
            }
            slot += 1
        }
        return slot >= total ? 0 : UInt64(slot) << UInt64(64 - bits)
    }
}
