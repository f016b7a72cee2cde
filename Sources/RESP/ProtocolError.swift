import Glibc

/// Why a request was rejected. `message` is Redis's exact reply text without '-' and CRLF,
/// e.g. "ERR Protocol error: invalid bulk length". The connection is closed after replying.
///
/// One message is parameterised in Redis ("expected '$', got '%c'"): for it `message` holds the text
/// up to and including "got '" and `got` holds the offending byte; `ReplyWriter.error(_:ProtocolError)`
/// renders the complete text. For every other error `got` is nil and `message` is the whole text.
public struct ProtocolError: Error, Sendable, Equatable {
    public let message: StaticString
    /// The byte Redis prints with `%c` in "expected '$', got '<c>'"; nil for fixed messages.
    public let got: UInt8?

    public init(_ message: StaticString) { self.message = message; self.got = nil }
    public init(_ message: StaticString, got: UInt8?) { self.message = message; self.got = got }

    /// Compares the text, not the literal's address: identical literals in different modules
    /// (a test, the server) need not share storage.
    public static func == (a: ProtocolError, b: ProtocolError) -> Bool {
        guard a.got == b.got else { return false }
        return a.message.withUTF8Buffer { x in
            b.message.withUTF8Buffer { y in
                x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }

    public static var invalidMultibulkLength: ProtocolError {
        ProtocolError("ERR Protocol error: invalid multibulk length")
    }
    public static var invalidBulkLength: ProtocolError {
        ProtocolError("ERR Protocol error: invalid bulk length")
    }
    public static var tooBigMultibulkCount: ProtocolError {
        ProtocolError("ERR Protocol error: too big mbulk count string")
    }
    public static var tooBigBulkCount: ProtocolError {
        ProtocolError("ERR Protocol error: too big bulk count string")
    }
    /// Before AUTH (Redis `authRequired`): more than 10 arguments, or a bulk over 16384 bytes.
    public static var unauthenticatedMultibulkLength: ProtocolError {
        ProtocolError("ERR Protocol error: unauthenticated multibulk length")
    }
    public static var unauthenticatedBulkLength: ProtocolError {
        ProtocolError("ERR Protocol error: unauthenticated bulk length")
    }
    public static var tooBigInlineRequest: ProtocolError {
        ProtocolError("ERR Protocol error: too big inline request")
    }
    public static var unbalancedQuotes: ProtocolError {
        ProtocolError("ERR Protocol error: unbalanced quotes in request")
    }
    /// Rendered as "ERR Protocol error: expected '$', got '<byte>'".
    public static func expectedDollar(got byte: UInt8) -> ProtocolError {
        ProtocolError("ERR Protocol error: expected '$', got '", got: byte)
    }
    /// Not a Redis error: only the read-only `parse` overload returns it, for an inline argument whose
    /// escapes or quotes would need rewriting in place. The server uses the mutable overload.
    public static var inlineNeedsMutableInput: ProtocolError {
        ProtocolError("ERR Protocol error: inline escapes need a writable buffer")
    }
}
