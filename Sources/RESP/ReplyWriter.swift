import Bytes
import Glibc

public enum ProtocolVersion: Int, Sendable { case resp2 = 2, resp3 = 3 }

/// Writes replies into an output buffer. Owns the RESP2/RESP3 difference: handlers call
/// `null()`, `map(count:)`, `double(_:)`…, never write protocol bytes themselves.
///
/// Encodings are Redis 7's `addReply*` byte for byte.
public struct ReplyWriter: ~Copyable {
    public var buffer: ByteBuffer
    public var version: ProtocolVersion

    public init(initialCapacity: Int = 16 * 1024, version: ProtocolVersion = .resp2) {
        buffer = ByteBuffer(capacity: initialCapacity)
        self.version = version
    }

    @inlinable mutating func crlf() {
        buffer.reserveWritable(2)
        buffer.writePointer.storeBytes(of: 0x0A0D as UInt16, as: UInt16.self)  // "\r\n", little-endian
        buffer.commitWritten(2)
    }

    /// "<prefix><n>\r\n": every length header and integer reply. One capacity check, then plain
    /// stores (this runs once per reply).
    @inlinable mutating func header(_ prefix: UInt8, _ n: Int) {
        buffer.reserveWritable(ByteBuffer.maxDecimalLength + 3)
        let p = buffer.writePointer.assumingMemoryBound(to: UInt8.self)
        p[0] = prefix
        let digits = ByteBuffer.formatDecimal(n, into: p + 1)
        p[1 + digits] = 13
        p[2 + digits] = 10
        buffer.writerIndex += digits + 3
    }

    /// "+OK\r\n"
    @inlinable public mutating func ok() {
        buffer.reserveWritable(5)
        let p = buffer.writePointer
        p.storeBytes(of: 0x0D4B_4F2B as UInt32, as: UInt32.self)  // "+OK\r", little-endian
        (p + 4).storeBytes(of: 10 as UInt8, as: UInt8.self)
        buffer.writerIndex += 5
    }

    /// "+<text>\r\n" (text must not contain CR/LF).
    @inlinable public mutating func simple(_ text: StaticString) {
        buffer.write(byte: UInt8(ascii: "+"))
        buffer.write(text)
        crlf()
    }

    @inlinable public mutating func simple(_ bytes: UnsafeRawBufferPointer) {
        buffer.write(byte: UInt8(ascii: "+"))
        buffer.write(bytes)
        crlf()
    }

    /// "-<message>\r\n"; message is the full text including the code, e.g. "ERR syntax error".
    public mutating func error(_ message: StaticString) {
        buffer.write(byte: UInt8(ascii: "-"))
        buffer.write(message)
        crlf()
    }

    /// Error built from pieces (e.g. "ERR unknown command '", name, "'…"); CR/LF in pieces become spaces.
    public mutating func error(_ parts: [UnsafeRawBufferPointer]) {
        buffer.write(byte: UInt8(ascii: "-"))
        for part in parts { writeSanitized(part) }
        crlf()
    }

    /// "+OK", or the error a server operation reported (its full text, e.g. "ERR …").
    public mutating func okOrError(_ error: [UInt8]?) {
        guard let error else { return ok() }
        error.withUnsafeBytes { self.error([$0]) }
    }

    /// A parser error with Redis's exact text, including the byte of "expected '$', got '<c>'"
    /// (Redis maps CR/LF in formatted errors to spaces, so a '\r' there prints as ' ').
    public mutating func error(_ protocolError: ProtocolError) {
        buffer.write(byte: UInt8(ascii: "-"))
        buffer.write(protocolError.message)
        if let got = protocolError.got {
            buffer.write(byte: got == 13 || got == 10 ? 32 : got)
            buffer.write(byte: UInt8(ascii: "'"))
        }
        crlf()
    }

    /// Like Redis `addReplyErrorFormat`: a protocol can't carry CR/LF inside an error line.
    mutating func writeSanitized(_ part: UnsafeRawBufferPointer) {
        let n = part.count
        guard n > 0 else { return }
        buffer.reserveWritable(n)
        let dst = buffer.writePointer.assumingMemoryBound(to: UInt8.self)
        for i in 0..<n {
            let c = part[i]
            dst[i] = c == 13 || c == 10 ? 32 : c
        }
        buffer.commitWritten(n)
    }

    @inlinable public mutating func integer(_ value: Int) { header(UInt8(ascii: ":"), value) }

    @inlinable public mutating func bulk(_ bytes: UnsafeRawBufferPointer) {
        buffer.reserveWritable(bytes.count + 26)
        header(UInt8(ascii: "$"), bytes.count)
        buffer.write(bytes)
        crlf()
    }

    @inlinable public mutating func bulk(_ text: StaticString) {
        text.withUTF8Buffer { bulk(UnsafeRawBufferPointer($0)) }
    }

    /// A bulk string holding `value` in decimal.
    @inlinable public mutating func bulk(decimal value: Int) {
        var magnitude = value.magnitude
        var digits = 1
        while magnitude >= 10 { magnitude /= 10; digits += 1 }
        header(UInt8(ascii: "$"), digits + (value < 0 ? 1 : 0))
        buffer.writeDecimal(value)
        crlf()
    }

    /// RESP2 "$-1\r\n", RESP3 "_\r\n".
    @inlinable public mutating func null() {
        if version == .resp3 { buffer.write("_\r\n") } else { buffer.write("$-1\r\n") }
    }

    /// RESP2 "*-1\r\n", RESP3 "_\r\n".
    @inlinable public mutating func nullArray() {
        if version == .resp3 { buffer.write("_\r\n") } else { buffer.write("*-1\r\n") }
    }

    @inlinable public mutating func array(count: Int) { header(UInt8(ascii: "*"), count) }

    /// RESP3 "%n", RESP2 "*2n".
    @inlinable public mutating func map(count: Int) {
        if version == .resp3 { header(UInt8(ascii: "%"), count) } else { header(UInt8(ascii: "*"), count * 2) }
    }

    /// RESP3 "~n", RESP2 "*n".
    @inlinable public mutating func set(count: Int) {
        header(version == .resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*"), count)
    }

    /// RESP3 ">n", RESP2 "*n".
    @inlinable public mutating func push(count: Int) {
        header(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), count)
    }

    /// RESP3 ",<%.17g>", RESP2 bulk string of the same text.
    public mutating func double(_ value: Double) {
        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 1) { tmp in
            let n = ByteStrings.formatDouble(value, into: tmp)
            let text = UnsafeRawBufferPointer(start: tmp.baseAddress, count: n)
            if version == .resp3 {
                buffer.write(byte: UInt8(ascii: ","))
                buffer.write(text)
                crlf()
            } else {
                bulk(text)
            }
        }
    }

    /// RESP3 "#t"/"#f", RESP2 ":1"/":0".
    @inlinable public mutating func boolean(_ value: Bool) {
        if version == .resp3 {
            if value { buffer.write("#t\r\n") } else { buffer.write("#f\r\n") }
        } else {
            if value { buffer.write(":1\r\n") } else { buffer.write(":0\r\n") }
        }
    }

    /// RESP3 "=len\r\ntxt:<text>", RESP2 bulk string (INFO, CLIENT LIST use it in Redis 7).
    /// `format` must be exactly three bytes, as RESP3 requires.
    public mutating func verbatim(_ bytes: UnsafeRawBufferPointer, format: StaticString = "txt") {
        guard version == .resp3 else { return bulk(bytes) }
        precondition(format.utf8CodeUnitCount == 3, "verbatim format must be 3 bytes")
        header(UInt8(ascii: "="), bytes.count + 4)
        buffer.write(format)
        buffer.write(byte: UInt8(ascii: ":"))
        buffer.write(bytes)
        crlf()
    }

    /// Width of the hole `beginDeferred` reserves: kind byte, up to 20 digits, CRLF.
    @usableFromInline static var deferredHoleSize: Int { 23 }

    /// Starts an aggregate whose count is known only later (KEYS, SCAN, COMMAND…): returns a token
    /// for `finishDeferred`. `kind` is "*" (array), "%" (map: count is pairs), "~" (set).
    ///
    /// A fixed-width hole is reserved and the elements follow it; `finishDeferred` writes the real
    /// header at the end of the hole and slides the elements back once. Tokens are absolute buffer
    /// offsets: the buffer must not be consumed, compacted or cleared between begin and finish, and
    /// nested deferred aggregates must be finished innermost first.
    public mutating func beginDeferred(_ kind: UInt8) -> Int {
        let token = buffer.writerIndex
        buffer.reserveWritable(Self.deferredHoleSize)
        buffer.writePointer.storeBytes(of: kind, as: UInt8.self)
        buffer.commitWritten(Self.deferredHoleSize)
        return token
    }

    public mutating func finishDeferred(_ token: Int, count: Int) {
        let holeEnd = token + Self.deferredHoleSize
        precondition(token >= buffer.readerIndex && holeEnd <= buffer.writerIndex, "stale deferred token")
        let kind = (buffer.base + token).load(as: UInt8.self)
        var prefix = kind
        var n = count
        if version == .resp2 {
            // RESP2 has only arrays: a map of n pairs is 2n elements.
            if kind == UInt8(ascii: "%") { n = count * 2 }
            if kind == UInt8(ascii: "%") || kind == UInt8(ascii: "~") { prefix = UInt8(ascii: "*") }
        }
        // Render the header past the elements (temporarily committed), then move it into the hole.
        let tailLength = buffer.writerIndex - holeEnd
        let mark = buffer.writerIndex
        header(prefix, n)
        let headerLength = buffer.writerIndex - mark
        let start = buffer.base + token
        // The longest header ("*-9223372036854775808\r\n") is exactly the hole size.
        assert(headerLength <= Self.deferredHoleSize)
        let scratch = buffer.base + mark
        // Stash the header, slide the elements back over the hole's slack, then put the header in
        // front: one memmove of the element bytes in total.
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { tmp in
            tmp.baseAddress!.copyMemory(from: scratch, byteCount: headerLength)
            if tailLength > 0 { memmove(start + headerLength, start + Self.deferredHoleSize, tailLength) }
            start.copyMemory(from: tmp.baseAddress!, byteCount: headerLength)
        }
        buffer.writerIndex = token + headerLength + tailLength
    }
}
