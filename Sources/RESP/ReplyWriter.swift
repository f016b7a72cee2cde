// CONTRACT STUB — the Bytes/RESP helper replaces the bodies; public signatures are fixed.
import Bytes

public enum ProtocolVersion: Int, Sendable { case resp2 = 2, resp3 = 3 }

/// Writes replies into an output buffer. Owns the RESP2/RESP3 difference: handlers call
/// `null()`, `map(count:)`, `double(_:)`…, never write protocol bytes themselves.
public struct ReplyWriter: ~Copyable {
    public var buffer: ByteBuffer
    public var version: ProtocolVersion
    public init(initialCapacity: Int = 16 * 1024, version: ProtocolVersion = .resp2) { fatalError("unimplemented") }

    /// "+OK\r\n"
    public mutating func ok() { fatalError("unimplemented") }
    /// "+<text>\r\n" (text must not contain CR/LF).
    public mutating func simple(_ text: StaticString) { fatalError("unimplemented") }
    public mutating func simple(_ bytes: UnsafeRawBufferPointer) { fatalError("unimplemented") }
    /// "-<message>\r\n"; message is the full text including the code, e.g. "ERR syntax error".
    public mutating func error(_ message: StaticString) { fatalError("unimplemented") }
    /// Error built from pieces (e.g. "ERR unknown command '", name, "'…"); CR/LF in pieces become spaces.
    public mutating func error(_ parts: [UnsafeRawBufferPointer]) { fatalError("unimplemented") }
    public mutating func integer(_ value: Int) { fatalError("unimplemented") }
    public mutating func bulk(_ bytes: UnsafeRawBufferPointer) { fatalError("unimplemented") }
    public mutating func bulk(_ text: StaticString) { fatalError("unimplemented") }
    /// A bulk string holding `value` in decimal.
    public mutating func bulk(decimal value: Int) { fatalError("unimplemented") }
    /// RESP2 "$-1\r\n", RESP3 "_\r\n".
    public mutating func null() { fatalError("unimplemented") }
    /// RESP2 "*-1\r\n", RESP3 "_\r\n".
    public mutating func nullArray() { fatalError("unimplemented") }
    public mutating func array(count: Int) { fatalError("unimplemented") }
    /// RESP3 "%n", RESP2 "*2n".
    public mutating func map(count: Int) { fatalError("unimplemented") }
    /// RESP3 "~n", RESP2 "*n".
    public mutating func set(count: Int) { fatalError("unimplemented") }
    /// RESP3 ">n", RESP2 "*n".
    public mutating func push(count: Int) { fatalError("unimplemented") }
    /// RESP3 ",<%.17g>", RESP2 bulk string of the same text.
    public mutating func double(_ value: Double) { fatalError("unimplemented") }
    /// RESP3 "#t"/"#f", RESP2 ":1"/":0".
    public mutating func boolean(_ value: Bool) { fatalError("unimplemented") }
    /// RESP3 "=len\r\ntxt:<text>", RESP2 bulk string (INFO, CLIENT LIST use it in Redis 7).
    public mutating func verbatim(_ bytes: UnsafeRawBufferPointer, format: StaticString = "txt") { fatalError("unimplemented") }
    /// Starts an aggregate whose count is known only later (KEYS, SCAN, COMMAND…): returns a token
    /// for `finishDeferred`. `kind` is "*" (array), "%" (map: count is pairs), "~" (set).
    public mutating func beginDeferred(_ kind: UInt8) -> Int { fatalError("unimplemented") }
    public mutating func finishDeferred(_ token: Int, count: Int) { fatalError("unimplemented") }
}
