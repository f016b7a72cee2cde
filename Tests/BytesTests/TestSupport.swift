import XCTest

/// Runs `body` over the UTF-8 bytes of a test literal.
func withBytes<R>(_ s: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let a = Array(s.utf8)
    return a.withUnsafeBytes(body)
}

func withBytes<R>(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
    a.withUnsafeBytes(body)
}

/// Calls a `(value, into buffer) -> count` formatter and returns the text.
func formatted(_ f: (UnsafeMutableRawBufferPointer) -> Int) -> String {
    var storage = [UInt8](repeating: 0, count: 6000)
    let n = storage.withUnsafeMutableBytes { f($0) }
    return String(decoding: storage[0..<n], as: UTF8.self)
}
