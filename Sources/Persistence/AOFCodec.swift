import Bytes
import Glibc

// The append-only file is RESP: each command a multibulk "*<argc>\r\n" then "$<len>\r\n<arg>\r\n"
// per argument, optionally preceded by an RDB image (the base of a rewrite) and interleaved with
// "#..." annotation lines (aof-timestamp-enabled). Redis's loader is loadSingleAppendOnlyFile.

/// Encodes commands for the AOF exactly as Redis's catAppendOnlyGenericCommand does. The server's
/// propagation point calls `appendHeader` then `appendArgument` per argument: no allocation
/// beyond the buffer's own growth. Translating relative expiries to absolute ones (EXPIRE →
/// PEXPIREAT, SET EX → SET PXAT) and emitting SELECT on database changes is the caller's job,
/// as in Redis's propagation.
public enum AOFEncoder {
    public static func appendHeader(argumentCount: Int, into buffer: inout ByteBuffer) {
        precondition(argumentCount > 0, "an AOF command needs at least its name")
        buffer.write(byte: UInt8(ascii: "*"))
        buffer.writeDecimal(argumentCount)
        buffer.write("\r\n")
    }

    public static func appendArgument(_ bytes: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        buffer.write(byte: UInt8(ascii: "$"))
        buffer.writeDecimal(bytes.count)
        buffer.write("\r\n")
        buffer.write(bytes)
        buffer.write("\r\n")
    }

    /// `SELECT <db>`, which Redis writes before the first command of each database switch.
    public static func appendSelect(_ database: Int, into buffer: inout ByteBuffer) {
        appendHeader(argumentCount: 2, into: &buffer)
        buffer.write("$6\r\nSELECT\r\n")
        var digits = [UInt8](decimal: Int64(database))
        digits.withUnsafeBytes { appendArgument($0, into: &buffer) }
        digits.removeAll()
    }

    public static func appendCommand(_ argv: [[UInt8]], into buffer: inout ByteBuffer) {
        appendHeader(argumentCount: argv.count, into: &buffer)
        for a in argv { a.withUnsafeBytes { appendArgument($0, into: &buffer) } }
    }
}

/// One parsed command: borrowed views into the file's bytes, valid only during the callback.
public struct AOFCommand {
    public var arguments: [UnsafeRawBufferPointer] = []
    /// Byte offset of the command's '*' in the file (for "unknown command at byte N" messages).
    public var offset: Int = 0
    public var count: Int { arguments.count }
    public subscript(index: Int) -> UnsafeRawBufferPointer { arguments[index] }
}

/// How a parse ended.
public struct AOFLoadResult: Sendable {
    public var commands = 0
    /// Offset just past the last command that is safe to keep: Redis's valid_up_to, or the offset
    /// before an unfinished MULTI. Everything before it has been delivered.
    public var validLength = 0
    /// True when bytes follow `validLength` that could not be used: a torn final command or a
    /// MULTI without EXEC. With aof-load-truncated yes the caller truncates the file to
    /// `validLength` (only the last file of a manifest may be torn); otherwise it refuses to start.
    public var truncated = false
    /// The unfinished transaction's commands were dropped (never delivered), as Redis does.
    public var openTransactionDropped = false
    /// Set when the file starts with an RDB image (rewrite base or old preamble).
    public var rdbPreamble: RDBLoadSummary?
}

public enum AOFReader {
    /// Parses an AOF image. Keys from an RDB preamble go to `keys`; commands go to `command` in
    /// order, except that commands between MULTI and EXEC are held back and delivered (MULTI
    /// included) only when their EXEC has been read, so a torn transaction is never half applied.
    public static func load(_ bytes: UnsafeRawBufferPointer,
                            keys: (PersistedKey) throws(PersistenceError) -> Void,
                            command: (AOFCommand) throws(PersistenceError) -> Void) throws(PersistenceError) -> AOFLoadResult {
        var result = AOFLoadResult()
        var at = 0
        if bytes.count >= 5 && bytes.starts(with: Array("REDIS".utf8)) {
            let summary = try RDBReader.load(bytes, sink: keys)
            result.rdbPreamble = summary
            at = summary.endOffset
        }
        result.validLength = at
        var current = AOFCommand()
        var pending: [(offset: Int, ranges: [Range<Int>])] = []
        var inMulti = false
        var validBeforeMulti = at

        func view(_ r: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[r]) }

        while at < bytes.count {
            let start = at
            if bytes[at] == UInt8(ascii: "#") {
                // Annotation: skip the line. One torn at EOF is harmless, as for Redis (fgets).
                guard let end = lineEnd(bytes, from: at) else { break }
                at = end
                continue
            }
            if bytes[at] != UInt8(ascii: "*") {
                throw .corrupt(offset: at, reason: "bad file format: expected '*' starting a command")
            }
            var ranges: [Range<Int>] = []
            switch parseCommand(bytes, at: &at, into: &ranges) {
            case .torn:
                result.truncated = true
                at = bytes.count
                continue
            case .corrupt(let offset, let reason):
                throw .corrupt(offset: offset, reason: reason)
            case .complete:
                break
            }
            let name = view(ranges[0])
            if inMulti {
                pending.append((start, ranges))
                if ByteStrings.equalsIgnoringCase(name, "exec") {
                    for p in pending {
                        current.offset = p.offset
                        current.arguments.removeAll(keepingCapacity: true)
                        for r in p.ranges { current.arguments.append(view(r)) }
                        try command(current)
                        result.commands += 1
                    }
                    pending.removeAll()
                    inMulti = false
                    result.validLength = at
                }
                continue
            }
            if ByteStrings.equalsIgnoringCase(name, "multi") {
                inMulti = true
                validBeforeMulti = start
                pending.append((start, ranges))
                continue
            }
            current.offset = start
            current.arguments.removeAll(keepingCapacity: true)
            for r in ranges { current.arguments.append(view(r)) }
            try command(current)
            result.commands += 1
            result.validLength = at
        }
        if inMulti {
            result.truncated = true
            result.openTransactionDropped = true
            result.validLength = validBeforeMulti
        }
        return result
    }

    enum ParseOutcome { case complete, torn, corrupt(Int, String) }

    /// One multibulk command at `at`; on success `at` moves past it and `ranges` holds its arguments.
    static func parseCommand(_ bytes: UnsafeRawBufferPointer, at: inout Int, into ranges: inout [Range<Int>]) -> ParseOutcome {
        let start = at
        guard let headerEnd = lineEnd(bytes, from: at) else { return .torn }
        guard let argc = decimal(bytes, from: at + 1, to: headerEnd - 2), argc >= 1 else {
            return .corrupt(start, "bad argument count")
        }
        at = headerEnd
        for _ in 0..<argc {
            if at >= bytes.count { return .torn }
            if bytes[at] != UInt8(ascii: "$") { return .corrupt(at, "bad file format: expected '$' starting an argument") }
            guard let lenEnd = lineEnd(bytes, from: at) else { return .torn }
            guard let len = decimal(bytes, from: at + 1, to: lenEnd - 2) else { return .corrupt(at, "bad argument length") }
            if len > bytes.count - lenEnd { return .torn }
            let dataEnd = lenEnd + len
            if bytes.count - dataEnd < 2 {
                // Only a torn file ends here; bytes that are present must still be the CRLF start.
                if dataEnd < bytes.count && bytes[dataEnd] != 13 { return .corrupt(dataEnd, "argument not followed by CRLF") }
                return .torn
            }
            if bytes[dataEnd] != 13 || bytes[dataEnd + 1] != 10 { return .corrupt(dataEnd, "argument not followed by CRLF") }
            ranges.append(lenEnd..<dataEnd)
            at = dataEnd + 2
        }
        return .complete
    }

    /// Offset just past the "\r\n" ending the line that starts at `from`, or nil when the file ends first.
    static func lineEnd(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        while i < bytes.count {
            if bytes[i] == 10 { return i + 1 }
            i += 1
        }
        return nil
    }

    /// Non-negative decimal in bytes[from..<to], which must end with the "\r" of a CRLF; nil otherwise.
    static func decimal(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        if to < from || to >= bytes.count || bytes[to] != 13 || to == from || to - from > 18 { return nil }
        var v = 0
        for i in from..<to {
            let d = Int(bytes[i]) - 48
            if d < 0 || d > 9 { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// Cuts a torn tail off, as Redis does under aof-load-truncated yes (then fsyncs the file).
    public static func truncateFile(_ path: String, to length: Int) throws(PersistenceError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 { throw .io(operation: "open \(path)", errno: errno) }
        defer { close(fd) }
        if ftruncate(fd, off_t(length)) != 0 { throw .io(operation: "ftruncate \(path)", errno: errno) }
        if fsync(fd) != 0 { throw .io(operation: "fsync \(path)", errno: errno) }
    }
}
