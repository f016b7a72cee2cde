// CONTRACT STUB — the Bytes/RESP helper replaces the bodies; public signatures are fixed.

/// Where one argument lies, relative to the start of the parsed region.
public struct ArgumentRange: Sendable {
    public var offset: Int
    public var count: Int
    public init(offset: Int, count: Int) { self.offset = offset; self.count = count }
}

/// Reusable storage for the ranges of the current command's arguments (one per connection).
/// Grows up to the parser's element limit; never shrinks below its initial capacity.
public struct ArgumentVector: ~Copyable {
    public private(set) var ranges: UnsafeMutablePointer<ArgumentRange>
    public private(set) var count: Int
    public private(set) var capacity: Int
    public init(initialCapacity: Int = 16) { fatalError("unimplemented") }
    deinit { ranges.deallocate() }
    public mutating func removeAll() { fatalError("unimplemented") }
    public mutating func append(_ range: ArgumentRange) { fatalError("unimplemented") }
    /// A borrowed view over `base` (the start of the region the ranges are relative to).
    public func arguments(base: UnsafeRawPointer) -> Arguments { fatalError("unimplemented") }
}

/// A non-owning view of one command's arguments (argv). Valid only while the bytes it points into
/// are untouched: during one dispatch. Arguments are binary-safe byte strings.
public struct Arguments {
    public let base: UnsafeRawPointer
    public let ranges: UnsafePointer<ArgumentRange>
    public let count: Int
    public init(base: UnsafeRawPointer, ranges: UnsafePointer<ArgumentRange>, count: Int) {
        self.base = base; self.ranges = ranges; self.count = count
    }
    @inlinable public subscript(index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "argument index out of range")
        let r = ranges[index]
        return UnsafeRawBufferPointer(start: base + r.offset, count: r.count)
    }
}
