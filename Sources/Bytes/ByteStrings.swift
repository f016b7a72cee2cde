import Glibc

/// Byte-level helpers used on the request path instead of String.
public enum ByteStrings {
    /// ASCII case-insensitive equality with a lowercase literal (`equalsIgnoringCase(arg, "ex")`).
    @inlinable
    public static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        lowercase.withUTF8Buffer { lit in
            let n = lit.count
            guard bytes.count == n else { return false }
            for i in 0..<n {
                var c = bytes[i]
                // ORing 0x20 lowercases only A-Z; other bytes must match exactly.
                if c >= 65 && c <= 90 { c |= 0x20 }
                if c != lit[i] { return false }
            }
            return true
        }
    }

    /// Exact byte equality.
    @inlinable
    public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        if a.count == 0 { return true }
        return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
    }

    /// Redis `string2ll`: strict base-10 Int64 (optional '-', no '+', no spaces, no leading zeros
    /// except "0", at most 20 chars); nil otherwise. "-0" is rejected, as in Redis (the first digit
    /// after '-' must be 1-9).
    @inlinable
    public static func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        // LONG_STR_SIZE is 21: Redis rejects slen >= 21 before looking at the bytes.
        if n == 0 || n >= 21 { return nil }
        if n == 1 && bytes[0] == UInt8(ascii: "0") { return 0 }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
            if n == 1 { return nil }
        }
        let first = bytes[i] &- 48
        if first < 1 || first > 9 { return nil }
        var v = UInt64(first)
        i += 1
        while i < n {
            let d = bytes[i] &- 48
            if d > 9 { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            if o1 { return nil }
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o2 { return nil }
            v = s
            i += 1
        }
        if negative {
            if v > UInt64(Int64.max) + 1 { return nil }
            return Int64(truncatingIfNeeded: 0 &- v)
        }
        if v > UInt64(Int64.max) { return nil }
        return Int64(v)
    }

    /// Redis `string2ld`/strtold as used by INCRBYFLOAT and HINCRBYFLOAT: accepts what strtold accepts
    /// (no leading space, no trailing garbage), rejects NaN; nil otherwise. Infinity parses (caller rejects).
    ///
    /// Like Redis the bytes are copied into a NUL-terminated buffer of MAX_LONG_DOUBLE_CHARS (5k) and
    /// parsed with strtold (long double on x86, so "1e400" parses and becomes +inf as a Double);
    /// an out-of-range result flagged ERANGE (±HUGE_VAL or an underflow to zero) is rejected.
    public static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let n = bytes.count
        if n == 0 || n >= 5 * 1024 { return nil }
        let first = bytes[0]
        // isspace() in the C locale.
        if first == 32 || (first >= 9 && first <= 13) { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf -> Double? in
            let p = buf.baseAddress!
            UnsafeMutableRawPointer(p).copyMemory(from: bytes.baseAddress!, byteCount: n)
            p[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            #if arch(x86_64) || arch(i386)
            let value = strtold(p, &end)
            let huge = Float80.infinity
            #else
            let value = strtod(p, &end)
            let huge = Double.infinity
            #endif
            let err = errno
            // Redis checks eptr[0] == '\0', so an embedded NUL ends the number just like the end does.
            guard let e = end, e.pointee == 0 else { return nil }
            if err == ERANGE && (value == huge || value == -huge || value == 0) { return nil }
            if err == EINVAL || value.isNaN { return nil }
            return Double(value)
        }
    }

    /// Formats like Redis `ld2string(..., LD_STR_HUMAN)` (INCRBYFLOAT result: "%.17Lf" then trailing zeros
    /// and a trailing '.' removed; as Redis does with long double). Returns byte count written (≤ 5000).
    ///
    /// Redis does the arithmetic in long double, so `10.5 + 0.1` prints "10.6". Our callers hand us a
    /// Double, whose binary value would print as "10.59999999999999964". To give the same human result
    /// we take the shortest decimal that round-trips the Double (what the user typed, in practice),
    /// read it back as a long double, and print that with "%.17Lf" exactly as Redis does.
    public static func formatHumanDouble(_ value: Double, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if value.isInfinite { return copy(value < 0 ? "-inf" : "inf", into: buffer) }
        if value.isNaN { return copy("nan", into: buffer) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 5120) { tmp -> Int in
            let t = tmp.baseAddress!
            var l: Int
            #if arch(x86_64) || arch(i386)
            _ = shortestRoundTrip(value, into: t, capacity: 64)
            let wide = strtold(t, nil)
            l = Int(withVaList([wide]) { vsnprintf(t, 5120, "%.17Lf", $0) })
            #else
            l = Int(withVaList([value]) { vsnprintf(t, 5120, "%.17f", $0) })
            #endif
            if l <= 0 || l >= 5120 { return 0 }
            // Remove trailing zeros after the '.', then a bare '.'.
            if memchr(t, Int32(UInt8(ascii: ".")), l) != nil {
                while t[l - 1] == 0x30 { l -= 1 }
                if t[l - 1] == 0x2E { l -= 1 }
            }
            if l == 2 && t[0] == 0x2D && t[1] == 0x30 { t[0] = 0x30; l = 1 }
            precondition(buffer.count >= l, "formatHumanDouble: buffer too small")
            buffer.baseAddress!.copyMemory(from: t, byteCount: l)
            return l
        }
    }

    /// Shortest "%.{15,16,17}g" text that reads back as exactly `value`.
    static func shortestRoundTrip(_ value: Double, into t: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        var l = 0
        for precision in Int32(15)...Int32(17) {
            l = Int(withVaList([precision, value]) { vsnprintf(t, capacity, "%.*g", $0) })
            if precision == 17 || strtod(t, nil) == value { break }
        }
        return l
    }

    /// Formats like Redis RESP3 double / `%.17g` (`inf`, `-inf`, `nan`). Returns byte count written.
    /// The buffer must hold at least 32 bytes (the longest "%.17g" output is 24).
    public static func formatDouble(_ value: Double, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        // libc spellings vary ("-nan", "INF"); Redis normalises them, so do we.
        if value.isInfinite { return copy(value < 0 ? "-inf" : "inf", into: buffer) }
        if value.isNaN { return copy("nan", into: buffer) }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { tmp -> Int in
            let l = Int(withVaList([value]) { vsnprintf(tmp.baseAddress!, 64, "%.17g", $0) })
            precondition(l > 0 && buffer.count >= l, "formatDouble: buffer too small")
            buffer.baseAddress!.copyMemory(from: tmp.baseAddress!, byteCount: l)
            return l
        }
    }

    static func copy(_ s: StaticString, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        s.withUTF8Buffer { src in
            precondition(buffer.count >= src.count, "buffer too small")
            buffer.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: src.count)
            return src.count
        }
    }

    /// Writes Int64 in decimal; returns byte count (≤ 20).
    @inlinable
    public static func formatInt64(_ value: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var magnitude = value.magnitude
        var digits = 1
        var x = magnitude
        while x >= 10 { x /= 10; digits += 1 }
        let total = digits + (value < 0 ? 1 : 0)
        precondition(buffer.count >= total, "formatInt64: buffer too small")
        let p = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if value < 0 { p[0] = UInt8(ascii: "-") }
        var i = total - 1
        repeat {
            let (q, r) = magnitude.quotientAndRemainder(dividingBy: 10)
            p[i] = UInt8(truncatingIfNeeded: r) &+ 48
            magnitude = q
            i -= 1
        } while magnitude != 0
        return total
    }

    /// Redis `stringmatchlen` glob matching (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes), optional nocase.
    public static func globMatch(pattern: UnsafeRawBufferPointer, string: UnsafeRawBufferPointer, ignoringCase: Bool) -> Bool {
        var skipLonger = false
        return Glob.match(pattern, 0, string, 0, ignoringCase, &skipLonger, 0)
    }
}
