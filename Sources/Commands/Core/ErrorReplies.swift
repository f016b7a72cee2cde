/// Every fixed error text, exactly as Redis 7 writes it (without '-' and CRLF).
/// Texts built from arguments (unknown command, arity) are rendered by `Client`.
public enum ErrorReply {
    public static let syntax: StaticString = "ERR syntax error"
    public static let notInteger: StaticString = "ERR value is not an integer or out of range"
    public static let notFloat: StaticString = "ERR value is not a valid float"
    public static let wrongType: StaticString = "WRONGTYPE Operation against a key holding the wrong kind of value"
    public static let noSuchKey: StaticString = "ERR no such key"
    public static let overflow: StaticString = "ERR increment or decrement would overflow"
    public static let nanOrInfinity: StaticString = "ERR increment would produce NaN or Infinity"
    public static let dbIndexOutOfRange: StaticString = "ERR DB index is out of range"
    public static let invalidDBIndex: StaticString = "ERR invalid DB index"
    public static let invalidCursor: StaticString = "ERR invalid cursor"
    public static let stringTooLong: StaticString = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    public static let offsetOutOfRange: StaticString = "ERR offset is out of range"
    public static let sameObject: StaticString = "ERR source and destination objects are the same"
    public static let protocolVersionUnsupported: StaticString = "NOPROTO unsupported protocol version"
    public static let nxAndXX: StaticString = "ERR NX and XX, GT or LT options at the same time are not compatible"
    public static let gtLtNx: StaticString = "ERR GT, LT, and/or NX options at the same time are not compatible"
    public static let timeout: StaticString = "ERR timeout is not an integer or out of range"
    public static let decrementOverflow: StaticString = "ERR decrement would overflow"
}
