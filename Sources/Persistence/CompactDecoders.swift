// Decoders for the compact blobs found inside RDB strings: listpack (7.0+), ziplist (6.x),
// zipmap (2.x) and intset. Each returns the flat element list and validates every length against
// the blob, throwing a reason with the offset inside the blob (the caller adds the file offset).

struct CompactBlobError: Error {
    var innerOffset: Int
    var reason: String
}

enum CompactDecoders {
    private struct Reader {
        let blob: [UInt8]
        var at: Int
        func fail(_ reason: String, _ position: Int? = nil) -> CompactBlobError {
            CompactBlobError(innerOffset: position ?? at, reason: reason)
        }
        mutating func need(_ n: Int) throws(CompactBlobError) {
            if n < 0 || at + n > blob.count { throw fail("entry runs past the end of the blob") }
        }
        mutating func byte() throws(CompactBlobError) -> UInt8 {
            try need(1); at += 1; return blob[at - 1]
        }
        mutating func littleEndian(_ n: Int) throws(CompactBlobError) -> UInt64 {
            try need(n)
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(blob[at + k]) << (8 * UInt64(k)) }
            at += n
            return v
        }
        mutating func bytes(_ n: Int) throws(CompactBlobError) -> [UInt8] {
            try need(n); at += n; return Array(blob[(at - n)..<at])
        }
    }

    /// Sign-extends the low `bits` bits of `u`.
    private static func signed(_ u: UInt64, bits: Int) -> Int64 {
        let shift = UInt64(64 - bits)
        return Int64(bitPattern: u << shift) >> Int64(shift)
    }

    static func listpack(_ blob: [UInt8]) throws(CompactBlobError) -> [[UInt8]] {
        var r = Reader(blob: blob, at: 0)
        let total = try r.littleEndian(4)
        if total != UInt64(blob.count) { throw r.fail("listpack header says \(total) bytes, blob has \(blob.count)", 0) }
        let declared = Int(try r.littleEndian(2))
        var out: [[UInt8]] = []
        out.reserveCapacity(declared == 65535 ? 0 : min(declared, blob.count))
        while true {
            let start = r.at
            let b = try r.byte()
            if b == 0xFF { break }
            if b & 0x80 == 0 {
                out.append([UInt8](decimal: Int64(b)))
            } else if b & 0xC0 == 0x80 {
                out.append(try r.bytes(Int(b & 0x3F)))
            } else if b & 0xE0 == 0xC0 {
                let u = (UInt64(b & 0x1F) << 8) | UInt64(try r.byte())
                out.append([UInt8](decimal: signed(u, bits: 13)))
            } else if b & 0xF0 == 0xE0 {
                let n = (Int(b & 0x0F) << 8) | Int(try r.byte())
                out.append(try r.bytes(n))
            } else {
                switch b {
                case 0xF1: out.append([UInt8](decimal: signed(try r.littleEndian(2), bits: 16)))
                case 0xF2: out.append([UInt8](decimal: signed(try r.littleEndian(3), bits: 24)))
                case 0xF3: out.append([UInt8](decimal: signed(try r.littleEndian(4), bits: 32)))
                case 0xF4: out.append([UInt8](decimal: Int64(bitPattern: try r.littleEndian(8))))
                case 0xF0:
                    let n = try r.littleEndian(4)
                    if n > UInt64(blob.count) { throw r.fail("listpack string length \(n) too large", start) }
                    out.append(try r.bytes(Int(n)))
                default: throw r.fail("invalid listpack encoding byte 0x\(String(b, radix: 16))", start)
                }
            }
            let entryLength = r.at - start
            let backlen = ListpackBuilder.backlenSize(entryLength)
            try r.need(backlen)
            r.at += backlen
        }
        if r.at != blob.count { throw r.fail("bytes after the listpack terminator") }
        if declared != 65535 && declared != out.count {
            throw r.fail("listpack header says \(declared) elements, found \(out.count)", 4)
        }
        return out
    }

    static func ziplist(_ blob: [UInt8]) throws(CompactBlobError) -> [[UInt8]] {
        var r = Reader(blob: blob, at: 0)
        let total = try r.littleEndian(4)
        if total != UInt64(blob.count) { throw r.fail("ziplist header says \(total) bytes, blob has \(blob.count)", 0) }
        _ = try r.littleEndian(4)  // offset of the tail entry: not needed going forward
        let declared = Int(try r.littleEndian(2))
        var out: [[UInt8]] = []
        while true {
            let first = try r.byte()
            if first == 0xFF { break }
            if first == 0xFE { _ = try r.littleEndian(4) }  // prevlen >= 254: 4 more bytes
            let encodingAt = r.at
            let e = try r.byte()
            switch e >> 6 {
            case 0: out.append(try r.bytes(Int(e & 0x3F)))
            case 1: out.append(try r.bytes((Int(e & 0x3F) << 8) | Int(try r.byte())))
            case 2:
                let n = (try r.byte(), try r.byte(), try r.byte(), try r.byte())
                let len = (Int(n.0) << 24) | (Int(n.1) << 16) | (Int(n.2) << 8) | Int(n.3)
                out.append(try r.bytes(len))
            default:
                switch e {
                case 0xC0: out.append([UInt8](decimal: signed(try r.littleEndian(2), bits: 16)))
                case 0xD0: out.append([UInt8](decimal: signed(try r.littleEndian(4), bits: 32)))
                case 0xE0: out.append([UInt8](decimal: Int64(bitPattern: try r.littleEndian(8))))
                case 0xF0: out.append([UInt8](decimal: signed(try r.littleEndian(3), bits: 24)))
                case 0xFE: out.append([UInt8](decimal: signed(try r.littleEndian(1), bits: 8)))
                case 0xF1...0xFD: out.append([UInt8](decimal: Int64(e & 0x0F) - 1))
                default: throw r.fail("invalid ziplist encoding byte 0x\(String(e, radix: 16))", encodingAt)
                }
            }
        }
        if r.at != blob.count { throw r.fail("bytes after the ziplist terminator") }
        if declared != 65535 && declared != out.count {
            throw r.fail("ziplist header says \(declared) entries, found \(out.count)", 8)
        }
        return out
    }

    /// zipmap: <zmlen:1> (<len>key<len><free:1>value<free bytes>)* 0xFF; lengths are 1 byte below
    /// 254, else 254 followed by 4 bytes little-endian.
    static func zipmap(_ blob: [UInt8]) throws(CompactBlobError) -> [[UInt8]] {
        var r = Reader(blob: blob, at: 0)
        _ = try r.byte()  // element count, saturating at 254: not trusted
        var out: [[UInt8]] = []
        func length(_ r: inout Reader) throws(CompactBlobError) -> Int {
            let b = try r.byte()
            if b < 254 { return Int(b) }
            if b == 254 { return Int(try r.littleEndian(4)) }
            throw r.fail("zipmap: unexpected end marker")
        }
        while true {
            if try r.byte() == 0xFF { break }
            r.at -= 1
            out.append(try r.bytes(try length(&r)))
            let valueLength = try length(&r)
            let free = Int(try r.byte())
            out.append(try r.bytes(valueLength))
            try r.need(free)
            r.at += free
        }
        if r.at != blob.count { throw r.fail("bytes after the zipmap terminator") }
        return out
    }

    static func intset(_ blob: [UInt8]) throws(CompactBlobError) -> [[UInt8]] {
        var r = Reader(blob: blob, at: 0)
        let width = Int(try r.littleEndian(4))
        if width != 2 && width != 4 && width != 8 { throw r.fail("intset encoding \(width) is not 2, 4 or 8", 0) }
        let count = try r.littleEndian(4)
        if UInt64(blob.count - 8) != count * UInt64(width) {
            throw r.fail("intset of \(count) \(width)-byte values cannot be \(blob.count) bytes", 4)
        }
        var out: [[UInt8]] = []
        out.reserveCapacity(Int(count))
        for _ in 0..<Int(count) {
            out.append([UInt8](decimal: signed(try r.littleEndian(width), bits: width * 8)))
        }
        return out
    }
}
