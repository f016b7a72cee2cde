import Synchronization

/// WATCHed keys of every client. A write to a watched key (or its expiry, or a flush) marks the
/// watchers dirty so their EXEC fails. When nobody watches, writers pay one relaxed load.
public final class WatchRegistry: Sendable {
    /// One client's watch state; `dirty` is set by other threads.
    public final class Token: Sendable {
        public let clientID: Int
        let dirty = Atomic<Bool>(false)
        public init(clientID: Int) { self.clientID = clientID }
        public var isDirty: Bool { dirty.load(ordering: .acquiring) }
        public func reset() { dirty.store(false, ordering: .releasing) }
    }

    struct WatchedKey: Hashable, Sendable {
        let database: Int
        let key: [UInt8]
    }

    private let watchers = Mutex<[WatchedKey: [Token]]>([:])
    private let watchedCount = Atomic<Int>(0)

    public init() {}

    @inline(__always) public var isActive: Bool { watchedCount.load(ordering: .relaxed) > 0 }

    public func watch(database: Int, key: [UInt8], token: Token) {
        watchers.withLock { $0[WatchedKey(database: database, key: key), default: []].append(token) }
        watchedCount.add(1, ordering: .relaxed)
    }

    public func unwatch(database: Int, key: [UInt8], token: Token) {
        let removed = watchers.withLock { map -> Bool in
            let watched = WatchedKey(database: database, key: key)
            guard var list = map[watched], let index = list.firstIndex(where: { $0 === token }) else { return false }
            list.remove(at: index)
            map[watched] = list.isEmpty ? nil : list
            return true
        }
        if removed { watchedCount.subtract(1, ordering: .relaxed) }
    }

    /// Redis `touchWatchedKey`: a watched key changed.
    public func touch(database: Int, key: UnsafeRawBufferPointer) {
        guard isActive else { return }
        let watched = WatchedKey(database: database, key: Array(key))
        watchers.withLock { map in
            for token in map[watched] ?? [] { token.dirty.store(true, ordering: .releasing) }
        }
    }

    /// FLUSHDB / FLUSHALL / SWAPDB: every watcher of `database` (nil = all) is dirty.
    public func touchAll(database: Int?) {
        guard isActive else { return }
        watchers.withLock { map in
            for (watched, tokens) in map where database == nil || watched.database == database {
                for token in tokens { token.dirty.store(true, ordering: .releasing) }
            }
        }
    }
}
