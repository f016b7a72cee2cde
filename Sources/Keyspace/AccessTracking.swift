import Synchronization

/// How entries' access clocks are kept: an LRU timestamp (Unix time in 4 ms ticks, 32 bits) or, under an LFU
/// maxmemory policy, Redis's LFU word (16 bits of minutes when last decremented, 8 bits of
/// logarithmic counter). Like Redis, switching policy at run time reinterprets old clocks, which
/// "take some time to adjust".
public final class AccessTracking: Sendable {
    private let lfuMode = Atomic<Bool>(false)
    private let logFactorValue = Atomic<Int>(10)
    private let decayMinutesValue = Atomic<Int>(1)

    public init() {}

    @inline(__always) public var isLFU: Bool { lfuMode.load(ordering: .relaxed) }
    public var logFactor: Int { logFactorValue.load(ordering: .relaxed) }
    public var decayMinutes: Int { decayMinutesValue.load(ordering: .relaxed) }

    /// `maxmemory-policy` (LFU or not), `lfu-log-factor`, `lfu-decay-time`.
    public func configure(lfu: Bool, logFactor: Int, decayMinutes: Int) {
        lfuMode.store(lfu, ordering: .relaxed)
        logFactorValue.store(logFactor, ordering: .relaxed)
        decayMinutesValue.store(decayMinutes, ordering: .relaxed)
    }

    /// The LRU clock at Unix ms `now`.
    @inline(__always) public static func lruTicks(now: Int64) -> UInt32 { UInt32(truncatingIfNeeded: now >> 2) }
    /// Milliseconds between an LRU stamp and `now` (modulo the clock's wrap).
    @inline(__always) public static func idleMilliseconds(_ stamp: UInt32, now: Int64) -> Int {
        Int(lruTicks(now: now) &- stamp) << 2
    }

    /// Redis LFU_INIT_VAL: new keys start at 5 so they are not evicted before they had a chance.
    static let initialCounter: UInt32 = 5

    /// The LFU word for a new entry at `seconds`.
    @inline(__always) static func freshLFU(seconds: UInt32) -> UInt32 {
        (minutes(seconds) << 8) | initialCounter
    }

    @inline(__always) static func minutes(_ seconds: UInt32) -> UInt32 { (seconds / 60) & 0xFFFF }

    /// Redis `LFUDecrAndReturn`: the counter after one decrement per `decay` minutes elapsed.
    public static func decayedCounter(_ word: UInt32, nowSeconds: UInt32, decayMinutes: Int) -> Int {
        let then = (word >> 8) & 0xFFFF
        let now = minutes(nowSeconds)
        let elapsed = now >= then ? now - then : 65535 - then + now
        let counter = Int(word & 0xFF)
        let periods = decayMinutes > 0 ? Int(elapsed) / decayMinutes : 0
        return periods > counter ? 0 : counter - periods
    }

    /// Redis `updateLFU`: decay, then a logarithmic increment (probability 1 / (base·factor + 1)).
    static func touchedLFU(_ word: UInt32, nowSeconds: UInt32, decayMinutes: Int, logFactor: Int,
                           random: UInt64) -> UInt32 {
        var counter = decayedCounter(word, nowSeconds: nowSeconds, decayMinutes: decayMinutes)
        if counter < 255 {
            let base = max(0, counter - Int(initialCounter))
            let p = 1.0 / Double(base * logFactor + 1)
            let r = Double(random >> 11) / Double(1 << 53)
            if r < p { counter += 1 }
        }
        return (minutes(nowSeconds) << 8) | UInt32(counter)
    }
}

extension Shard {
    /// Stamps an access: the LRU clock, or an LFU decay-and-increment. The mode is the one
    /// `refreshAccessMode` read at this command's lookup (one atomic load per lookup, not two).
    @inline(__always) func touchAccess(_ p: UnsafeMutableRawPointer) {
        guard core.pointee.lfuMode, let tracking = keyspace?.accessTracking else {
            EntryLayout.setAccessClock(p, core.pointee.clockTicks)
            return
        }
        let word = AccessTracking.touchedLFU(EntryLayout.accessClock(p), nowSeconds: core.pointee.clockSeconds,
                                             decayMinutes: tracking.decayMinutes, logFactor: tracking.logFactor,
                                             random: core.pointee.nextRandom())
        EntryLayout.setAccessClock(p, word)
    }

    /// Keeps the stamp new entries get in step with the policy (read before allocating).
    @inline(__always) func refreshAccessMode() {
        core.pointee.lfuMode = keyspace?.accessTracking.isLFU ?? false
    }
}
