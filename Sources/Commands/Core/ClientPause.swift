import Synchronization

/// CLIENT PAUSE state (Redis pauseClients): until `end` (Unix ms), either every command or only
/// those that write are postponed — held unexecuted in their connection's input, not rejected —
/// and run once the pause ends or CLIENT UNPAUSE lifts it. While no pause is set, the event loop
/// pays one relaxed atomic load per command.
public final class ClientPause: Sendable {
    /// 0 = not paused.
    private let end = Atomic<Int64>(0)
    private let all = Atomic<Bool>(false)

    public init() {}

    /// A pause may be in force (cheap check before `postpones`).
    @inline(__always) public var mayBeActive: Bool { end.load(ordering: .relaxed) != 0 }

    /// Redis: the more restrictive mode and the later end win over a pause already in force.
    public func pause(until deadline: Int64, all pauseAll: Bool) {
        if pauseAll { all.store(true, ordering: .relaxed) }
        var current = end.load(ordering: .relaxed)
        while deadline > current {
            let (exchanged, original) = end.compareExchange(expected: current, desired: deadline, ordering: .acquiringAndReleasing)
            if exchanged { break }
            current = original
        }
    }

    public func unpause() {
        end.store(0, ordering: .releasing)
        all.store(false, ordering: .relaxed)
    }

    /// The mode in force at `now`: nil when not paused (an expired pause is cleared here).
    public func mode(now: Int64) -> Mode? {
        let deadline = end.load(ordering: .acquiring)
        guard deadline != 0 else { return nil }
        guard now < deadline else {
            if end.compareExchange(expected: deadline, desired: 0, ordering: .acquiringAndReleasing).exchanged {
                all.store(false, ordering: .relaxed)
            }
            return nil
        }
        return all.load(ordering: .relaxed) ? .all : .write
    }

    public enum Mode: Sendable { case write, all }
}
