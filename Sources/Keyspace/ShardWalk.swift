/// Whole-table walks for snapshots (BGSAVE/SAVE): the caller holds the shard lock for the duration
/// of one walk, so every entry is seen in one consistent state (Redis's per-key consistency).
extension Shard {
    /// Visits every entry of `database` that is live at `now`, in table order. Expired entries are
    /// skipped (not removed: removal would call the expiration handler mid-walk). `visit` runs with
    /// the lock held and must not modify this shard (copy what it needs out of the entry).
    public func forEachLive(database: Int, now: Int64, _ visit: (Entry) -> Void) {
        mutex.assertHeld()
        core.pointee.table(database).pointee.forEach { p in
            let expireAt = EntryLayout.expireAt(p)
            if expireAt == 0 || now <= expireAt { visit(Entry(pointer: p)) }
        }
    }
}
