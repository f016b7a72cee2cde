import Glibc
import Synchronization

/// The server's notion of "now" in Unix milliseconds. Injected everywhere time matters so TTL tests
/// advance a manual clock instead of sleeping. Concrete (no existential) because every command reads it.
public final class Clock: Sendable {
    /// Manual time in ms, or -1 for the system clock.
    private let manualTime: Atomic<Int64>

    private init(manualTime: Int64) { self.manualTime = Atomic(manualTime) }

    public static func system() -> Clock { Clock(manualTime: -1) }
    public static func manual(at milliseconds: Int64) -> Clock {
        precondition(milliseconds >= 0, "manual clock starts at a non-negative time")
        return Clock(manualTime: milliseconds)
    }

    public var isManual: Bool { manualTime.load(ordering: .relaxed) >= 0 }

    @inlinable @inline(__always)
    public func nowMilliseconds() -> Int64 {
        let manual = manualMilliseconds
        return manual >= 0 ? manual : Clock.systemMilliseconds()
    }

    @usableFromInline var manualMilliseconds: Int64 { manualTime.load(ordering: .relaxed) }

    /// Microseconds, for TIME and latency figures.
    public func nowMicroseconds() -> Int64 {
        let manual = manualMilliseconds
        if manual >= 0 { return manual * 1000 }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    public func advance(by milliseconds: Int64) {
        precondition(isManual, "only a manual clock can be advanced")
        manualTime.add(milliseconds, ordering: .relaxed)
    }

    public func set(_ milliseconds: Int64) {
        precondition(isManual && milliseconds >= 0, "only a manual clock can be set")
        manualTime.store(milliseconds, ordering: .relaxed)
    }

    @inlinable @inline(__always)
    public static func systemMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Monotonic nanoseconds (durations, latency), never affected by a manual clock.
    public static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
