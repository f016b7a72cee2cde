import Glibc

/// A growable byte buffer that owns malloc'd memory, with a reader and a writer index.
/// Readable bytes are `[readerIndex, writerIndex)`; writable space is `[writerIndex, capacity)`.
/// Non-copyable so that exactly one owner (a connection, a writer) frees it.
///
/// Growth never moves bytes between indices (no implicit compaction): callers such as the reply
/// writer keep absolute offsets into the buffer (deferred headers), so only `compact()`,
/// `consume()` and `clear()` may shift or reset indices.
public struct ByteBuffer: ~Copyable {
    public private(set) var base: UnsafeMutableRawPointer
    public private(set) var capacity: Int
    public var readerIndex: Int
    public var writerIndex: Int

    public init(capacity: Int) {
        let cap = Swift.max(capacity, 16)
        guard let p = malloc(cap) else { fatalError("ByteBuffer: out of memory (\(cap) bytes)") }
        base = p
        self.capacity = cap
        readerIndex = 0
        writerIndex = 0
    }
    deinit { free(base) }

    @inlinable public var readableBytes: Int { writerIndex - readerIndex }
    @inlinable public var writableBytes: Int { capacity - writerIndex }

    /// A view of the readable bytes, valid until the next mutation.
    @inlinable public var readableView: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + readerIndex, count: writerIndex - readerIndex)
    }

    /// Ensures at least `count` writable bytes (amortised doubling).
    @inlinable public mutating func reserveWritable(_ count: Int) {
        if capacity - writerIndex < count { grow(minimumWritable: count) }
    }

    /// Out of line so the inlined write paths stay small.
    @usableFromInline mutating func grow(minimumWritable count: Int) {
        precondition(count >= 0, "negative reservation")
        let needed = writerIndex + count
        var newCapacity = Swift.max(capacity, 16)
        while newCapacity < needed { newCapacity = newCapacity &* 2 }
        guard let p = realloc(base, newCapacity) else {
            fatalError("ByteBuffer: out of memory (\(newCapacity) bytes)")
        }
        base = p
        capacity = newCapacity
    }

    /// Pointer to the writable region; call `commitWritten` after filling it.
    @inlinable public var writePointer: UnsafeMutableRawPointer { base + writerIndex }

    @inlinable public mutating func commitWritten(_ count: Int) {
        precondition(count >= 0 && count <= capacity - writerIndex, "commit beyond capacity")
        writerIndex += count
    }

    /// Advances the reader. When everything has been read both indices return to 0, which is
    /// free compaction: the common "whole reply flushed" case never needs a memmove.
    @inlinable public mutating func consume(_ count: Int) {
        precondition(count >= 0 && count <= writerIndex - readerIndex, "consume beyond readable bytes")
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    @inlinable public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0, let src = bytes.baseAddress else { return }
        reserveWritable(n)
        (base + writerIndex).copyMemory(from: src, byteCount: n)
        writerIndex += n
    }

    @inlinable public mutating func write(_ string: StaticString) {
        string.withUTF8Buffer { write(UnsafeRawBufferPointer($0)) }
    }

    @inlinable public mutating func write(byte: UInt8) {
        reserveWritable(1)
        (base + writerIndex).storeBytes(of: byte, as: UInt8.self)
        writerIndex += 1
    }

    /// Writes `value` in ASCII decimal.
    @inlinable public mutating func writeDecimal(_ value: Int) {
        reserveWritable(ByteBuffer.maxDecimalLength)
        writerIndex += ByteBuffer.formatDecimal(value, into: (base + writerIndex).assumingMemoryBound(to: UInt8.self))
    }

    /// Longest decimal Int ("-9223372036854775808").
    @inlinable public static var maxDecimalLength: Int { 20 }

    /// Writes `value` in ASCII decimal at `p` (room for `maxDecimalLength` bytes); returns the length.
    /// Digits are produced right to left straight into place: no temporary, no String. Lengths below
    /// 1000 (bulk headers of session values, small integers) skip the digit counting.
    @inlinable @inline(__always)
    public static func formatDecimal(_ value: Int, into p: UnsafeMutablePointer<UInt8>) -> Int {
        if UInt(bitPattern: value) < 10 {
            p[0] = UInt8(truncatingIfNeeded: value) &+ 48
            return 1
        }
        if UInt(bitPattern: value) < 1000 {
            let v = UInt(bitPattern: value)
            if v < 100 {
                p[0] = UInt8(truncatingIfNeeded: v / 10) &+ 48
                p[1] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                return 2
            }
            p[0] = UInt8(truncatingIfNeeded: v / 100) &+ 48
            p[1] = UInt8(truncatingIfNeeded: (v / 10) % 10) &+ 48
            p[2] = UInt8(truncatingIfNeeded: v % 10) &+ 48
            return 3
        }
        let negative = value < 0
        var magnitude = value.magnitude
        let digits = ByteBuffer.decimalDigitCount(magnitude)
        let total = digits + (negative ? 1 : 0)
        if negative { p[0] = UInt8(ascii: "-") }
        var i = total - 1
        repeat {
            let (q, r) = magnitude.quotientAndRemainder(dividingBy: 10)
            p[i] = UInt8(truncatingIfNeeded: r) &+ 48
            magnitude = q
            i -= 1
        } while magnitude != 0
        return total
    }

    @inlinable static func decimalDigitCount(_ v: UInt) -> Int {
        var n = 1
        var x = v
        while x >= 10_000 { x /= 10_000; n += 4 }
        while x >= 10 { x /= 10; n += 1 }
        return n
    }

    /// Moves the readable bytes to the front (readerIndex becomes 0).
    public mutating func compact() {
        let n = readableBytes
        if readerIndex == 0 { return }
        if n > 0 { memmove(base, base + readerIndex, n) }
        readerIndex = 0
        writerIndex = n
    }

    /// readerIndex = writerIndex = 0.
    @inlinable public mutating func clear() {
        readerIndex = 0
        writerIndex = 0
    }

    /// Releases memory above `capacity` when the buffer is empty (idle connections give memory back).
    public mutating func shrinkIfEmpty(to capacity: Int) {
        guard readerIndex == writerIndex else { return }
        readerIndex = 0
        writerIndex = 0
        let target = Swift.max(capacity, 16)
        guard self.capacity > target else { return }
        // realloc to a smaller size cannot fail in glibc, but be defensive: keep the old block.
        guard let p = realloc(base, target) else { return }
        base = p
        self.capacity = target
    }
}
