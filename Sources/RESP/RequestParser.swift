// CONTRACT STUB — the Bytes/RESP helper replaces the bodies; public signatures are fixed.

/// Limits on everything the parser accepts (Redis's names and defaults).
public struct ParserLimits: Sendable {
    /// proto-max-bulk-len (512 MB).
    public var maxBulkLength: Int = 512 * 1024 * 1024
    /// Largest multibulk element count (Redis: INT_MAX, 1024*1024 before auth is issue 6's concern).
    public var maxMultibulkLength: Int = Int(Int32.max)
    /// PROTO_INLINE_MAX_SIZE: an inline command (no '*') longer than this without a newline is an error.
    public var maxInlineLength: Int = 64 * 1024
    public init() {}
}

/// Why a request was rejected. `message` is Redis's exact reply text without '-' and CRLF,
/// e.g. "ERR Protocol error: invalid bulk length". The connection is closed after replying.
public struct ProtocolError: Error, Sendable, Equatable {
    public let message: StaticString
    public init(_ message: StaticString) { self.message = message }
    public static func == (a: ProtocolError, b: ProtocolError) -> Bool {
        a.message.utf8Start == b.message.utf8Start
    }
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
public struct RequestParser: Sendable {
    public var limits: ParserLimits
    public init(limits: ParserLimits = ParserLimits()) { fatalError("unimplemented") }
    /// Parses one command from the start of `input` (the readable bytes, from the same start as
    /// in the previous call if that returned `.incomplete`).
    public mutating func parse(_ input: UnsafeRawBufferPointer, into arguments: inout ArgumentVector) -> ParseResult { fatalError("unimplemented") }
    /// Forgets partial state (after an error or a connection reset).
    public mutating func reset() { fatalError("unimplemented") }
}
