/// A transliteration of Redis `stringmatchlen_impl` (util.c), kept structurally identical so its
/// quirks carry over: an unterminated `[` class, a trailing `\`, signed-char ranges, the 1000-level
/// recursion cap and the `skipLongerMatches` early exit.
enum Glob {
    /// Redis reads one byte past the pattern end (its NUL terminator); `at` returns 0 there too.
    @inline(__always)
    static func at(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt8 {
        i < p.count ? p[i] : 0
    }

    /// C `tolower` in the C locale on a (possibly negative) char: only A-Z change.
    @inline(__always)
    static func lower(_ c: Int) -> Int {
        c >= 65 && c <= 90 ? c + 32 : c
    }

    /// Redis compares range bounds as `int` values of a signed `char` (x86), so bytes >= 0x80 sort
    /// below ASCII inside `[a-b]`.
    @inline(__always)
    static func signed(_ b: UInt8) -> Int { Int(Int8(bitPattern: b)) }

    static func match(
        _ pattern: UnsafeRawBufferPointer, _ pStart: Int,
        _ string: UnsafeRawBufferPointer, _ sStart: Int,
        _ nocase: Bool, _ skipLongerMatches: inout Bool, _ nesting: Int
    ) -> Bool {
        // Protection against abusive patterns.
        if nesting > 1000 { return false }
        var p = pStart
        var patternLen = pattern.count - pStart
        var s = sStart
        var stringLen = string.count - sStart

        while patternLen > 0 && stringLen > 0 {
            switch pattern[p] {
            case UInt8(ascii: "*"):
                while patternLen > 0 && at(pattern, p + 1) == UInt8(ascii: "*") {
                    p += 1
                    patternLen -= 1
                }
                if patternLen == 1 { return true }
                while stringLen > 0 {
                    if match(pattern, p + 1, string, s, nocase, &skipLongerMatches, nesting + 1) {
                        return true
                    }
                    if skipLongerMatches { return false }
                    s += 1
                    stringLen -= 1
                }
                // No match for the rest of the pattern anywhere in the rest of the string: longer
                // matches for earlier stars cannot help either.
                skipLongerMatches = true
                return false
            case UInt8(ascii: "?"):
                s += 1
                stringLen -= 1
            case UInt8(ascii: "["):
                p += 1
                patternLen -= 1
                let not = at(pattern, p) == UInt8(ascii: "^")
                if not {
                    p += 1
                    patternLen -= 1
                }
                var matched = false
                let c0 = string[s]
                while true {
                    let pc = at(pattern, p)
                    if pc == UInt8(ascii: "\\") && patternLen >= 2 {
                        p += 1
                        patternLen -= 1
                        if at(pattern, p) == c0 { matched = true }
                    } else if pc == UInt8(ascii: "]") {
                        break
                    } else if patternLen == 0 {
                        p -= 1
                        patternLen += 1
                        break
                    } else if patternLen >= 3 && at(pattern, p + 1) == UInt8(ascii: "-") {
                        var start = signed(pc)
                        var end = signed(at(pattern, p + 2))
                        var c = signed(c0)
                        if start > end { swap(&start, &end) }
                        if nocase {
                            start = lower(start)
                            end = lower(end)
                            c = lower(c)
                        }
                        p += 2
                        patternLen -= 2
                        if c >= start && c <= end { matched = true }
                    } else {
                        if !nocase {
                            if pc == c0 { matched = true }
                        } else if lower(signed(pc)) == lower(signed(c0)) {
                            matched = true
                        }
                    }
                    p += 1
                    patternLen -= 1
                }
                if not { matched = !matched }
                if !matched { return false }
                s += 1
                stringLen -= 1
            default:
                if pattern[p] == UInt8(ascii: "\\") && patternLen >= 2 {
                    p += 1
                    patternLen -= 1
                }
                let pc = pattern[p]
                let sc = string[s]
                if !nocase {
                    if pc != sc { return false }
                } else if lower(signed(pc)) != lower(signed(sc)) {
                    return false
                }
                s += 1
                stringLen -= 1
            }
            p += 1
            patternLen -= 1
            if stringLen == 0 {
                while patternLen > 0 && pattern[p] == UInt8(ascii: "*") {
                    p += 1
                    patternLen -= 1
                }
                break
            }
        }
        return patternLen == 0 && stringLen == 0
    }
}
