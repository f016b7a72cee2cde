import Bytes
import CLinux
import Glibc
import Synchronization

/// One shard: a lock, an open-addressing table per database and a timing wheel.
/// Every method except `lock`/`unlock` requires the lock to be held by the caller.
/// `now` is Unix time in milliseconds, read once per command by the caller (injectable clock).
/// A key is expired when `now > expireAt` (Redis's rule).
public final class Shard: @unchecked Sendable {
    public let index: Int
    let mutex = ShardLock()
    let core: UnsafeMutablePointer<ShardCore>
    /// Back reference for the expiration handler and the trim rate limit; the keyspace owns us.
    unowned(unsafe) var keyspace: Keyspace?
    /// Lock-free copies for INFO (written with relaxed stores after each mutation).
    let publishedMemory = Atomic<Int>(0)
    let publishedExpired = Atomic<Int>(0)

    /// Freed bytes worth a malloc_trim (a few pages' worth; below it there is nothing to give back).
    static let trimThreshold = 64 << 10
    public static let expiryMigrationBudget = 1024

    init(index: Int, databaseCount: Int, seed: UInt64) {
        self.index = index
        core = .allocate(capacity: 1)
        core.initialize(to: ShardCore(seed: seed, databaseCount: databaseCount))
    }

    deinit {
        core.pointee.destroy()
        core.deinitialize(count: 1)
        core.deallocate()
        mutex.destroy()
    }

    public func lock() { mutex.lock() }
    public func unlock() { mutex.unlock() }

    @inline(__always) private func publish() {
        publishedMemory.store(core.pointee.memory, ordering: .relaxed)
    }
    /// `publish` for the collection and move helpers in other files.
    func publishMemory() { publish() }

    // MARK: Lookup

    /// The live entry for `key`, or nil. An expired entry is removed first (lazy expiry; calls the
    /// keyspace's expirationHandler). Touches the access clock.
    public func find(database: Int, key: UnsafeRawBufferPointer, hash: UInt64, now: Int64) -> Entry? {
        guard let p = lookupLive(database: database, key: key, hash: hash, now: now) else { return nil }
        touchAccess(p)
        return Entry(pointer: p)
    }

    /// Prefetch hints for a pipelined turn (see `RequestPeek`): first the slot a lookup of `hash`
    /// starts at, later (once that has had time to arrive) the entry it points to. Nothing changes.
    public func prefetchSlot(database: Int, hash: UInt64) {
        mutex.assertHeld()
        core.pointee.table(database).pointee.prefetchHome(hash: hash)
    }
    public func prefetchEntry(database: Int, hash: UInt64) {
        mutex.assertHeld()
        core.pointee.table(database).pointee.prefetchCandidate(hash: hash)
    }

    /// Like `find` but does not touch the access clock (TTL, TYPE, EXISTS... use `find`; OBJECT uses this).
    public func peek(database: Int, key: UnsafeRawBufferPointer, hash: UInt64, now: Int64) -> Entry? {
        guard let p = lookupLive(database: database, key: key, hash: hash, now: now) else { return nil }
        return Entry(pointer: p)
    }

    private func lookupLive(database: Int, key: UnsafeRawBufferPointer, hash: UInt64,
                            now: Int64) -> UnsafeMutableRawPointer? {
        mutex.assertHeld()
        core.pointee.observe(now: now)
        refreshAccessMode()
        let t = core.pointee.table(database)
        guard t.pointee.slots != nil else { return nil }
        if t.pointee.isMigrating {
            t.pointee.migrate(budget: Table.migrationStep, seed: core.pointee.seed, memory: &core.pointee.tableMemory)
        }
        guard let loc = t.pointee.lookup(key, hash: hash) else { return nil }
        let p = SlotWord.pointer(t.pointee.word(at: loc))
        let expireAt = EntryLayout.expireAt(p)
        if expireAt != 0 && now > expireAt {
            notifyExpired(database: database, p)
            t.pointee.remove(at: loc, seed: core.pointee.seed)
            core.pointee.discard(p, table: t)
            core.pointee.expired += 1
            publishedExpired.store(core.pointee.expired, ordering: .relaxed)
            publish()
            return nil
        }
        return p
    }

    @inline(__always) private func notifyExpired(database: Int, _ p: UnsafeMutableRawPointer) {
        keyspace?.expirationHandler?(database, EntryLayout.keyBytes(p))
    }

    // MARK: Writes

    /// Inserts or replaces `key` with a string value; `expireAt` 0 = none. Schedules the wheel.
    /// A replaced entry is freed. Returns the new entry.
    @discardableResult
    public func setString(database: Int, key: UnsafeRawBufferPointer, hash: UInt64,
                          value: UnsafeRawBufferPointer, expireAt: Int64) -> Entry {
        let p = upsert(database: database, key: key, hash: hash, valueLength: value.count, expireAt: expireAt)
        if value.count > 0 { EntryLayout.valueStart(p).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        return Entry(pointer: p)
    }

    /// `setString` for a key that `find` just returned as `existing` (same database, key and hash,
    /// lock held since): a same-sized value is rewritten in place without `upsert`'s second table
    /// lookup (SET on an existing session key is the hot case). Anything else takes `setString`.
    @discardableResult
    public func overwriteString(_ existing: Entry, database: Int, key: UnsafeRawBufferPointer, hash: UInt64,
                                value: UnsafeRawBufferPointer, expireAt: Int64) -> Entry {
        mutex.assertHeld()
        let old = existing.pointer
        let size = EntryLayout.allocationSize(keyLength: key.count, valueLength: value.count)
        let usable = tessera_malloc_usable_size(old)
        // The same reuse rule as `upsert`.
        guard EntryLayout.type(old) == ValueType.string.rawValue && size <= usable && size * 2 > usable else {
            return setString(database: database, key: key, hash: hash, value: value, expireAt: expireAt)
        }
        EntryLayout.setValueLength(old, UInt32(value.count))
        EntryLayout.setAccessClock(old, core.pointee.clockSeconds)
        core.pointee.retime(old, table: core.pointee.table(database), expireAt: expireAt)
        if value.count > 0 { EntryLayout.valueStart(old).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        publish()
        return existing
    }

    /// Inserts a new string entry of `length` uninitialised value bytes (caller fills `entry.value`),
    /// replacing any existing one. For values built in place (SETRANGE, APPEND, INCR, COPY).
    public func insertString(database: Int, key: UnsafeRawBufferPointer, hash: UInt64,
                             valueLength: Int, expireAt: Int64) -> Entry {
        Entry(pointer: upsert(database: database, key: key, hash: hash, valueLength: valueLength, expireAt: expireAt))
    }

    func upsert(database: Int, key: UnsafeRawBufferPointer, hash: UInt64, valueLength: Int,
                        expireAt: Int64) -> UnsafeMutableRawPointer {
        mutex.assertHeld()
        let size = EntryLayout.allocationSize(keyLength: key.count, valueLength: valueLength)
        let tid = Int(core.pointee.tableOfDatabase[database])
        let t = core.pointee.table(database)
        t.pointee.prepareInsert(seed: core.pointee.seed, memory: &core.pointee.tableMemory)
        defer { publish() }
        if let loc = t.pointee.lookup(key, hash: hash) {
            let old = SlotWord.pointer(t.pointee.word(at: loc))
            let usable = tessera_malloc_usable_size(old)
            // Reuse the allocation when it fits and is not wastefully large (session refreshes
            // rewrite same-sized values: no malloc/free, no table or wheel fix-up).
            if EntryLayout.type(old) == ValueType.string.rawValue && size <= usable && size * 2 > usable {
                EntryLayout.setValueLength(old, UInt32(valueLength))
                touchAccess(old)
                core.pointee.retime(old, table: t, expireAt: expireAt)
                return old
            }
            let p = core.pointee.allocateEntry(key: key, valueLength: valueLength, expireAt: expireAt, tableID: tid)
            t.pointee.replace(at: loc, with: p, hash: hash)
            core.pointee.discard(old, table: t)
            if expireAt != 0 {
                t.pointee.volatile += 1
                core.pointee.wheel.schedule(p)
            }
            return p
        }
        let p = core.pointee.allocateEntry(key: key, valueLength: valueLength, expireAt: expireAt, tableID: tid)
        t.pointee.insertNew(p, hash: hash)
        if expireAt != 0 {
            t.pointee.volatile += 1
            core.pointee.wheel.schedule(p)
        }
        return p
    }

    /// Changes the value length of `entry`, keeping the first min(old, new) bytes; the entry may move.
    public func resizeValue(_ entry: Entry, database: Int, hash: UInt64, to length: Int) -> Entry {
        mutex.assertHeld()
        let p = entry.pointer
        let t = core.pointee.table(database)
        precondition(EntryLayout.tableID(p) == Int(core.pointee.tableOfDatabase[database]),
                     "entry does not belong to this database")
        let size = EntryLayout.allocationSize(keyLength: Int(EntryLayout.keyLength(p)), valueLength: length)
        let usable = tessera_malloc_usable_size(p)
        if size <= usable && size * 2 > usable {
            EntryLayout.setValueLength(p, UInt32(length))
            return entry
        }
        guard let loc = t.pointee.locate(p, hash: hash) else { preconditionFailure("entry not in its table") }
        guard let q = realloc(p, size) else { fatalError("out of memory") }
        EntryLayout.setValueLength(q, UInt32(length))
        if q != p {
            t.pointee.replace(at: loc, with: q, hash: hash)
            core.pointee.wheel.replace(q)
        }
        core.pointee.entryMemory += tessera_malloc_usable_size(q) - usable
        publish()
        return Entry(pointer: q)
    }

    /// Removes `entry` (found in this shard, database `database`) and frees it.
    public func remove(_ entry: Entry, database: Int, hash: UInt64) {
        mutex.assertHeld()
        let t = core.pointee.table(database)
        guard let loc = t.pointee.locate(entry.pointer, hash: hash) else { preconditionFailure("entry not in its table") }
        t.pointee.remove(at: loc, seed: core.pointee.seed)
        core.pointee.discard(entry.pointer, table: t)
        if t.pointee.isMigrating {
            t.pointee.migrate(budget: Table.migrationStep, seed: core.pointee.seed, memory: &core.pointee.tableMemory)
        } else {
            t.pointee.shrinkIfSparse(memory: &core.pointee.tableMemory)
        }
        publish()
    }

    /// Sets (expireAt > 0) or clears (0) the expiry and reschedules the wheel.
    public func setExpiration(_ entry: Entry, expireAt: Int64) {
        mutex.assertHeld()
        let t = core.pointee.tables + EntryLayout.tableID(entry.pointer)
        core.pointee.retime(entry.pointer, table: t, expireAt: expireAt)
        publish()
    }

    // MARK: Expiry

    /// Removes up to `budget` keys whose deadline is ≤ `now - 1` per Redis's rule, driven by the wheel
    /// (not sampling). Returns how many were removed. Calls the expirationHandler for each.
    /// Also advances table migrations/shrinks by a bounded amount and may call malloc_trim.
    public func expireDue(now: Int64, budget: Int, migrationBudget: Int = Shard.expiryMigrationBudget) -> Int {
        mutex.assertHeld()
        core.pointee.observe(now: now)
        var removed = 0
        while removed < budget, let p = core.pointee.wheel.popDue(now: now) {
            let tid = EntryLayout.tableID(p)
            let t = core.pointee.tables + tid
            notifyExpired(database: Int(core.pointee.databaseOfTable[tid]), p)
            let hash = ByteHash.hash(EntryLayout.keyBytes(p), seed: core.pointee.seed)
            guard let loc = t.pointee.locate(p, hash: hash) else { preconditionFailure("scheduled entry not in its table") }
            t.pointee.remove(at: loc, seed: core.pointee.seed)
            core.pointee.discard(p, table: t)
            removed += 1
        }
        if removed > 0 {
            core.pointee.expired += removed
            publishedExpired.store(core.pointee.expired, ordering: .relaxed)
        }
        core.pointee.maintainTables(migrationBudget: migrationBudget)
        trimIfWorthwhile()
        publish()
        return removed
    }

    /// Earliest scheduled deadline in this shard (for housekeeping timers), or nil.
    /// Exact, except when the only deadlines are > ~49 days away (then a lower bound).
    public var nextDeadline: Int64? {
        mutex.assertHeld()
        return core.pointee.wheel.nextDeadline()
    }

    /// Returns freed memory to the OS, at most about once a second process-wide (malloc_trim walks
    /// the heap's free chunks). Freed bytes are pooled keyspace-wide, one atomic add per call, so
    /// many shards each freeing a little still add up to a trim.
    ///
    /// Any amount above `trimThreshold` counts, not only large waves: when sessions with scattered
    /// deadlines expire, the early trims cannot release pages still shared with live entries, and
    /// the last frees of the wave are small. With a 4 MiB threshold RSS stayed at 80 % of its peak
    /// after a mass expiry; with this rule it is back at idle about a second after the last deadline.
    private func trimIfWorthwhile() {
        guard let keyspace else { return }
        if core.pointee.freedSinceTrim > 0 {
            keyspace.freedSinceTrim.wrappingAdd(core.pointee.freedSinceTrim, ordering: .relaxed)
            core.pointee.freedSinceTrim = 0
        }
        guard keyspace.freedSinceTrim.load(ordering: .relaxed) >= Shard.trimThreshold else { return }
        let now = monotonicMilliseconds()
        let last = keyspace.lastTrim.load(ordering: .relaxed)
        guard now - last >= 1000,
              keyspace.lastTrim.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
        else { return }
        keyspace.freedSinceTrim.store(0, ordering: .relaxed)
        _ = tessera_malloc_trim()
    }

    // MARK: Counts and bulk

    public func count(database: Int) -> Int {
        mutex.assertHeld()
        return core.pointee.table(database).pointee.count
    }

    public func volatileCount(database: Int) -> Int {
        mutex.assertHeld()
        return core.pointee.table(database).pointee.volatile
    }

    /// Removes every key of `database` (or all when nil). Does not call the expiration handler.
    public func removeAll(database: Int?) {
        mutex.assertHeld()
        if let database {
            core.pointee.clear(tableID: Int(core.pointee.tableOfDatabase[database]), unscheduling: true)
        } else {
            // Wheel first: it touches entry headers, which must still be allocated.
            core.pointee.wheel.removeAll()
            for tid in 0..<core.pointee.databaseCount { core.pointee.clear(tableID: tid, unscheduling: false) }
        }
        trimIfWorthwhile()
        publish()
    }

    /// Exchanges two databases' tables (SWAPDB); entries keep their table IDs.
    func swapDatabases(_ a: Int, _ b: Int) {
        mutex.assertHeld()
        let c = core.pointee
        precondition(a >= 0 && a < c.databaseCount && b >= 0 && b < c.databaseCount, "database index out of range")
        let ta = c.tableOfDatabase[a]
        let tb = c.tableOfDatabase[b]
        c.tableOfDatabase[a] = tb
        c.tableOfDatabase[b] = ta
        c.databaseOfTable[Int(ta)] = UInt8(b)
        c.databaseOfTable[Int(tb)] = UInt8(a)
    }
}
