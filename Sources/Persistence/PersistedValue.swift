// The neutral value model the RDB and AOF codecs work on. Persistence never sees the keyspace:
// the server converts its entries into these (or, for strings, hands raw bytes straight to
// `RDBWriter.writeString`), so the formats can be tested and evolved on their own.

/// One value as it appears in a dump. Orders are whatever the producer iterated; Redis does not
/// promise any order either (hash tables), except intsets, which the writer sorts.
public enum PersistedValue: Equatable, Sendable {
    case string([UInt8])
    case hash([HashField])
    case set([[UInt8]])

    /// A hash field and its value (a struct rather than a tuple so the enum stays Equatable).
    public struct HashField: Equatable, Sendable {
        public var field: [UInt8]
        public var value: [UInt8]
        public init(_ field: [UInt8], _ value: [UInt8]) { self.field = field; self.value = value }
    }
}

/// One key as loaded from (or written to) a dump.
///
/// Loading hands these to a callback one at a time instead of returning an array: a dump with
/// millions of keys then never holds more than one decoded key besides the keyspace itself, and the
/// caller can insert, drop expired keys (a master drops them at load, a replica keeps them) or stop.
public struct PersistedKey: Equatable, Sendable {
    public var database: Int
    public var key: [UInt8]
    public var value: PersistedValue
    /// Absolute Unix time in milliseconds; 0 means no expiry.
    public var expireAtMilliseconds: Int64

    public init(database: Int, key: [UInt8], value: PersistedValue, expireAtMilliseconds: Int64 = 0) {
        self.database = database
        self.key = key
        self.value = value
        self.expireAtMilliseconds = expireAtMilliseconds
    }
}

/// Every failure of the persistence layer. Offsets are byte offsets from the start of the file, so
/// an operator can look at the spot with `xxd -s`.
public enum PersistenceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed (errno and what we were doing).
    case io(operation: String, errno: Int32)
    /// The bytes do not follow the format at `offset`.
    case corrupt(offset: Int, reason: String)
    /// The file ends inside a record that starts or continues at `offset`.
    case truncated(offset: Int)
    /// A value type this server does not store (lists, sorted sets, streams, modules): reported by
    /// key rather than dropped, so an operator knows exactly what would be lost.
    case unsupportedType(key: [UInt8], type: UInt8, typeName: String, offset: Int)
    /// The trailing CRC64 does not match the contents.
    case checksumMismatch(expected: UInt64, computed: UInt64)

    public var description: String {
        switch self {
        case let .io(operation, errno): return "\(operation) failed (errno \(errno))"
        case let .corrupt(offset, reason): return "corrupt file at byte \(offset): \(reason)"
        case let .truncated(offset): return "unexpected end of file in the record at byte \(offset)"
        case let .unsupportedType(key, type, name, offset):
            let printable = String(decoding: key, as: UTF8.self)
            return "key '\(printable)' at byte \(offset) has unsupported type \(name) (\(type))"
        case let .checksumMismatch(expected, computed):
            return "RDB checksum mismatch: file says \(hex(expected)), contents give \(hex(computed))"
        }
    }

    private func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}

/// `Array.withUnsafeBytes` is `rethrows` (untyped); this keeps typed throws through the closure.
@inline(__always)
func withBytes<R>(_ array: [UInt8],
                  _ body: (UnsafeRawBufferPointer) throws(PersistenceError) -> R) throws(PersistenceError) -> R {
    let result: Result<R, PersistenceError> = array.withUnsafeBytes { b in
        Result { () throws(PersistenceError) -> R in try body(b) }
    }
    return try result.get()
}
