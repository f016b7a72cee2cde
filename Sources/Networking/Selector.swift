import CLinux
import Glibc

/// The only file that speaks epoll. Level-triggered; each registration carries a 64-bit token
/// (the event loop packs a slot and a generation into it so events for a reused fd are dropped).
public final class Selector {
    public struct Interest: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Interest(rawValue: EPOLLIN.rawValue)
        public static let writable = Interest(rawValue: EPOLLOUT.rawValue)
        /// Wake one waiter only (shared listening sockets across loops).
        public static let exclusive = Interest(rawValue: EPOLLEXCLUSIVE.rawValue)
    }

    public let fd: Int32
    private let events: UnsafeMutablePointer<epoll_event>
    public let capacity: Int

    public init(capacity: Int = 1024) throws {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SystemError.fail("epoll_create1") }
        self.fd = fd
        self.capacity = capacity
        events = .allocate(capacity: capacity)
    }

    deinit {
        events.deallocate()
        close(fd)
    }

    public func register(_ descriptor: Int32, interest: Interest, token: UInt64) throws {
        guard tessera_epoll_ctl(fd, EPOLL_CTL_ADD, descriptor, interest.rawValue, token) == 0 else {
            throw SystemError.fail("epoll_ctl(ADD)")
        }
    }

    public func modify(_ descriptor: Int32, interest: Interest, token: UInt64) throws {
        guard tessera_epoll_ctl(fd, EPOLL_CTL_MOD, descriptor, interest.rawValue, token) == 0 else {
            throw SystemError.fail("epoll_ctl(MOD)")
        }
    }

    public func deregister(_ descriptor: Int32) {
        _ = tessera_epoll_ctl(fd, EPOLL_CTL_DEL, descriptor, 0, 0)
    }

    /// Waits up to `timeoutMilliseconds` (-1 = forever) and returns the number of ready events.
    public func wait(timeoutMilliseconds: Int32) throws -> Int {
        while true {
            let count = epoll_wait(fd, events, Int32(capacity), timeoutMilliseconds)
            if count >= 0 { return Int(count) }
            if currentErrno() == EINTR { continue }
            throw SystemError.fail("epoll_wait")
        }
    }

    @inline(__always) public func token(at index: Int) -> UInt64 {
        tessera_epoll_event_data(events + index)
    }

    @inline(__always) public func readiness(at index: Int) -> Readiness {
        Readiness(rawValue: tessera_epoll_event_events(events + index))
    }

    public struct Readiness: Sendable {
        public let rawValue: UInt32
        public var isReadable: Bool { rawValue & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 }
        public var isWritable: Bool { rawValue & (EPOLLOUT.rawValue | EPOLLERR.rawValue) != 0 }
    }
}

/// An eventfd that wakes an event loop from another thread.
public final class Wakeup: Sendable {
    public let fd: Int32

    public init() throws {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError.fail("eventfd") }
        self.fd = fd
    }

    deinit { close(fd) }

    public func signal() {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    /// Clears pending signals (called by the loop when the fd is readable).
    public func drain() {
        var value: UInt64 = 0
        _ = Glibc.read(fd, &value, 8)
    }
}
