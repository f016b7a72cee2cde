import CLinux
import Glibc

/// All mutable state of a shard, kept behind one stable pointer so the hot path has no ARC
/// traffic and no dynamic exclusivity checks. Only touched with the shard lock held.
struct ShardCore {
    let seed: UInt64
    let databaseCount: Int
    /// Physical tables, indexed by table ID (what entries store).
    let tables: UnsafeMutablePointer<Table>
    /// SWAPDB permutation: database -> table ID and back.
    let tableOfDatabase: UnsafeMutablePointer<UInt8>
    let databaseOfTable: UnsafeMutablePointer<UInt8>
    var wheel = TimingWheel()
    var entryMemory = 0
    var tableMemory = 0
    /// Bytes of hashtable objects that entries point to (hashes and sets past the compact encodings).
    var objectMemory = 0
    /// Bytes freed since the last malloc_trim (decides whether trimming is worth it).
    var freedSinceTrim = 0
    var expired = 0
    /// Coarse clock (Unix seconds) from the latest `now` seen; stamps new entries' access clock.
    var clockSeconds: UInt32 = 0
    /// LRU clock of the latest `now`: 4 ms ticks, 32 bits (wraps after ~198 days, like Redis's 24-bit
    /// seconds clock after ~194): fine enough that eviction tells a key read this instant from one
    /// written a second ago.
    var clockTicks: UInt32 = 0
    /// New entries get an LFU word instead of an LRU stamp (see AccessTracking).
    var lfuMode = false
    var random: UInt64

    init(seed: UInt64, databaseCount: Int) {
        self.seed = seed
        self.databaseCount = databaseCount
        tables = .allocate(capacity: databaseCount)
        tables.initialize(repeating: Table(), count: databaseCount)
        tableOfDatabase = .allocate(capacity: databaseCount)
        databaseOfTable = .allocate(capacity: databaseCount)
        for i in 0..<databaseCount {
            tableOfDatabase[i] = UInt8(i)
            databaseOfTable[i] = UInt8(i)
        }
        random = seed ^ 0x9E37_79B9_7F4A_7C15
    }

    var memory: Int { entryMemory + tableMemory + objectMemory + wheel.memory }

    @inline(__always) func table(_ database: Int) -> UnsafeMutablePointer<Table> {
        precondition(database >= 0 && database < databaseCount, "database index out of range")
        return tables + Int(tableOfDatabase[database])
    }

    @inline(__always) mutating func observe(now: Int64) {
        // now 0 is "no time" (AOF replay, rewrite peeks): keys must not expire, clocks must not move.
        if now != 0 {
            clockSeconds = UInt32(truncatingIfNeeded: now / 1000)
            clockTicks = AccessTracking.lruTicks(now: now)
        }
    }

    mutating func nextRandom() -> UInt64 {
        // splitmix64: cheap, good enough for RANDOMKEY sampling.
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: Entries

    mutating func allocateEntry(key: UnsafeRawBufferPointer, valueLength: Int, expireAt: Int64,
                                tableID: Int) -> UnsafeMutableRawPointer {
        let size = EntryLayout.allocationSize(keyLength: key.count, valueLength: valueLength)
        guard let p = malloc(size) else { fatalError("out of memory") }
        EntryLayout.initialize(p, keyLength: key.count, valueLength: valueLength, expireAt: expireAt,
                               type: .string, tableID: tableID)
        EntryLayout.setAccessClock(p, lfuMode ? AccessTracking.freshLFU(seconds: clockSeconds) : clockTicks)
        if key.count > 0 { (p + EntryLayout.headerSize).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        entryMemory += tessera_malloc_usable_size(p)
        return p
    }

    /// The single place an entry's memory is released. Non-string values (hash, set, ...) will
    /// keep a pointer to an object in their value bytes: release it here, keyed on the type byte.
    mutating func freeEntry(_ p: UnsafeMutableRawPointer) {
        if EntryLayout.hasObject(p) {
            // FREE HOOK: the entry owns its hashtable object (moves detach it first).
            let object = EntryLayout.object(p)
            objectMemory -= object.pointee.bytes
            freedSinceTrim += object.pointee.bytes
            FieldTable.destroy(object)
        }
        let size = tessera_malloc_usable_size(p)
        entryMemory -= size
        freedSinceTrim += size
        free(p)
    }

    /// Everything after the slot is gone: wheel, volatile count, memory.
    mutating func discard(_ p: UnsafeMutableRawPointer, table t: UnsafeMutablePointer<Table>) {
        wheel.unschedule(p)
        if EntryLayout.expireAt(p) != 0 { t.pointee.volatile -= 1 }
        freeEntry(p)
    }

    /// Sets the expiry and keeps the volatile count and the wheel in step.
    mutating func retime(_ p: UnsafeMutableRawPointer, table t: UnsafeMutablePointer<Table>, expireAt: Int64) {
        let previous = EntryLayout.expireAt(p)
        if previous == expireAt && (expireAt == 0) == (EntryLayout.wheelSlot(p) == EntryLayout.notScheduled) {
            return
        }
        if previous != 0 { t.pointee.volatile -= 1 }
        if expireAt != 0 { t.pointee.volatile += 1 }
        wheel.unschedule(p)
        EntryLayout.setExpireAt(p, expireAt)
        if expireAt != 0 { wheel.schedule(p) }
    }

    /// Helps migrations and starts shrinks for every table (bounded work, from expireDue).
    mutating func maintainTables(migrationBudget: Int) {
        for tid in 0..<databaseCount {
            let t = tables + tid
            if t.pointee.isMigrating {
                t.pointee.migrate(budget: migrationBudget, seed: seed, memory: &tableMemory)
            } else if t.pointee.slots != nil {
                t.pointee.shrinkIfSparse(memory: &tableMemory)
            }
        }
    }

    /// Frees every entry of one table and the table itself; `unscheduling` is false only when the
    /// whole wheel has already been emptied.
    mutating func clear(tableID tid: Int, unscheduling: Bool) {
        let t = tables + tid
        t.pointee.forEach { p in
            if unscheduling { wheel.unschedule(p) }
            freeEntry(p)
        }
        t.pointee.release(memory: &tableMemory)
    }

    mutating func destroy() {
        wheel.removeAll()
        for tid in 0..<databaseCount { clear(tableID: tid, unscheduling: false) }
        wheel.destroy()
        tables.deinitialize(count: databaseCount)
        tables.deallocate()
        tableOfDatabase.deallocate()
        databaseOfTable.deallocate()
    }
}

/// Milliseconds of a monotonic clock (only for rate-limiting malloc_trim, never for expiry).
func monotonicMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
