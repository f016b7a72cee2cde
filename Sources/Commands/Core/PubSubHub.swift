import Bytes
import Synchronization

/// Channel and pattern subscriptions of every client on every loop. PUBLISH looks receivers up here
/// and posts to their loops' mailboxes; it never writes to another loop's connection itself.
public final class PubSubHub: Sendable {
    public struct Subscriber: Sendable {
        public let clientID: Int
        public let mailbox: Mailbox
    }

    private struct State: Sendable {
        var channels: [[UInt8]: [Subscriber]] = [:]
        var patterns: [(pattern: [UInt8], subscriber: Subscriber)] = []
    }

    private let state = Mutex(State())
    /// Subscriptions + pattern subscriptions in force; notifications skip the lock when zero.
    private let subscriptionCount = Atomic<Int>(0)

    public init() {}

    public var isEmpty: Bool { subscriptionCount.load(ordering: .relaxed) == 0 }

    public func subscribe(_ channel: [UInt8], _ subscriber: Subscriber) {
        state.withLock { $0.channels[channel, default: []].append(subscriber) }
        subscriptionCount.add(1, ordering: .relaxed)
    }

    public func unsubscribe(_ channel: [UInt8], clientID: Int) {
        let removed = state.withLock { state -> Bool in
            guard var list = state.channels[channel], let index = list.firstIndex(where: { $0.clientID == clientID }) else {
                return false
            }
            list.remove(at: index)
            state.channels[channel] = list.isEmpty ? nil : list
            return true
        }
        if removed { subscriptionCount.subtract(1, ordering: .relaxed) }
    }

    public func psubscribe(_ pattern: [UInt8], _ subscriber: Subscriber) {
        state.withLock { $0.patterns.append((pattern, subscriber)) }
        subscriptionCount.add(1, ordering: .relaxed)
    }

    public func punsubscribe(_ pattern: [UInt8], clientID: Int) {
        let removed = state.withLock { state -> Bool in
            guard let index = state.patterns.firstIndex(where: { $0.pattern == pattern && $0.subscriber.clientID == clientID }) else {
                return false
            }
            state.patterns.remove(at: index)
            return true
        }
        if removed { subscriptionCount.subtract(1, ordering: .relaxed) }
    }

    /// Delivers `message` to every subscriber of `channel` and every matching pattern; returns how
    /// many received it (PUBLISH's reply).
    @discardableResult
    public func publish(channel: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer) -> Int {
        guard !isEmpty else { return 0 }
        let channelBytes = Array(channel)
        let payload = Array(message)
        return state.withLock { state in
            var receivers = 0
            for subscriber in state.channels[channelBytes] ?? [] {
                subscriber.mailbox.post(Delivery(clientID: subscriber.clientID, pattern: nil, channel: channelBytes, payload: payload))
                receivers += 1
            }
            for (pattern, subscriber) in state.patterns {
                let matches = pattern.withUnsafeBytes { ByteStrings.globMatch(pattern: $0, string: channel, ignoringCase: false) }
                if matches {
                    subscriber.mailbox.post(Delivery(clientID: subscriber.clientID, pattern: pattern, channel: channelBytes, payload: payload))
                    receivers += 1
                }
            }
            return receivers
        }
    }

    /// PUBSUB CHANNELS [pattern]: active channels (with at least one subscriber).
    public func channels(matching pattern: [UInt8]?) -> [[UInt8]] {
        state.withLock { state in
            state.channels.keys.filter { channel in
                guard let pattern else { return true }
                return pattern.withUnsafeBytes { p in channel.withUnsafeBytes { ByteStrings.globMatch(pattern: p, string: $0, ignoringCase: false) } }
            }
        }
    }

    public func subscriberCount(_ channel: [UInt8]) -> Int { state.withLock { $0.channels[channel]?.count ?? 0 } }
    /// PUBSUB NUMPAT: distinct patterns (two clients on the same pattern count once, as in Redis).
    public var patternCount: Int { state.withLock { Set($0.patterns.map(\.pattern)).count } }
    public var channelCount: Int { state.withLock { $0.channels.count } }
}
