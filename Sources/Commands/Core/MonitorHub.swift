import Synchronization

/// Clients in MONITOR mode across all loops. The dispatcher formats one line per executed command
/// and posts it to each monitor's loop mailbox, like a pub/sub message; with no monitor the cost
/// is one relaxed atomic load per command.
public final class MonitorHub: Sendable {
    private let monitors = Mutex<[PubSubHub.Subscriber]>([])
    private let count = Atomic<Int>(0)
    /// At most this many monitors at once (every one multiplies the work of every command).
    public static let monitorsMax = 1024

    public init() {}

    @inline(__always) public var isActive: Bool { count.load(ordering: .relaxed) > 0 }

    /// False when the limit is reached.
    public func add(_ subscriber: PubSubHub.Subscriber) -> Bool {
        monitors.withLock { list in
            guard list.count < MonitorHub.monitorsMax else { return false }
            list.append(subscriber)
            count.store(list.count, ordering: .relaxed)
            return true
        }
    }

    public func remove(clientID: Int) {
        monitors.withLock { list in
            list.removeAll { $0.clientID == clientID }
            count.store(list.count, ordering: .relaxed)
        }
    }

    /// Posts `line` (without "+" and CRLF) to every monitor.
    public func feed(_ line: [UInt8]) {
        monitors.withLock { list in
            for monitor in list { monitor.mailbox.post(Delivery(monitorLine: line, clientID: monitor.clientID)) }
        }
    }
}
