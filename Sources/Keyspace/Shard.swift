// CONTRACT STUB — the Keyspace helper replaces the bodies; public signatures are fixed.
import Bytes

/// One shard: a lock, an open-addressing table per database and a timing wheel.
/// Every method except `lock`/`unlock` requires the lock to be held by the caller.
/// `now` is Unix time in milliseconds, read once per command by the caller (injectable clock).
/// A key is expired when `now > expireAt` (Redis's rule).
public final class Shard: @unchecked Sendable {
    public func lock() { fatalError("unimplemented") }
    public func unlock() { fatalError("unimplemented") }

    /// The live entry for `key`, or nil. An expired entry is removed first (lazy expiry; calls the
    /// keyspace's expirationHandler). Touches the access clock.
    public func find(database: Int, key: UnsafeRawBufferPointer, hash: UInt64, now: Int64) -> Entry? { fatalError("unimplemented") }
    /// Like `find` but does not touch the access clock (TTL, TYPE, EXISTS... use `find`; OBJECT uses this).
    public func peek(database: Int, key: UnsafeRawBufferPointer, hash: UInt64, now: Int64) -> Entry? { fatalError("unimplemented") }

    /// Inserts or replaces `key` with a string value; `expireAt` 0 = none. Schedules the wheel.
    /// A replaced entry is freed. Returns the new entry.
    @discardableResult
    public func setString(database: Int, key: UnsafeRawBufferPointer, hash: UInt64,
                          value: UnsafeRawBufferPointer, expireAt: Int64) -> Entry { fatalError("unimplemented") }
    /// Inserts a new string entry of `length` uninitialised value bytes (caller fills `entry.value`),
    /// replacing any existing one. For values built in place (SETRANGE, APPEND, INCR, COPY).
    public func insertString(database: Int, key: UnsafeRawBufferPointer, hash: UInt64,
                             valueLength: Int, expireAt: Int64) -> Entry { fatalError("unimplemented") }
    /// Changes the value length of `entry`, keeping the first min(old, new) bytes; the entry may move.
    public func resizeValue(_ entry: Entry, database: Int, hash: UInt64, to length: Int) -> Entry { fatalError("unimplemented") }
    /// Removes `entry` (found in this shard, database `database`) and frees it.
    public func remove(_ entry: Entry, database: Int, hash: UInt64) { fatalError("unimplemented") }
    /// Sets (expireAt > 0) or clears (0) the expiry and reschedules the wheel.
    public func setExpiration(_ entry: Entry, expireAt: Int64) { fatalError("unimplemented") }

    /// Removes up to `budget` keys whose deadline is ≤ `now - 1` per Redis's rule, driven by the wheel
    /// (not sampling). Returns how many were removed. Calls the expirationHandler for each.
    public func expireDue(now: Int64, budget: Int) -> Int { fatalError("unimplemented") }
    /// Earliest scheduled deadline in this shard (for housekeeping timers), or nil.
    public var nextDeadline: Int64? { fatalError("unimplemented") }

    public func count(database: Int) -> Int { fatalError("unimplemented") }
    public func volatileCount(database: Int) -> Int { fatalError("unimplemented") }
    /// Removes every key of `database` (or all when nil).
    public func removeAll(database: Int?) { fatalError("unimplemented") }
    /// Visits entries whose position in hash space is ≥ `position`, in increasing order, stopping after
    /// roughly `count` entries at a home-slot boundary; returns the position to resume at (nil = shard done).
    /// Expired entries are skipped (not removed). Entries present for the whole scan are visited at least once.
    public func scan(database: Int, from position: UInt64, count: Int, now: Int64,
                     _ visit: (Entry) -> Void) -> UInt64? { fatalError("unimplemented") }
    /// A uniformly-ish random live entry of `database`, or nil if empty.
    public func randomEntry(database: Int, now: Int64) -> Entry? { fatalError("unimplemented") }
}
