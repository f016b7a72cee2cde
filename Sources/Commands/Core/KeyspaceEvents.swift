import Synchronization

/// Keyspace notifications (`notify-keyspace-events`): Redis's event classes and the two channels
/// each event is published on. When no class is enabled a command pays one relaxed load.
public final class KeyspaceEvents: Sendable {
    public struct Classes: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let keyspace = Classes(rawValue: 1 << 0)   // K
        public static let keyevent = Classes(rawValue: 1 << 1)   // E
        public static let generic = Classes(rawValue: 1 << 2)    // g
        public static let string = Classes(rawValue: 1 << 3)     // $
        public static let list = Classes(rawValue: 1 << 4)       // l
        public static let set = Classes(rawValue: 1 << 5)        // s
        public static let hash = Classes(rawValue: 1 << 6)       // h
        public static let zset = Classes(rawValue: 1 << 7)       // z
        public static let expired = Classes(rawValue: 1 << 8)    // x
        public static let evicted = Classes(rawValue: 1 << 9)    // e
        public static let stream = Classes(rawValue: 1 << 10)    // t
        public static let keyMiss = Classes(rawValue: 1 << 11)   // m
        public static let module = Classes(rawValue: 1 << 12)    // d
        public static let newKey = Classes(rawValue: 1 << 13)    // n
        /// "A": every class but m and n.
        public static let all: Classes = [.generic, .string, .list, .set, .hash, .zset, .expired, .evicted, .stream, .module]
    }

    private let enabled = Atomic<Int>(0)
    private let hub: PubSubHub

    public init(hub: PubSubHub) { self.hub = hub }

    public var classes: Classes {
        get { Classes(rawValue: enabled.load(ordering: .relaxed)) }
        set { enabled.store(newValue.rawValue, ordering: .relaxed) }
    }

    /// Publishes `event` for `key` in `database` if its class is enabled (Redis `notifyKeyspaceEvent`).
    @inline(__always)
    public func notify(_ type: Classes, _ event: StaticString, key: UnsafeRawBufferPointer, database: Int) {
        let flags = enabled.load(ordering: .relaxed)
        guard flags & type.rawValue != 0, flags & (Classes.keyspace.rawValue | Classes.keyevent.rawValue) != 0 else { return }
        publish(Classes(rawValue: flags), event, key: key, database: database)
    }

    /// Whether `notify(type, ...)` would publish: for events that need extra work to decide (MSET
    /// must look a key up to know whether it fires "new"), so that work is skipped when disabled.
    @inline(__always)
    public func isEnabled(_ type: Classes) -> Bool {
        let flags = enabled.load(ordering: .relaxed)
        return flags & type.rawValue != 0 && flags & (Classes.keyspace.rawValue | Classes.keyevent.rawValue) != 0
    }

    private func publish(_ flags: Classes, _ event: StaticString, key: UnsafeRawBufferPointer, database: Int) {
        let eventBytes = UnsafeRawBufferPointer(start: event.utf8Start, count: event.utf8CodeUnitCount)
        if flags.contains(.keyspace) {
            let channel = Array("__keyspace@\(database)__:".utf8) + Array(key)
            channel.withUnsafeBytes { _ = hub.publish(channel: $0, message: eventBytes) }
        }
        if flags.contains(.keyevent) {
            let channel = Array("__keyevent@\(database)__:".utf8) + Array(eventBytes)
            channel.withUnsafeBytes { _ = hub.publish(channel: $0, message: key) }
        }
    }

    /// Parses Redis's flag letters; nil for an unknown character.
    public static func parse(_ text: String) -> Classes? {
        var classes: Classes = []
        for character in text {
            switch character {
            case "A": classes.formUnion(.all)
            case "g": classes.insert(.generic)
            case "$": classes.insert(.string)
            case "l": classes.insert(.list)
            case "s": classes.insert(.set)
            case "h": classes.insert(.hash)
            case "z": classes.insert(.zset)
            case "x": classes.insert(.expired)
            case "e": classes.insert(.evicted)
            case "K": classes.insert(.keyspace)
            case "E": classes.insert(.keyevent)
            case "t": classes.insert(.stream)
            case "m": classes.insert(.keyMiss)
            case "d": classes.insert(.module)
            case "n": classes.insert(.newKey)
            default: return nil
            }
        }
        return classes
    }

    /// Redis `keyspaceEventsFlagsToString` (CONFIG GET).
    public static func render(_ classes: Classes) -> String {
        var text = ""
        if classes.isSuperset(of: .all) {
            text = "A"
        } else {
            let letters: [(Classes, String)] = [(.generic, "g"), (.string, "$"), (.list, "l"), (.set, "s"), (.hash, "h"),
                                                (.zset, "z"), (.expired, "x"), (.evicted, "e"), (.stream, "t"),
                                                (.module, "d"), (.newKey, "n")]
            for (flag, letter) in letters where classes.contains(flag) { text += letter }
        }
        if classes.contains(.keyspace) { text += "K" }
        if classes.contains(.keyevent) { text += "E" }
        if classes.contains(.keyMiss) { text += "m" }
        return text
    }
}
