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
    public init(initialCapacity: Int = 16) {
        let cap = max(initialCapacity, 1)
        ranges = .allocate(capacity: cap)
        count = 0
        capacity = cap
    }
    deinit { ranges.deallocate() }

    /// Keeps the storage: a connection parses millions of commands into the same vector.
    public mutating func removeAll() { count = 0 }

    public mutating func append(_ range: ArgumentRange) {
        if count == capacity { grow() }
        (ranges + count).initialize(to: range)
        count += 1
    }

    /// Doubling keeps appends amortised O(1); the parser bounds the total by the multibulk limit.
    private mutating func grow() {
        let newCapacity = capacity * 2
        let fresh = UnsafeMutablePointer<ArgumentRange>.allocate(capacity: newCapacity)
        fresh.moveInitialize(from: ranges, count: count)
        ranges.deallocate()
        ranges = fresh
        capacity = newCapacity
    }

    /// A borrowed view over `base` (the start of the region the ranges are relative to).
    public func arguments(base: UnsafeRawPointer) -> Arguments {
        Arguments(base: base, ranges: UnsafePointer(ranges), count: count)
    }
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
