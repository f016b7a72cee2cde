// LZF (liblzf 3.6, as vendored by Redis with HLOG 16 and VERY_FAST), written from the format:
//   000LLLLL                      literal run of L+1 bytes (L < 32) follows
//   LLLooooo oooooooo             back reference: length L+2 (L in 1...6), offset o+1
//   111ooooo LLLLLLLL oooooooo    back reference: length L+9, offset o+1
// Offsets reach 8192 bytes back; references may overlap their own output (run-length effect).

public enum LZF {
    static let hashLog = 16
    static let maxLiteral = 32
    static let maxOffset = 1 << 13
    static let maxReference = (1 << 8) + (1 << 3)

    /// Compresses `input` into `output`; returns the compressed size, or 0 when the result would
    /// not fit in `output.count` bytes (Redis passes len-4 so that only a real saving is stored).
    public static func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
        compress(input, into: output, table: HashTable())
    }

    /// A reusable match table. A fresh 256 KiB table per call made snapshots memset-bound (78% of a
    /// SAVE of a million 200-byte values), so a writer keeps one and each call uses a new range of
    /// position stamps: entries from earlier calls are below `base` and read as empty, which gives
    /// the same output as a zeroed table.
    public final class HashTable {
        let slots: UnsafeMutablePointer<Int32>
        var base: Int32 = 0

        public init() {
            slots = .allocate(capacity: 1 << LZF.hashLog)
            slots.initialize(repeating: 0, count: 1 << LZF.hashLog)
        }

        deinit { slots.deallocate() }

        /// Reserves stamps for `count` positions; returns the base to add (positions are base+ip+1).
        func reserve(_ count: Int) -> Int {
            if Int(base) + count + 1 >= Int(Int32.max) {
                slots.update(repeating: 0, count: 1 << LZF.hashLog)
                base = 0
            }
            defer { base += Int32(count + 1) }
            return Int(base)
        }
    }

    /// `compress` with a caller-owned table (one per writer; not thread-safe).
    public static func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                                table: HashTable) -> Int {
        let inLength = input.count
        let outLength = output.count
        if inLength == 0 || outLength == 0 { return 0 }
        precondition(inLength < Int(Int32.max) / 2, "LZF input too large")
        // Positions are stored as base+ip+1 so that anything ≤ base means "empty slot" (liblzf
        // stores pointers; an effectively empty table makes the output deterministic, which
        // Redis's uninitialised stack table is not).
        let base = table.reserve(inLength)
        let htab = UnsafeMutableBufferPointer(start: table.slots, count: 1 << hashLog)
        do {
            var ip = 0
            var op = 1  // room for the first literal run's control byte
            var lit = 0
            func index(_ h: UInt32) -> Int {
                Int(((h >> UInt32(3 * 8 - hashLog)) &- (h &* 5)) & UInt32((1 << hashLog) - 1))
            }
            var hval = (UInt32(input[0]) << 8) | (inLength > 1 ? UInt32(input[1]) : 0)
            while ip + 2 < inLength {
                hval = (hval << 8) | UInt32(input[ip + 2])
                let slot = index(hval)
                let ref = Int(htab[slot]) - base - 1
                htab[slot] = Int32(base + ip + 1)
                let off = ip - ref - 1
                if ref > 0, off < maxOffset, input[ref + 2] == input[ip + 2],
                   input[ref] == input[ip], input[ref + 1] == input[ip + 1] {
                    var len = 2
                    let maxLen = min(inLength - ip - len, maxReference)
                    // Conservative space check first, exact one (the empty run is undone) second.
                    if op + 3 + 1 >= outLength, op - (lit == 0 ? 1 : 0) + 3 + 1 >= outLength { return 0 }
                    output[op - lit - 1] = UInt8(truncatingIfNeeded: lit - 1)  // close the literal run
                    if lit == 0 { op -= 1 }  // ... or drop its empty control byte
                    repeat { len += 1 } while len < maxLen && input[ref + len] == input[ip + len]
                    len -= 2  // now the stored length: total - 2
                    ip += 1
                    if len < 7 {
                        output[op] = UInt8(truncatingIfNeeded: (off >> 8) + (len << 5)); op += 1
                    } else {
                        output[op] = UInt8(truncatingIfNeeded: (off >> 8) + (7 << 5)); op += 1
                        output[op] = UInt8(truncatingIfNeeded: len - 7); op += 1
                    }
                    output[op] = UInt8(truncatingIfNeeded: off); op += 1
                    lit = 0
                    op += 1  // start a new literal run
                    ip += len + 1
                    if ip + 2 >= inLength { break }
                    // VERY_FAST: hash the two positions before the new ip so later data can match them.
                    ip -= 2
                    hval = (UInt32(input[ip]) << 8) | UInt32(input[ip + 1])
                    hval = (hval << 8) | UInt32(input[ip + 2])
                    htab[index(hval)] = Int32(base + ip + 1)
                    ip += 1
                    hval = (hval << 8) | UInt32(input[ip + 2])
                    htab[index(hval)] = Int32(base + ip + 1)
                    ip += 1
                } else {
                    if op >= outLength { return 0 }
                    lit += 1
                    output[op] = input[ip]; op += 1; ip += 1
                    if lit == maxLiteral {
                        output[op - lit - 1] = UInt8(maxLiteral - 1)
                        lit = 0
                        op += 1
                    }
                }
            }
            if op + 3 > outLength { return 0 }  // at most 3 literal bytes remain
            while ip < inLength {
                lit += 1
                output[op] = input[ip]; op += 1; ip += 1
                if lit == maxLiteral {
                    output[op - lit - 1] = UInt8(maxLiteral - 1)
                    lit = 0
                    op += 1
                }
            }
            if op > outLength { return 0 }
            if lit > 0 { output[op - lit - 1] = UInt8(truncatingIfNeeded: lit - 1) } else { op -= 1 }
            return op
        }
    }

    public enum DecompressError: Error, Equatable {
        /// The output would exceed the expected length.
        case outputTooSmall
        /// A run or reference points outside the input or before the start of the output.
        case invalid(inputOffset: Int)
    }

    /// Decompresses `input` into exactly `output.count` bytes; returns the number written. Every
    /// read and write is bounds-checked: hostile input gives an error, never a wild access.
    public static func decompress(_ input: UnsafeRawBufferPointer,
                                  into output: UnsafeMutableRawBufferPointer) throws(DecompressError) -> Int {
        var ip = 0
        var op = 0
        let inLength = input.count
        let outLength = output.count
        while ip < inLength {
            let ctrl = Int(input[ip])
            let ctrlOffset = ip
            ip += 1
            if ctrl < 32 {
                let run = ctrl + 1
                if op + run > outLength { throw .outputTooSmall }
                if ip + run > inLength { throw .invalid(inputOffset: ctrlOffset) }
                for k in 0..<run { output[op + k] = input[ip + k] }
                op += run
                ip += run
            } else {
                var len = ctrl >> 5
                if ip >= inLength { throw .invalid(inputOffset: ctrlOffset) }
                if len == 7 {
                    len += Int(input[ip]); ip += 1
                    if ip >= inLength { throw .invalid(inputOffset: ctrlOffset) }
                }
                let ref = op - ((ctrl & 0x1f) << 8) - 1 - Int(input[ip])
                ip += 1
                if op + len + 2 > outLength { throw .outputTooSmall }
                if ref < 0 { throw .invalid(inputOffset: ctrlOffset) }
                // Byte by byte: the reference may overlap the bytes being produced.
                for k in 0..<(len + 2) { output[op + k] = output[ref + k] }
                op += len + 2
            }
        }
        return op
    }

    /// Convenience for tests and small blobs.
    public static func compress(_ input: [UInt8], limit: Int) -> [UInt8]? {
        if limit <= 0 { return nil }
        var out = [UInt8](repeating: 0, count: limit)
        let n = input.withUnsafeBytes { i in out.withUnsafeMutableBytes { compress(i, into: $0) } }
        if n == 0 { return nil }
        out.removeSubrange(n...)
        return out
    }

    public static func decompress(_ input: [UInt8], length: Int) throws(DecompressError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        let result: Result<Int, DecompressError> = input.withUnsafeBytes { i in
            out.withUnsafeMutableBytes { o in Result { () throws(DecompressError) -> Int in try decompress(i, into: o) } }
        }
        let n = try result.get()
        if n != length { throw .invalid(inputOffset: input.count) }
        return out
    }
}
