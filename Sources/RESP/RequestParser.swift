import Bytes
import Glibc

/// Limits on everything the parser accepts (Redis's names and defaults).
public struct ParserLimits: Sendable {
    /// proto-max-bulk-len (512 MB).
    public var maxBulkLength: Int = 512 * 1024 * 1024
    /// Largest multibulk element count (Redis: INT_MAX, 1024*1024 before auth is issue 6's concern).
    public var maxMultibulkLength: Int = Int(Int32.max)
    /// PROTO_INLINE_MAX_SIZE: an inline command (no '*') longer than this without a newline is an error.
    /// Redis uses the same constant for an unterminated `*`/`$` count line, and so do we.
    public var maxInlineLength: Int = 64 * 1024
    /// Redis `authRequired`: before AUTH, at most 10 arguments of at most 16384 bytes.
    public var unauthenticated = false
    public static let unauthenticatedMultibulkLengthMax = 10
    public static let unauthenticatedBulkLengthMax = 16384
    public init() {}
}

public enum ParseResult: Equatable, Sendable {
    /// A whole command was parsed into the ArgumentVector; `consumed` bytes of input belong to it
    /// (the caller advances its reader index by that much after executing the command).
    /// An empty command (e.g. a blank inline line or "*0\r\n") has zero arguments: skip it.
    case command(consumed: Int)
    /// More bytes are needed. The caller keeps the bytes (it may compact them to the front and
    /// append more) and calls `parse` again with the whole readable region.
    case incomplete
    case error(ProtocolError)
}

/// Incremental, zero-copy RESP request parser: multibulk (`*N\r\n$len\r\n…`) and inline
/// (space separated, with Redis's quoting rules) commands. Argument ranges point into the input.
/// State is kept across `.incomplete` results so a large request arriving in pieces is not re-scanned
/// from the start each time.
///
/// The logic mirrors Redis 7 `processMultibulkBuffer` / `processInlineBuffer`, including quirks:
/// the byte after a count line's '\r' and the two bytes after bulk data are skipped unchecked, a
/// count of zero or below is an empty command, and a NUL byte before the line terminator stalls the
/// request exactly as Redis's `strchr` does (until the size limit turns it into an error).
public struct RequestParser: Sendable {
    public var limits: ParserLimits

    // Resumable state. Everything is an offset from the start of the input, never a pointer:
    // the caller may move the bytes between calls.
    @usableFromInline enum Mode: Sendable { case idle, multibulk, inline }
    @usableFromInline var mode: Mode = .idle
    /// Multibulk: next unparsed byte.
    @usableFromInline var position = 0
    /// Multibulk: arguments still expected; -1 while the `*` line has not been parsed.
    @usableFromInline var remaining = -1
    /// Multibulk: length of the bulk being awaited, -1 if its `$` line has not been parsed.
    @usableFromInline var bulkLength = -1
    /// Where to resume searching for the current line terminator (bytes before it were scanned).
    @usableFromInline var scanFrom = 0
    /// Arguments appended so far for the pending command, to detect a caller that lost them.
    @usableFromInline var parsedArguments = 0

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// Parses one command from the start of `input` (the readable bytes, from the same start as
    /// in the previous call if that returned `.incomplete`).
    ///
    /// Read-only input cannot hold unescaped inline arguments: an inline argument with escapes or
    /// quotes that split it (`"a\nb"`, `a"b c"`) yields `.error(.inlineNeedsMutableInput)`. Plain and
    /// simply quoted inline arguments, and every multibulk request, parse exactly as with the
    /// mutable overload.
    public mutating func parse(_ input: UnsafeRawBufferPointer, into arguments: inout ArgumentVector) -> ParseResult {
        guard let base = input.baseAddress, input.count > 0 else { return .incomplete }
        return parse(base: base, writable: nil, count: input.count, into: &arguments)
    }

    /// The overload the server calls: `input` is the connection's own read buffer, so inline
    /// arguments with escapes are unescaped in place (bytes inside the command being parsed are
    /// rewritten; bytes after `consumed` are never touched).
    public mutating func parse(_ input: UnsafeMutableRawBufferPointer, into arguments: inout ArgumentVector) -> ParseResult {
        guard let base = input.baseAddress, input.count > 0 else { return .incomplete }
        return parse(base: UnsafeRawPointer(base), writable: base, count: input.count, into: &arguments)
    }

    /// Forgets partial state (after an error or a connection reset).
    public mutating func reset() {
        mode = .idle
        position = 0
        remaining = -1
        bulkLength = -1
        scanFrom = 0
        parsedArguments = 0
    }

    mutating func parse(base: UnsafeRawPointer, writable: UnsafeMutableRawPointer?, count: Int,
                        into arguments: inout ArgumentVector) -> ParseResult {
        // A caller that cleared the argument vector or shrank the input lost what our offsets refer
        // to: start over rather than return ranges for bytes that are gone.
        if mode != .idle && (arguments.count != parsedArguments || count < position) { reset() }
        if mode == .idle {
            arguments.removeAll()
            mode = base.load(as: UInt8.self) == UInt8(ascii: "*") ? .multibulk : .inline
        }
        let result: ParseResult
        if mode == .multibulk {
            result = parseMultibulk(base, count, &arguments)
        } else {
            result = parseInline(base, writable, count, &arguments)
        }
        if case .incomplete = result { return result }
        reset()
        return result
    }

    // MARK: multibulk

    /// Outcome of looking for a count line's '\r' the way Redis's `strchr` does.
    enum Line { case found(Int), needMore, tooBig }

    /// Finds the '\r' ending the line at `start`, requiring one more byte after it (Redis's
    /// "buffer should also contain \n" check: it skips that byte without looking at it).
    @inline(__always)
    mutating func findLine(_ base: UnsafeRawPointer, _ start: Int, _ count: Int) -> Line {
        let from = max(scanFrom, start)
        guard from < count, let hit = memchr(base + from, 13, count - from) else {
            scanFrom = count
            return count - start > limits.maxInlineLength ? .tooBig : .needMore
        }
        let cr = UnsafeRawPointer(hit) - base
        scanFrom = cr
        return cr + 1 < count ? .found(cr) : .needMore
    }

    /// Redis's `strchr` stops at a NUL: a line holding one before its '\r' was never "found". Only
    /// error paths can see such a line (no valid count contains NUL), so only they call this.
    @inline(__always)
    mutating func stalledOnNUL(_ base: UnsafeRawPointer, _ start: Int, _ cr: Int, _ count: Int,
                               _ tooBig: ProtocolError) -> ParseResult? {
        guard memchr(base + start, 0, cr - start) != nil else { return nil }
        scanFrom = start  // the NUL stays in the way: rescan from the line start next time
        return count - start > limits.maxInlineLength ? .error(tooBig) : .incomplete
    }

    mutating func parseMultibulk(_ base: UnsafeRawPointer, _ count: Int,
                                 _ arguments: inout ArgumentVector) -> ParseResult {
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var pos = position
        defer { position = pos }

        if remaining < 0, let (n, next) = fastHeader(UInt8(ascii: "*"), bytes, pos, count),
           n <= limits.maxMultibulkLength,
           !limits.unauthenticated || n <= ParserLimits.unauthenticatedMultibulkLengthMax {
            // The common "*<digits>\r" count line without memchr and the general integer parser.
            pos = next
            scanFrom = pos
            if n == 0 { return .command(consumed: pos) }
            remaining = n
            bulkLength = -1
        } else if remaining < 0 {
            let cr: Int
            switch findLine(base, pos, count) {
            case .found(let at): cr = at
            case .needMore: return .incomplete
            case .tooBig: return .error(.tooBigMultibulkCount)
            }
            let n = ByteStrings.parseInt64(UnsafeRawBufferPointer(start: base + pos + 1, count: cr - pos - 1))
            guard let n, n <= limits.maxMultibulkLength else {
                if let stalled = stalledOnNUL(base, pos, cr, count, .tooBigMultibulkCount) { return stalled }
                return .error(.invalidMultibulkLength)
            }
            if limits.unauthenticated && n > ParserLimits.unauthenticatedMultibulkLengthMax {
                return .error(.unauthenticatedMultibulkLength)
            }
            pos = cr + 2
            scanFrom = pos
            if n <= 0 { return .command(consumed: pos) }
            remaining = Int(n)
            bulkLength = -1
        }

        // Fast loop over elements that are complete and ordinary: the state stays in registers and
        // is written back once (the general loop below stores five fields per element). It stops at
        // the first element it is not sure about, which the general loop then handles as before.
        if remaining > 0 && bulkLength < 0 {
            var left = remaining
            var p = pos
            // Anything larger (or, before AUTH, above Redis's 16 KiB) takes the general loop, which
            // reports the right error.
            let maxBulk = limits.unauthenticated
                ? min(limits.maxBulkLength, ParserLimits.unauthenticatedBulkLengthMax) : limits.maxBulkLength
            while left > 0, let (length, next) = fastHeader(UInt8(ascii: "$"), bytes, p, count),
                  length <= maxBulk, length <= count &- next &- 2 {
                arguments.append(ArgumentRange(offset: next, count: length))
                p = next &+ length &+ 2
                left &-= 1
            }
            if p != pos {
                parsedArguments &+= remaining &- left
                remaining = left
                pos = p
                scanFrom = p
            }
        }

        while remaining > 0 {
            if bulkLength < 0 {
                if let (length, next) = fastHeader(UInt8(ascii: "$"), bytes, pos, count) {
                    guard length <= limits.maxBulkLength else { return .error(.invalidBulkLength) }
                    if limits.unauthenticated && length > ParserLimits.unauthenticatedBulkLengthMax {
                        return .error(.unauthenticatedBulkLength)
                    }
                    bulkLength = length
                    pos = next
                } else {
                    let cr: Int
                    switch findLine(base, pos, count) {
                    case .found(let at): cr = at
                    case .needMore: return .incomplete
                    case .tooBig: return .error(.tooBigBulkCount)
                    }
                    if bytes[pos] != UInt8(ascii: "$") {
                        if let stalled = stalledOnNUL(base, pos, cr, count, .tooBigBulkCount) { return stalled }
                        return .error(.expectedDollar(got: bytes[pos]))
                    }
                    let n = ByteStrings.parseInt64(UnsafeRawBufferPointer(start: base + pos + 1, count: cr - pos - 1))
                    guard let n, n >= 0, n <= limits.maxBulkLength else {
                        if let stalled = stalledOnNUL(base, pos, cr, count, .tooBigBulkCount) { return stalled }
                        return .error(.invalidBulkLength)
                    }
                    if limits.unauthenticated && n > ParserLimits.unauthenticatedBulkLengthMax {
                        return .error(.unauthenticatedBulkLength)
                    }
                    bulkLength = Int(n)
                    pos = cr + 2
                }
            }
            // Bulk data plus the two bytes Redis skips without checking them for "\r\n".
            if bulkLength > count - pos - 2 { return .incomplete }
            arguments.append(ArgumentRange(offset: pos, count: bulkLength))
            parsedArguments += 1
            pos += bulkLength + 2
            bulkLength = -1
            remaining -= 1
            scanFrom = pos
        }
        return .command(consumed: pos)
    }

    /// The common `$<digits>\r?` (or `*<digits>\r?`) header decoded in one pass. Returns nil
    /// whenever the answer is not certain to equal Redis's (sign, leading zero, more than 18 digits,
    /// anything unusual, line not yet complete), and the exact slow path decides.
    @inline(__always)
    func fastHeader(_ prefix: UInt8, _ bytes: UnsafePointer<UInt8>, _ pos: Int, _ count: Int) -> (Int, Int)? {
        // Offsets are below `count` (an in-memory size), so the wrapping operators cannot wrap.
        guard pos &+ 3 < count, bytes[pos] == prefix else { return nil }
        var i = pos &+ 1
        var value = 0
        let limit = Swift.min(count, pos &+ 19)
        while i < limit {
            let d = bytes[i] &- 48
            if d > 9 { break }
            value = value &* 10 &+ Int(d)
            i &+= 1
        }
        let digits = i &- pos &- 1
        guard digits > 0, i &+ 1 < count, bytes[i] == 13,
              digits == 1 || bytes[pos &+ 1] != UInt8(ascii: "0") else { return nil }
        return (value, i &+ 2)
    }
}
