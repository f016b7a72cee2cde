// CONTRACT STUB — the Keyspace helper replaces the bodies; public signatures are fixed.

/// Redis value types (TYPE replies these names).
public enum ValueType: UInt8, Sendable {
    case string = 0, list, set, zset, hash, stream
    public var name: StaticString {
        switch self {
        case .string: "string"
        case .list: "list"
        case .set: "set"
        case .zset: "zset"
        case .hash: "hash"
        case .stream: "stream"
        }
    }
}

/// One key's storage: a single allocation holding a fixed header, the key bytes and the value
/// bytes. `Entry` is a borrowed handle: valid only while its shard's lock is held and until the
/// entry is removed or resized.
public struct Entry: Equatable {
    public let pointer: UnsafeMutableRawPointer
    public init(pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    public var key: UnsafeRawBufferPointer { fatalError("unimplemented") }
    /// The value bytes (strings). Writable in place: the caller may change bytes but not the length
    /// (use `Shard.resizeValue` for that).
    public var value: UnsafeMutableRawBufferPointer { fatalError("unimplemented") }
    public var type: ValueType { fatalError("unimplemented") }
    /// Absolute expiry in Unix milliseconds; 0 = no expiry.
    public var expireAt: Int64 { fatalError("unimplemented") }
    /// LRU clock / LFU counter (OBJECT IDLETIME/FREQ, eviction): written by the shard on access.
    public var accessClock: UInt32 { fatalError("unimplemented") }
}
