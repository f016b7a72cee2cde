import Glibc

// The keyspace's own hash: a seeded wyhash-style function. Lives here (not in Bytes) so the
// table's hot path is self-contained and inlinable into `Keyspace.hash`.

@usableFromInline let wyP0: UInt64 = 0xa076_1d64_78bd_642f
@usableFromInline let wyP1: UInt64 = 0xe703_7ed1_a0b4_28db
@usableFromInline let wyP2: UInt64 = 0x8ebc_6af0_9c88_c6e3
@usableFromInline let wyP3: UInt64 = 0x5899_65cc_7537_4cc3

/// 64x64->128 multiply folded to 64 bits: the wyhash mixing primitive.
@inlinable @inline(__always)
func wyMix(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let r = a.multipliedFullWidth(by: b)
    return r.high ^ r.low
}

@inlinable @inline(__always)
func wyRead8(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
}

@inlinable @inline(__always)
func wyRead4(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
    UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
}

/// Seeded 64-bit hash of `key` (wyhash final-v4 structure: 8 bytes at a time, full-width multiply).
@inlinable
func keyHash(_ key: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
    let n = key.count
    var s = seed ^ wyMix(seed ^ wyP0, wyP1)
    var a: UInt64 = 0
    var b: UInt64 = 0
    if let p = key.baseAddress, n > 0 {
        if n <= 16 {
            if n >= 4 {
                let shift = (n >> 3) << 2
                a = (wyRead4(p, 0) << 32) | wyRead4(p, shift)
                b = (wyRead4(p, n - 4) << 32) | wyRead4(p, n - 4 - shift)
            } else {
                // 1...3 bytes: first, middle and last byte.
                a = (UInt64(p.load(fromByteOffset: 0, as: UInt8.self)) << 16)
                    | (UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8)
                    | UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
            }
        } else {
            var i = n
            var offset = 0
            if i > 48 {
                var s1 = s
                var s2 = s
                repeat {
                    s = wyMix(wyRead8(p, offset) ^ wyP1, wyRead8(p, offset + 8) ^ s)
                    s1 = wyMix(wyRead8(p, offset + 16) ^ wyP2, wyRead8(p, offset + 24) ^ s1)
                    s2 = wyMix(wyRead8(p, offset + 32) ^ wyP3, wyRead8(p, offset + 40) ^ s2)
                    offset += 48
                    i -= 48
                } while i > 48
                s ^= s1 ^ s2
            }
            while i > 16 {
                s = wyMix(wyRead8(p, offset) ^ wyP1, wyRead8(p, offset + 8) ^ s)
                offset += 16
                i -= 16
            }
            a = wyRead8(p, offset + i - 16)
            b = wyRead8(p, offset + i - 8)
        }
    }
    a ^= wyP1
    b ^= s
    let r = a.multipliedFullWidth(by: b)
    return wyMix(r.low ^ wyP0 ^ UInt64(n), r.high ^ wyP1)
}

/// Byte equality of two keys (length first, then memcmp).
@inline(__always)
func keysEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    let n = a.count
    guard n == b.count else { return false }
    if n == 0 { return true }
    return memcmp(a.baseAddress!, b.baseAddress!, n) == 0
}
