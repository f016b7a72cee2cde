import Glibc

/// Inline commands: Redis `processInlineBuffer` + `sdssplitargs`, zero-copy where possible.
extension RequestParser {
    mutating func parseInline(_ base: UnsafeRawPointer, _ writable: UnsafeMutableRawPointer?, _ count: Int,
                              _ arguments: inout ArgumentVector) -> ParseResult {
        // Redis finds the newline with strchr, which also stops at a NUL: such a request never
        // completes and only the size limit ends it.
        let from = scanFrom
        let newlineHit = from < count ? memchr(base + from, 10, count - from).map { UnsafeRawPointer($0) } : nil
        let scannedEnd = newlineHit.map { $0 - base } ?? count
        if scannedEnd > from, let nul = memchr(base + from, 0, scannedEnd - from) {
            scanFrom = UnsafeRawPointer(nul) - base
            return count > limits.maxInlineLength ? .error(.tooBigInlineRequest) : .incomplete
        }
        guard let newlineHit else {
            scanFrom = count
            return count > limits.maxInlineLength ? .error(.tooBigInlineRequest) : .incomplete
        }
        let newline = newlineHit - base
        var end = newline
        if end > 0 && base.load(fromByteOffset: end - 1, as: UInt8.self) == 13 { end -= 1 }
        if let error = splitArguments(base, writable, end, &arguments) { return .error(error) }
        return .command(consumed: newline + 1)
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// `sdssplitargs` over `[0, end)`. Each argument's bytes are the input bytes when they are
    /// contiguous in it (plain words, `"abc"`, `'abc'`); otherwise they are written in place over
    /// the argument's own source bytes, which never overtakes the read position.
    mutating func splitArguments(_ base: UnsafeRawPointer, _ writable: UnsafeMutableRawPointer?, _ end: Int,
                                 _ arguments: inout ArgumentVector) -> ProtocolError? {
        let b = base.assumingMemoryBound(to: UInt8.self)
        let out = writable?.assumingMemoryBound(to: UInt8.self)
        // sdssplitargs works on a NUL-terminated copy of the line: reading past the end yields 0.
        @inline(__always) func at(_ i: Int) -> UInt8 { i < end ? b[i] : 0 }

        var p = 0
        while true {
            while p < end && Self.isSpace(b[p]) { p += 1 }
            if p >= end { return nil }

            var inDouble = false
            var inSingle = false
            var done = false
            var start = -1  // first output byte of this argument, set by the first emitted byte
            var w = 0       // next output index

            // Emits byte `x` that was decoded from source index `src`.
            @inline(__always) func emit(_ x: UInt8, _ src: Int) -> Bool {
                if start < 0 { start = src; w = src }
                if w == src && b[src] == x { w += 1; return true }
                guard let out else { return false }
                out[w] = x
                w += 1
                return true
            }

            while !done {
                let c = at(p)
                if inDouble {
                    if c == UInt8(ascii: "\\") && at(p + 1) == UInt8(ascii: "x"),
                       let hi = Self.hexValue(at(p + 2)), let lo = Self.hexValue(at(p + 3)) {
                        if !emit(hi * 16 + lo, p) { return .inlineNeedsMutableInput }
                        p += 3
                    } else if c == UInt8(ascii: "\\") && at(p + 1) != 0 {
                        let escaped: UInt8
                        switch at(p + 1) {
                        case UInt8(ascii: "n"): escaped = 10
                        case UInt8(ascii: "r"): escaped = 13
                        case UInt8(ascii: "t"): escaped = 9
                        case UInt8(ascii: "b"): escaped = 8
                        case UInt8(ascii: "a"): escaped = 7
                        case let other: escaped = other
                        }
                        if !emit(escaped, p) { return .inlineNeedsMutableInput }
                        p += 1
                    } else if c == UInt8(ascii: "\"") {
                        // The closing quote must be followed by a space or nothing at all.
                        let next = at(p + 1)
                        if next != 0 && !Self.isSpace(next) { return .unbalancedQuotes }
                        done = true
                    } else if c == 0 {
                        return .unbalancedQuotes
                    } else if !emit(c, p) {
                        return .inlineNeedsMutableInput
                    }
                } else if inSingle {
                    if c == UInt8(ascii: "\\") && at(p + 1) == UInt8(ascii: "'") {
                        if !emit(UInt8(ascii: "'"), p) { return .inlineNeedsMutableInput }
                        p += 1
                    } else if c == UInt8(ascii: "'") {
                        let next = at(p + 1)
                        if next != 0 && !Self.isSpace(next) { return .unbalancedQuotes }
                        done = true
                    } else if c == 0 {
                        return .unbalancedQuotes
                    } else if !emit(c, p) {
                        return .inlineNeedsMutableInput
                    }
                } else {
                    switch c {
                    // Unquoted words end only at these (not at \v or \f, which isspace skips).
                    case 32, 10, 13, 9, 0: done = true
                    case UInt8(ascii: "\""): inDouble = true
                    case UInt8(ascii: "'"): inSingle = true
                    default:
                        if !emit(c, p) { return .inlineNeedsMutableInput }
                    }
                }
                if at(p) != 0 { p += 1 }
            }
            if start < 0 {
                arguments.append(ArgumentRange(offset: p, count: 0))
            } else {
                arguments.append(ArgumentRange(offset: start, count: w - start))
            }
            parsedArguments += 1
        }
    }
}
