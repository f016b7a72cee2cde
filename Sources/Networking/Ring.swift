import CLinux
import Glibc

/// The io_uring event engine of one event loop (see CRing.h). Reads arrive as completions of a
/// multishot recv per socket, already copied into one of the ring's provided buffers, so a request
/// costs no recv and no epoll_wait system call of its own: one `wait` per loop iteration submits
/// the iteration's new requests and collects everything that arrived. Confined to one thread.
public final class Ring {
    private let ring: UnsafeMutablePointer<tessera_ring>
    /// Size of each provided buffer: the largest chunk one completion delivers.
    public let bufferSize: Int

    /// nil where the kernel has no usable io_uring (too old, or forbidden, as in Docker's default
    /// seccomp profile); the caller falls back to epoll.
    public init?(entries: UInt32 = 1024, bufferCount: UInt32 = 64, bufferSize: UInt32 = 16 * 1024) throws {
        precondition(bufferCount & (bufferCount - 1) == 0, "the provided-buffer ring size must be a power of two")
        ring = .allocate(capacity: 1)
        let result = tessera_ring_open(ring, entries, bufferCount, bufferSize)
        if result < 0 {
            ring.deallocate()
            if result == -ENOSYS || result == -EPERM || result == -EINVAL || result == -EACCES { return nil }
            throw SystemError("io_uring_setup", errno: -result)
        }
        self.bufferSize = Int(bufferSize)
    }

    deinit {
        tessera_ring_close(ring)
        ring.deallocate()
    }

    /// Whether a wait for several completions can be bounded in time (kernel 6.12+); without it
    /// the loop waits for one completion at a time.
    public var canCoalesce: Bool { ring.pointee.min_wait_supported != 0 }

    /// A receive into the provided buffers: multishot (armed until cancelled or out of buffers) or
    /// one buffer's worth.
    public func receive(_ fd: Int32, multishot: Bool = true, userData: UInt64) throws {
        try check(multishot ? tessera_ring_recv_multishot(ring, fd, userData) : tessera_ring_recv_once(ring, fd, userData), "recv")
    }

    /// Poll for `events`; multishot stays armed until cancelled (its last completion lacks `more`).
    public func poll(_ fd: Int32, events: Int32, multishot: Bool, userData: UInt64) throws {
        try check(tessera_ring_poll(ring, fd, UInt32(events), multishot ? 1 : 0, userData), "poll")
    }

    /// Queues a send of `count` bytes at `bytes`, performed during the next `wait`'s submission
    /// (never parked: a full socket completes with -EAGAIN). The bytes must not change before then.
    public func send(_ fd: Int32, from bytes: UnsafeRawPointer, count: Int, userData: UInt64) throws {
        try check(tessera_ring_send(ring, fd, bytes, UInt32(count), userData), "send")
    }

    public func cancel(_ target: UInt64, userData: UInt64) throws {
        try check(tessera_ring_cancel(ring, target, userData), "cancel")
    }

    /// Submits the queued requests now (before their file descriptor is closed and its number
    /// possibly reused: a queued request names the descriptor, not the socket).
    public func submit() throws {
        try check(tessera_ring_submit(ring), "io_uring_enter")
    }

    /// Submits the queued requests and waits for `minComplete` completions besides those of the
    /// sends and cancels queued since the last wait (they complete while being submitted), at most
    /// `minWaitMicroseconds` once at least one completion is ready (see tessera_ring_wait).
    public func wait(minComplete: Int, minWaitMicroseconds: Int, timeoutMilliseconds: Int) throws {
        try check(tessera_ring_wait(ring, UInt32(minComplete), UInt32(minWaitMicroseconds), Int64(timeoutMilliseconds)), "io_uring_enter")
    }

    /// The completions ready now: `first` ..< `first + count` for `completion(at:)`, then `advance`.
    @inline(__always) public func ready() -> (first: UInt32, count: UInt32) {
        var first: UInt32 = 0
        let count = tessera_ring_ready(ring, &first)
        return (first, count)
    }

    @inline(__always) public func completion(at index: UInt32) -> Completion {
        var userData: UInt64 = 0
        var result: Int32 = 0
        var flags: UInt32 = 0
        tessera_ring_completion(ring, index, &userData, &result, &flags)
        return Completion(userData: userData, result: result, flags: flags)
    }

    @inline(__always) public func advance(_ count: UInt32) { tessera_ring_advance(ring, count) }

    @inline(__always) public func buffer(_ id: Int) -> UnsafePointer<UInt8> { tessera_ring_buffer(ring, UInt32(id)) }

    /// Hands a provided buffer back; `publishBuffers` makes the handed-back ones visible to the kernel.
    @inline(__always) public func recycle(_ id: Int) { tessera_ring_recycle(ring, UInt32(id)) }
    @inline(__always) public func publishBuffers() { tessera_ring_publish_buffers(ring) }

    public struct Completion {
        public let userData: UInt64
        public let result: Int32
        public let flags: UInt32
        /// The request stays armed and will complete again.
        public var more: Bool { flags & TESSERA_RING_F_MORE != 0 }
        /// The provided buffer this completion filled, if any.
        public var bufferID: Int? { flags & TESSERA_RING_F_BUFFER != 0 ? Int(flags >> 16) : nil }
    }

    private func check(_ result: Int32, _ what: StaticString) throws {
        if result < 0 { throw SystemError("\(what)", errno: -result) }
    }
}
