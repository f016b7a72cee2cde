// CONTRACT STUB — the Bytes/RESP helper replaces the bodies; public signatures are fixed.

/// Byte-level helpers used on the request path instead of String.
public enum ByteStrings {
    /// ASCII case-insensitive equality with a lowercase literal (`equalsIgnoringCase(arg, "ex")`).
    public static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool { fatalError("unimplemented") }
    /// Exact byte equality.
    public static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool { fatalError("unimplemented") }
    /// Redis `string2ll`: strict base-10 Int64 (optional '-', no '+', no spaces, no leading zeros
    /// except "0", at most 20 chars); nil otherwise.
    public static func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? { fatalError("unimplemented") }
    /// Redis `string2ld`/strtold as used by INCRBYFLOAT and HINCRBYFLOAT: accepts what strtold accepts
    /// (no leading space, no trailing garbage), rejects NaN; nil otherwise. Infinity parses (caller rejects).
    public static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? { fatalError("unimplemented") }
    /// Formats like Redis `ld2string(..., LD_STR_HUMAN)` (INCRBYFLOAT result: "%.17Lf" then trailing zeros
    /// and a trailing '.' removed; as Redis does with long double). Returns byte count written (≤ 5000).
    public static func formatHumanDouble(_ value: Double, into buffer: UnsafeMutableRawBufferPointer) -> Int { fatalError("unimplemented") }
    /// Formats like Redis RESP3 double / `%.17g` (`inf`, `-inf`, `nan`). Returns byte count written.
    public static func formatDouble(_ value: Double, into buffer: UnsafeMutableRawBufferPointer) -> Int { fatalError("unimplemented") }
    /// Writes Int64 in decimal; returns byte count (≤ 20).
    public static func formatInt64(_ value: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int { fatalError("unimplemented") }
    /// Redis `stringmatchlen` glob matching (`*`, `?`, `[a-z]`, `[^x]`, `\` escapes), optional nocase.
    public static func globMatch(pattern: UnsafeRawBufferPointer, string: UnsafeRawBufferPointer, ignoringCase: Bool) -> Bool { fatalError("unimplemented") }
}

/// A fast non-cryptographic 64-bit hash (wyhash-style), seeded per process against hash flooding.
public enum ByteHash {
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 { fatalError("unimplemented") }
}
