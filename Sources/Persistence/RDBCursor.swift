// A bounds-checked reader over the bytes of a dump. Every read checks the remaining length first and
// throws with the offset, so a corrupt or truncated file can never make the loader read past its end.

struct RDBCursor {
    let bytes: UnsafeRawBufferPointer
    var offset: Int
    /// Where the record being decoded started, for truncation reports.
    var recordStart: Int = 0

    init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    func corrupt(_ reason: String, at position: Int? = nil) -> PersistenceError {
        .corrupt(offset: position ?? offset, reason: reason)
    }

    mutating func need(_ count: Int) throws(PersistenceError) {
        if count < 0 || count > remaining { throw .truncated(offset: recordStart) }
    }

    mutating func byte() throws(PersistenceError) -> UInt8 {
        try need(1)
        let b = bytes[offset]
        offset += 1
        return b
    }

    mutating func littleEndian(_ count: Int) throws(PersistenceError) -> UInt64 {
        try need(count)
        var v: UInt64 = 0
        for k in 0..<count { v |= UInt64(bytes[offset + k]) << (8 * UInt64(k)) }
        offset += count
        return v
    }

    mutating func bigEndian(_ count: Int) throws(PersistenceError) -> UInt64 {
        try need(count)
        var v: UInt64 = 0
        for k in 0..<count { v = (v << 8) | UInt64(bytes[offset + k]) }
        offset += count
        return v
    }

    /// A borrowed slice of the next `count` bytes.
    mutating func slice(_ count: Int) throws(PersistenceError) -> UnsafeRawBufferPointer {
        try need(count)
        let s = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        return s
    }

    /// rdbLoadLenByRef: a length, or (isEncoded) the special-encoding number of a 11xxxxxx byte.
    mutating func length() throws(PersistenceError) -> (value: UInt64, isEncoded: Bool) {
        let first = try byte()
        switch first >> 6 {
        case RDBLength.bits6: return (UInt64(first & 0x3f), false)
        case RDBLength.bits14: return ((UInt64(first & 0x3f) << 8) | UInt64(try byte()), false)
        case RDBLength.encoded: return (UInt64(first & 0x3f), true)
        default:
            if first == RDBLength.marker32 { return (try bigEndian(4), false) }
            if first == RDBLength.marker64 { return (try bigEndian(8), false) }
            throw corrupt("unknown length encoding 0x\(String(first, radix: 16))", at: offset - 1)
        }
    }

    /// A plain length that must fit the file (a count of items each at least `minimumItemSize`
    /// bytes long): rejects absurd counts before anything is allocated for them.
    mutating func count(minimumItemSize: Int = 1) throws(PersistenceError) -> Int {
        let at = offset
        let (v, encoded) = try length()
        if encoded { throw corrupt("expected a length, found an encoded value", at: at) }
        if v > UInt64(remaining / max(minimumItemSize, 1)) { throw .truncated(offset: recordStart) }
        return Int(v)
    }

    /// rdbGenericLoadStringObject: raw, int8/16/32 (as their decimal text) or LZF.
    mutating func string() throws(PersistenceError) -> [UInt8] {
        let at = offset
        let (v, encoded) = try length()
        if !encoded {
            if v > UInt64(remaining) { throw .truncated(offset: recordStart) }
            return Array(try slice(Int(v)))
        }
        switch UInt8(v) {
        case RDBLength.encodingInt8: return [UInt8](decimal: Int64(Int8(bitPattern: try byte())))
        case RDBLength.encodingInt16:
            return [UInt8](decimal: Int64(Int16(bitPattern: UInt16(try littleEndian(2)))))
        case RDBLength.encodingInt32:
            return [UInt8](decimal: Int64(Int32(bitPattern: UInt32(try littleEndian(4)))))
        case RDBLength.encodingLZF:
            let compressedLength = try count()
            let lengthAt = offset
            let (plain, plainEncoded) = try length()
            if plainEncoded || plain == 0 { throw corrupt("invalid LZF uncompressed length", at: lengthAt) }
            // An LZF reference yields at most 264 bytes per 2 input bytes: anything claiming more is
            // corrupt, and checking first keeps a hostile length from allocating gigabytes.
            if plain > UInt64(compressedLength) * 132 + 32 {
                throw corrupt("LZF length \(plain) impossible for \(compressedLength) compressed bytes", at: lengthAt)
            }
            let data = try slice(compressedLength)
            var out = [UInt8](repeating: 0, count: Int(plain))
            let produced: Int
            do {
                produced = try out.withUnsafeMutableBytes { (o) throws(LZF.DecompressError) -> Int in
                    try LZF.decompress(data, into: o)
                }
            } catch {
                throw corrupt("invalid LZF data", at: at)
            }
            if produced != Int(plain) { throw corrupt("LZF data shorter than announced", at: at) }
            return out
        default:
            throw corrupt("unknown string encoding \(v)", at: at)
        }
    }

    /// Skips a string without materialising it (AUX values we ignore, FUNCTION2 bodies).
    mutating func skipString() throws(PersistenceError) {
        let at = offset
        let (v, encoded) = try length()
        if !encoded {
            _ = try slice(v > UInt64(remaining) ? -1 : Int(v))
            return
        }
        switch UInt8(v) {
        case RDBLength.encodingInt8: _ = try slice(1)
        case RDBLength.encodingInt16: _ = try slice(2)
        case RDBLength.encodingInt32: _ = try slice(4)
        case RDBLength.encodingLZF:
            let c = try count()
            _ = try length()
            _ = try slice(c)
        default: throw corrupt("unknown string encoding \(v)", at: at)
        }
    }
}
