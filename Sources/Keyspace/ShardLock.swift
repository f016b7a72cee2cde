import Glibc

/// A pthread mutex at a stable heap address (a `pthread_mutex_t` must never move once used, which a
/// Swift stored property does not guarantee). In debug builds it remembers its owner so table
/// methods can `precondition` that the caller holds it.
struct ShardLock {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    #if DEBUG
    private let owner: UnsafeMutablePointer<pthread_t>
    #endif

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
        #if DEBUG
        owner = .allocate(capacity: 1)
        owner.initialize(to: 0)
        #endif
    }

    func destroy() {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        #if DEBUG
        owner.deallocate()
        #endif
    }

    @inline(__always) func lock() {
        let rc = pthread_mutex_lock(mutex)
        precondition(rc == 0, "pthread_mutex_lock failed: \(rc)")
        #if DEBUG
        owner.pointee = pthread_self()
        #endif
    }

    @inline(__always) func unlock() {
        #if DEBUG
        precondition(owner.pointee == pthread_self(), "shard unlocked by a thread that does not hold it")
        owner.pointee = 0
        #endif
        pthread_mutex_unlock(mutex)
    }

    /// Debug-only check that the calling thread holds the lock (a table touched without it would
    /// be corrupted by a concurrent writer).
    @inline(__always) func assertHeld() {
        #if DEBUG
        precondition(owner.pointee == pthread_self(), "shard method called without holding the shard lock")
        #endif
    }
}
