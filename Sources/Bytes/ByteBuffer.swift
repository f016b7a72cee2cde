// CONTRACT STUB — the Bytes/RESP helper replaces the bodies; public signatures are fixed
// (additions are fine, changes must be agreed).
import Glibc

/// A growable byte buffer that owns malloc'd memory, with a reader and a writer index.
/// Readable bytes are `[readerIndex, writerIndex)`; writable space is `[writerIndex, capacity)`.
/// Non-copyable so that exactly one owner (a connection, a writer) frees it.
public struct ByteBuffer: ~Copyable {
    public private(set) var base: UnsafeMutableRawPointer
    public private(set) var capacity: Int
    public var readerIndex: Int
    public var writerIndex: Int

    public init(capacity: Int) { fatalError("unimplemented") }
    deinit { free(base) }

    @inlinable public var readableBytes: Int { writerIndex - readerIndex }
    @inlinable public var writableBytes: Int { capacity - writerIndex }
    /// A view of the readable bytes, valid until the next mutation.
    public var readableView: UnsafeRawBufferPointer { fatalError("unimplemented") }
    /// Ensures at least `count` writable bytes (amortised doubling).
    public mutating func reserveWritable(_ count: Int) { fatalError("unimplemented") }
    /// Pointer to the writable region; call `commitWritten` after filling it.
    public var writePointer: UnsafeMutableRawPointer { fatalError("unimplemented") }
    public mutating func commitWritten(_ count: Int) { fatalError("unimplemented") }
    public mutating func consume(_ count: Int) { fatalError("unimplemented") }
    public mutating func write(_ bytes: UnsafeRawBufferPointer) { fatalError("unimplemented") }
    public mutating func write(_ string: StaticString) { fatalError("unimplemented") }
    public mutating func write(byte: UInt8) { fatalError("unimplemented") }
    /// Writes `value` in ASCII decimal.
    public mutating func writeDecimal(_ value: Int) { fatalError("unimplemented") }
    /// Moves the readable bytes to the front (readerIndex becomes 0).
    public mutating func compact() { fatalError("unimplemented") }
    /// readerIndex = writerIndex = 0.
    public mutating func clear() { fatalError("unimplemented") }
    /// Releases memory above `capacity` when the buffer is empty (idle connections give memory back).
    public mutating func shrinkIfEmpty(to capacity: Int) { fatalError("unimplemented") }
}
