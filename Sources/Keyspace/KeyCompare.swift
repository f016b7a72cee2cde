import Glibc

// Keys hash with `Bytes.ByteHash` (wyhash, seeded per process); this file keeps the key compare.

/// Byte equality of two keys (length first, then memcmp).
@inline(__always)
func keysEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let n = a.count
    guard n == b.count else { return false }
    if n == 0 { return true }
    return memcmp(a.baseAddress!, b.baseAddress!, n) == 0
}
