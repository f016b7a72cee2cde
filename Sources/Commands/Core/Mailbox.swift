import Synchronization

/// A message for a subscriber: what PUBLISH (or a keyspace notification) hands to the worker that
/// owns the subscribing connection. Payloads are copied once here; the publisher never touches
/// another thread's connection.
public struct Delivery: Sendable {
    public let clientID: Int
    /// nil for "message", the matching pattern for "pmessage".
    public let pattern: [UInt8]?
    public let channel: [UInt8]
    public let payload: [UInt8]
    /// A MONITOR line (in `payload`) rather than a pub/sub message.
    public let isMonitorLine: Bool

    public init(clientID: Int, pattern: [UInt8]?, channel: [UInt8], payload: [UInt8]) {
        self.clientID = clientID
        self.pattern = pattern
        self.channel = channel
        self.payload = payload
        isMonitorLine = false
    }

    public init(monitorLine: [UInt8], clientID: Int) {
        self.clientID = clientID
        pattern = nil
        channel = []
        payload = monitorLine
        isMonitorLine = true
    }
}

/// One per event loop: other threads post deliveries and wake the loop once per burst.
public final class Mailbox: Sendable {
    private let queue = Mutex<[Delivery]>([])
    private let pending = Atomic<Bool>(false)
    private let wake: @Sendable () -> Void
    /// Deliveries waiting beyond this are dropped for their subscriber (a bound on every queue);
    /// client-output-buffer-limit for pubsub clients does the rest.
    public static let capacity = 1 << 20

    public init(wake: @escaping @Sendable () -> Void) { self.wake = wake }

    public func post(_ delivery: Delivery) {
        let accepted = queue.withLock { queue -> Bool in
            guard queue.count < Mailbox.capacity else { return false }
            queue.append(delivery)
            return true
        }
        if accepted && !pending.exchange(true, ordering: .acquiringAndReleasing) { wake() }
    }

    /// True when deliveries may be waiting (a cheap check for the loop).
    public var hasPending: Bool { pending.load(ordering: .relaxed) }

    public func drain() -> [Delivery] {
        pending.store(false, ordering: .releasing)
        return queue.withLock { queue in
            defer { queue.removeAll(keepingCapacity: queue.count < 1024) }
            return queue
        }
    }
}
