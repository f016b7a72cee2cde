import Bytes
import CLinux
import Glibc

/// How a hash or set is represented (OBJECT ENCODING). Strings are `.raw`: their encoding name is
/// derived from the bytes (int / embstr / raw), as Redis would have chosen it.
public enum ValueEncoding: UInt8, Sendable {
    case raw = 0, listpack, intset, hashtable

    /// Redis 7.0 defaults: hash-max-listpack-entries / -value, set-max-intset-entries.
    public static let listpackEntriesMax = 128
    public static let listpackValueMax = 64
    public static let intsetEntriesMax = 512
}

/// Read access to hashes and sets (shard lock held). Elements are (field, value) pairs; a set
/// member is a field with an empty value. Intset members are formatted into a stack buffer, so
/// the bytes passed to `body` are valid only during the call.
extension Entry {
    public var encoding: ValueEncoding {
        guard let e = ValueEncoding(rawValue: EntryLayout.encoding(pointer)) else { preconditionFailure("corrupt encoding byte") }
        return e
    }

    /// Hash fields or set members.
    public var elementCount: Int {
        switch encoding {
        case .raw: return 0
        case .listpack: return Packed.count(EntryLayout.valueStart(pointer)) / 2
        case .intset: return Packed.intsetCount(Int(EntryLayout.valueLength(pointer)))
        case .hashtable: return EntryLayout.object(pointer).pointee.count
        }
    }

    public func forEachElement(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        let v = EntryLayout.valueStart(pointer)
        switch encoding {
        case .raw: return
        case .listpack: Packed.forEachPair(v, body)
        case .intset:
            for i in 0..<elementCount { Entry.withFormatted(Packed.intsetMember(v, i)) { body($0, Entry.emptyBytes) } }
        case .hashtable: EntryLayout.object(pointer).pointee.forEach(body)
        }
    }

    /// The element at a uniformly random position; `next` supplies random bits (count > 0).
    public func randomElement(_ next: () -> UInt64, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        let n = elementCount
        precondition(n > 0, "random element of an empty collection")
        let v = EntryLayout.valueStart(pointer)
        switch encoding {
        case .raw: return
        case .listpack:
            let (f, value) = Packed.pair(v, at: Int(next() % UInt64(n)))
            body(f, value)
        case .intset: Entry.withFormatted(Packed.intsetMember(v, Int(next() % UInt64(n)))) { body($0, Entry.emptyBytes) }
        case .hashtable:
            let e = EntryLayout.object(pointer).pointee.random(next)
            body(FieldTable.field(e), FieldTable.value(e))
        }
    }

    /// A hash field's value, or nil.
    public func hashValue(_ field: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        switch encoding {
        case .listpack: return Packed.findPair(EntryLayout.valueStart(pointer), field)?.value
        case .hashtable:
            guard let e = EntryLayout.object(pointer).pointee.lookup(field) else { return nil }
            return FieldTable.value(e)
        default: return nil
        }
    }

    public func setContains(_ member: UnsafeRawBufferPointer) -> Bool {
        switch encoding {
        case .intset:
            guard let x = Packed.integer(member) else { return false }
            return Packed.intsetSearch(EntryLayout.valueStart(pointer), count: elementCount, x).0
        case .hashtable: return EntryLayout.object(pointer).pointee.lookup(member) != nil
        default: return false
        }
    }

    /// One HSCAN/SSCAN step. Compact encodings are returned whole with next cursor 0 (as Redis does);
    /// a hashtable resumes at a position in hash space.
    public func scanElements(cursor: UInt64, count: Int,
                             _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> UInt64 {
        guard encoding == .hashtable else {
            forEachElement(visit)
            return 0
        }
        return EntryLayout.object(pointer).pointee.scan(from: cursor, count: count, visit)
    }

    /// Bytes owned outside the entry's own allocation (the hashtable object), for MEMORY USAGE.
    public var objectBytes: Int { EntryLayout.hasObject(pointer) ? EntryLayout.object(pointer).pointee.bytes : 0 }
    /// The entry's allocation (header + key + value), for MEMORY USAGE.
    public var allocationBytes: Int { tessera_malloc_usable_size(pointer) }

    static var emptyBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    @inline(__always)
    static func withFormatted(_ x: Int64, _ body: (UnsafeRawBufferPointer) -> Void) {
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { buffer in
            let n = ByteStrings.formatInt64(x, into: buffer)
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}
