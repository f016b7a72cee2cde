import Bytes
import Glibc

/// The compact encodings, stored inline in an entry's value bytes (no second allocation).
///
/// listpack (small hashes): [u16 element count] then elements, each a LEB128 length and its bytes;
/// a hash alternates field, value. Like Redis's listpack it is searched linearly, which is cheap
/// for the 3–10 small fields of a session.
///
/// intset (small all-integer sets): the members as sorted little-endian Int64s, count = bytes / 8.
enum Packed {
    // MARK: listpack

    @inline(__always) static func count(_ v: UnsafeRawPointer) -> Int { Int(v.loadUnaligned(as: UInt16.self)) }
    @inline(__always) static func setCount(_ v: UnsafeMutableRawPointer, _ n: Int) {
        precondition(n <= Int(UInt16.max), "listpack count overflow")
        v.storeBytes(of: UInt16(n), as: UInt16.self)
    }

    /// Bytes a LEB128 length prefix takes.
    @inline(__always) static func prefixSize(_ n: Int) -> Int {
        var size = 1
        var rest = n >> 7
        while rest != 0 { size += 1; rest >>= 7 }
        return size
    }
    @inline(__always) static func elementSize(_ n: Int) -> Int { prefixSize(n) + n }

    /// Reads the element at `offset`: its bytes and the offset after it.
    @inline(__always)
    static func element(_ v: UnsafeRawPointer, at offset: Int) -> (UnsafeRawBufferPointer, Int) {
        var length = 0
        var shift = 0
        var i = offset
        while true {
            let byte = v.load(fromByteOffset: i, as: UInt8.self)
            i += 1
            length |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        return (UnsafeRawBufferPointer(start: v + i, count: length), i + length)
    }

    /// Writes an element at `offset`; returns the offset after it.
    @inline(__always)
    static func write(_ bytes: UnsafeRawBufferPointer, into v: UnsafeMutableRawPointer, at offset: Int) -> Int {
        var n = bytes.count
        var i = offset
        repeat {
            var byte = UInt8(n & 0x7F)
            n >>= 7
            if n != 0 { byte |= 0x80 }
            v.storeBytes(of: byte, toByteOffset: i, as: UInt8.self)
            i += 1
        } while n != 0
        if bytes.count > 0 { (v + i).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        return i + bytes.count
    }

    /// Where a hash field is: start of its field element, start and end of its value element.
    struct PairLocation { var start: Int; var valueStart: Int; var end: Int; var value: UnsafeRawBufferPointer }

    static func findPair(_ v: UnsafeRawPointer, _ field: UnsafeRawBufferPointer) -> PairLocation? {
        var offset = 2
        for _ in 0..<(count(v) / 2) {
            let (f, afterField) = element(v, at: offset)
            let (value, afterValue) = element(v, at: afterField)
            if ByteStrings.equal(f, field) {
                return PairLocation(start: offset, valueStart: afterField, end: afterValue, value: value)
            }
            offset = afterValue
        }
        return nil
    }

    static func forEachPair(_ v: UnsafeRawPointer, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        var offset = 2
        for _ in 0..<(count(v) / 2) {
            let (f, afterField) = element(v, at: offset)
            let (value, afterValue) = element(v, at: afterField)
            body(f, value)
            offset = afterValue
        }
    }

    /// The pair at `index` (0-based).
    static func pair(_ v: UnsafeRawPointer, at index: Int) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer) {
        var offset = 2
        for _ in 0..<index {
            offset = element(v, at: element(v, at: offset).1).1
        }
        let (f, afterField) = element(v, at: offset)
        return (f, element(v, at: afterField).0)
    }

    // MARK: intset

    @inline(__always) static func intsetCount(_ length: Int) -> Int { length / 8 }
    @inline(__always) static func intsetMember(_ v: UnsafeRawPointer, _ i: Int) -> Int64 {
        v.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)
    }

    /// Binary search: (found, insertion index).
    static func intsetSearch(_ v: UnsafeRawPointer, count: Int, _ x: Int64) -> (Bool, Int) {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            let m = intsetMember(v, mid)
            if m == x { return (true, mid) }
            if m < x { low = mid + 1 } else { high = mid }
        }
        return (false, low)
    }

    /// A set member as an intset value: only canonical decimal integers (Redis `string2ll`).
    @inline(__always) static func integer(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        bytes.count <= 20 ? ByteStrings.parseInt64(bytes) : nil
    }
}
