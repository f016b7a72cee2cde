import Bytes

// Builders for the two compact blobs Redis 7.0 stores inside RDB strings: listpacks (small hashes)
// and intsets (small integer sets). Layouts follow listpack.c and intset.c; everything is
// little-endian.

enum ListpackBuilder {
    /// Appends one listpack entry (encoding, data, backlen) for `element` to `out`, choosing the
    /// integer encodings exactly as lpEncodeGetType does for strings that are canonical integers.
    static func appendEntry(_ element: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let start = out.count
        if let v = ByteStrings.parseInt64(element) {
            if v >= 0 && v <= 127 {
                out.append(UInt8(v))
            } else if v >= -4096 && v <= 4095 {
                let u = v < 0 ? (1 << 13) + v : v
                out.append(UInt8(truncatingIfNeeded: u >> 8) | 0xC0)
                out.append(UInt8(truncatingIfNeeded: u))
            } else if v >= -32768 && v <= 32767 {
                out.append(0xF1); appendLittleEndian(UInt64(bitPattern: v), bytes: 2, to: &out)
            } else if v >= -8_388_608 && v <= 8_388_607 {
                out.append(0xF2); appendLittleEndian(UInt64(bitPattern: v), bytes: 3, to: &out)
            } else if v >= -2_147_483_648 && v <= 2_147_483_647 {
                out.append(0xF3); appendLittleEndian(UInt64(bitPattern: v), bytes: 4, to: &out)
            } else {
                out.append(0xF4); appendLittleEndian(UInt64(bitPattern: v), bytes: 8, to: &out)
            }
        } else {
            let n = element.count
            if n < 64 {
                out.append(0x80 | UInt8(n))
            } else if n < 4096 {
                out.append(0xE0 | UInt8(n >> 8)); out.append(UInt8(n & 0xff))
            } else {
                out.append(0xF0); appendLittleEndian(UInt64(n), bytes: 4, to: &out)
            }
            out.append(contentsOf: element)
        }
        appendBacklen(out.count - start, to: &out)
    }

    /// lpEncodeBacklen: the entry length in 7-bit groups, most significant first, every byte but the
    /// first carrying the high bit, so that it can be parsed backwards from the last byte.
    static func appendBacklen(_ length: Int, to out: inout [UInt8]) {
        let l = UInt64(length)
        let groups: Int
        if l <= 127 { groups = 1 } else if l < 16383 { groups = 2 } else if l < 2_097_151 { groups = 3 }
        else if l < 268_435_455 { groups = 4 } else { groups = 5 }
        for g in stride(from: groups - 1, through: 0, by: -1) {
            let part = UInt8(truncatingIfNeeded: (l >> (7 * UInt64(g))) & 127)
            out.append(g == groups - 1 ? part : part | 128)
        }
    }

    /// Size of the backlen that follows an entry of `length` bytes (encoding + data).
    static func backlenSize(_ length: Int) -> Int {
        if length <= 127 { return 1 }
        if length < 16383 { return 2 }
        if length < 2_097_151 { return 3 }
        if length < 268_435_455 { return 4 }
        return 5
    }

    /// Fills in the 6-byte header (total bytes, element count) and the 0xFF terminator around
    /// entries appended after `reserveHeader`.
    static func reserveHeader(_ out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: [0, 0, 0, 0, 0, 0])
    }

    static func finish(_ out: inout [UInt8], elements: Int) {
        out.append(0xFF)
        let total = UInt32(out.count)
        for k in 0..<4 { out[k] = UInt8(truncatingIfNeeded: total >> (8 * UInt32(k))) }
        let count = UInt16(min(elements, 65535))  // 65535 = "count unknown, walk the list"
        out[4] = UInt8(truncatingIfNeeded: count)
        out[5] = UInt8(truncatingIfNeeded: count >> 8)
    }
}

enum IntsetBuilder {
    /// The intset blob for `values` (sorted here: intsets are ordered for binary search), at the
    /// narrowest width that holds them all, as intset.c's _intsetValueEncoding picks.
    static func build(_ values: [Int64]) -> [UInt8] {
        let sorted = values.sorted()
        var width = 2
        for v in sorted {
            if v < Int64(Int32.min) || v > Int64(Int32.max) { width = 8; break }
            if v < Int64(Int16.min) || v > Int64(Int16.max) { width = 4 }
        }
        var out: [UInt8] = []
        out.reserveCapacity(8 + sorted.count * width)
        appendLittleEndian(UInt64(width), bytes: 4, to: &out)
        appendLittleEndian(UInt64(sorted.count), bytes: 4, to: &out)
        for v in sorted { appendLittleEndian(UInt64(bitPattern: v), bytes: width, to: &out) }
        return out
    }
}

@inline(__always)
func appendLittleEndian(_ value: UInt64, bytes: Int, to out: inout [UInt8]) {
    for k in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
}

extension Array where Element == UInt8 {
    /// `[UInt8]` from a canonical decimal, for the readers that unpack integer-encoded entries.
    init(decimal value: Int64) {
        var storage = [UInt8](repeating: 0, count: 24)
        let n = storage.withUnsafeMutableBytes { ByteStrings.formatInt64(value, into: $0) }
        self = Array(storage[0..<n])
    }
}
