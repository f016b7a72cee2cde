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
///
/// Layout (see `EntryLayout`): 32-byte header, then `keyLength` key bytes, then `valueLength`
/// value bytes, all in one malloc block so a lookup touches one allocation.
public struct Entry: Equatable {
    public let pointer: UnsafeMutableRawPointer
    public init(pointer: UnsafeMutableRawPointer) { self.pointer = pointer }

    public var key: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer + EntryLayout.headerSize, count: Int(EntryLayout.keyLength(pointer)))
    }
    /// The value bytes (strings). Writable in place: the caller may change bytes but not the length
    /// (use `Shard.resizeValue` for that).
    public var value: UnsafeMutableRawBufferPointer {
        let keyLength = Int(EntryLayout.keyLength(pointer))
        return UnsafeMutableRawBufferPointer(start: pointer + EntryLayout.headerSize + keyLength,
                                             count: Int(EntryLayout.valueLength(pointer)))
    }
    public var type: ValueType {
        // Only the shard writes this byte, always from a ValueType, so a bad value is corruption.
        guard let type = ValueType(rawValue: EntryLayout.type(pointer)) else {
            preconditionFailure("corrupt entry type byte")
        }
        return type
    }
    /// Absolute expiry in Unix milliseconds; 0 = no expiry.
    public var expireAt: Int64 { EntryLayout.expireAt(pointer) }
    /// LRU clock / LFU counter (OBJECT IDLETIME/FREQ, eviction): written by the shard on access.
    /// LRU: Unix time in 4 ms ticks (truncated to 32 bits) of the last `find`; LFU: see AccessTracking.
    public var accessClock: UInt32 { EntryLayout.accessClock(pointer) }
}

/// Byte offsets of the 32-byte entry header. Kept in one place so the layout is auditable:
///
///     0  expireAt    Int64   Unix ms, 0 = none
///     8  keyLength   UInt32
///    12  valueLength UInt32
///    16  wheelSlot   UInt32  timing-wheel slot, UInt32.max = not scheduled
///    20  wheelIndex  UInt32  index inside that slot's array (O(1) swap-remove)
///    24  accessClock UInt32
///    28  type        UInt8   ValueType raw value
///    29  tableID     UInt8   physical table (SWAPDB permutes db -> table, entries keep this)
///    30  flags       UInt8
///    31  spare       UInt8
enum EntryLayout {
    static let headerSize = 32
    static let notScheduled = UInt32.max

    @inline(__always) static func expireAt(_ p: UnsafeMutableRawPointer) -> Int64 {
        p.load(fromByteOffset: 0, as: Int64.self)
    }
    @inline(__always) static func setExpireAt(_ p: UnsafeMutableRawPointer, _ v: Int64) {
        p.storeBytes(of: v, toByteOffset: 0, as: Int64.self)
    }
    @inline(__always) static func keyLength(_ p: UnsafeMutableRawPointer) -> UInt32 {
        p.load(fromByteOffset: 8, as: UInt32.self)
    }
    @inline(__always) static func valueLength(_ p: UnsafeMutableRawPointer) -> UInt32 {
        p.load(fromByteOffset: 12, as: UInt32.self)
    }
    @inline(__always) static func setValueLength(_ p: UnsafeMutableRawPointer, _ v: UInt32) {
        p.storeBytes(of: v, toByteOffset: 12, as: UInt32.self)
    }
    @inline(__always) static func wheelSlot(_ p: UnsafeMutableRawPointer) -> UInt32 {
        p.load(fromByteOffset: 16, as: UInt32.self)
    }
    @inline(__always) static func wheelIndex(_ p: UnsafeMutableRawPointer) -> UInt32 {
        p.load(fromByteOffset: 20, as: UInt32.self)
    }
    @inline(__always) static func setWheel(_ p: UnsafeMutableRawPointer, slot: UInt32, index: UInt32) {
        p.storeBytes(of: slot, toByteOffset: 16, as: UInt32.self)
        p.storeBytes(of: index, toByteOffset: 20, as: UInt32.self)
    }
    @inline(__always) static func setWheelIndex(_ p: UnsafeMutableRawPointer, _ index: UInt32) {
        p.storeBytes(of: index, toByteOffset: 20, as: UInt32.self)
    }
    @inline(__always) static func accessClock(_ p: UnsafeMutableRawPointer) -> UInt32 {
        p.load(fromByteOffset: 24, as: UInt32.self)
    }
    @inline(__always) static func setAccessClock(_ p: UnsafeMutableRawPointer, _ v: UInt32) {
        p.storeBytes(of: v, toByteOffset: 24, as: UInt32.self)
    }
    @inline(__always) static func type(_ p: UnsafeMutableRawPointer) -> UInt8 {
        p.load(fromByteOffset: 28, as: UInt8.self)
    }
    @inline(__always) static func setType(_ p: UnsafeMutableRawPointer, _ type: ValueType) {
        p.storeBytes(of: type.rawValue, toByteOffset: 28, as: UInt8.self)
    }
    @inline(__always) static func encoding(_ p: UnsafeMutableRawPointer) -> UInt8 {
        p.load(fromByteOffset: 30, as: UInt8.self)
    }
    @inline(__always) static func setEncoding(_ p: UnsafeMutableRawPointer, _ encoding: ValueEncoding) {
        p.storeBytes(of: encoding.rawValue, toByteOffset: 30, as: UInt8.self)
    }
    /// The hashtable object of a hash or set whose encoding is `.hashtable`.
    @inline(__always) static func object(_ p: UnsafeMutableRawPointer) -> UnsafeMutablePointer<FieldTable> {
        valueStart(p).loadUnaligned(as: UnsafeMutablePointer<FieldTable>.self)
    }
    @inline(__always) static func hasObject(_ p: UnsafeMutableRawPointer) -> Bool {
        type(p) != ValueType.string.rawValue && encoding(p) == ValueEncoding.hashtable.rawValue
    }
    @inline(__always) static func tableID(_ p: UnsafeMutableRawPointer) -> Int {
        Int(p.load(fromByteOffset: 29, as: UInt8.self))
    }
    @inline(__always) static func keyBytes(_ p: UnsafeMutableRawPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: p + headerSize, count: Int(keyLength(p)))
    }
    @inline(__always) static func valueStart(_ p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        p + headerSize + Int(keyLength(p))
    }

    /// Writes a fresh header (not scheduled, access clock 0).
    static func initialize(_ p: UnsafeMutableRawPointer, keyLength: Int, valueLength: Int,
                           expireAt: Int64, type: ValueType, tableID: Int) {
        p.storeBytes(of: expireAt, toByteOffset: 0, as: Int64.self)
        p.storeBytes(of: UInt32(keyLength), toByteOffset: 8, as: UInt32.self)
        p.storeBytes(of: UInt32(valueLength), toByteOffset: 12, as: UInt32.self)
        setWheel(p, slot: notScheduled, index: 0)
        p.storeBytes(of: UInt32(0), toByteOffset: 24, as: UInt32.self)
        p.storeBytes(of: type.rawValue, toByteOffset: 28, as: UInt8.self)
        p.storeBytes(of: UInt8(tableID), toByteOffset: 29, as: UInt8.self)
        p.storeBytes(of: UInt16(0), toByteOffset: 30, as: UInt16.self)
    }

    /// Total allocation size for a key and value; traps rather than truncating lengths into the
    /// 32-bit header fields.
    static func allocationSize(keyLength: Int, valueLength: Int) -> Int {
        precondition(keyLength >= 0 && keyLength <= Int(UInt32.max), "key too long")
        precondition(valueLength >= 0 && valueLength <= Int(UInt32.max), "value too long")
        return headerSize + keyLength + valueLength
    }
}
