import Glibc

/// A pthread mutex at a stable heap address (a `pthread_mutex_t` must never move once used, which a
/// Swift stored property does not guarantee), reentrant for its owning thread.
///
/// Reentrancy is what lets MULTI/EXEC (and other whole-keyspace operations) lock every shard once
/// and then run ordinary command handlers, which lock their own shards again as usual. The owner
/// word is written only by the thread holding the mutex (set after acquiring, cleared before
/// releasing), so another thread reading it can never see its own id by mistake: the classic
/// recursive-mutex construction, here without glibc's slower recursive mutex type.
struct ShardLock {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Owning thread (0 = none) and recursion depth, in one allocation next to each other.
    private let owner: UnsafeMutablePointer<pthread_t>
    private let depth: UnsafeMutablePointer<Int>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
        owner = .allocate(capacity: 1)
        owner.initialize(to: 0)
        depth = .allocate(capacity: 1)
        depth.initialize(to: 0)
    }

    func destroy() {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        owner.deallocate()
        depth.deallocate()
    }

    @inline(__always) func lock() {
        let me = pthread_self()
        if owner.pointee == me {
            depth.pointee += 1
            return
        }
        let rc = pthread_mutex_lock(mutex)
        precondition(rc == 0, "pthread_mutex_lock failed: \(rc)")
        owner.pointee = me
        depth.pointee = 1
    }

    @inline(__always) func unlock() {
        precondition(owner.pointee == pthread_self() && depth.pointee > 0,
                     "shard unlocked by a thread that does not hold it")
        depth.pointee -= 1
        if depth.pointee == 0 {
            owner.pointee = 0
            pthread_mutex_unlock(mutex)
        }
    }

    /// Whether the calling thread holds the lock.
    @inline(__always) var isHeldByCurrentThread: Bool { owner.pointee == pthread_self() }

    /// Debug-only check that the calling thread holds the lock (a table touched without it would
    /// be corrupted by a concurrent writer).
    @inline(__always) func assertHeld() {
        #if DEBUG
        precondition(owner.pointee == pthread_self(), "shard method called without holding the shard lock")
        #endif
    }
}
