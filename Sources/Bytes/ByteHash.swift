/// A fast non-cryptographic 64-bit hash (wyhash-style), seeded per process against hash flooding.
///
/// This follows wyhash final v4 (the "non-condom" variant): 48-byte stripes over three lanes, a
/// 16-byte tail, and the 128-bit multiply-fold `wymix` as the only mixing primitive.
public enum ByteHash {
    @inlinable static var s0: UInt64 { 0xa076_1d64_78bd_642f }
    @inlinable static var s1: UInt64 { 0xe703_7ed1_a0b4_28db }
    @inlinable static var s2: UInt64 { 0x8ebc_6af0_9c88_c6e3 }
    @inlinable static var s3: UInt64 { 0x5899_65cc_7537_4cc3 }

    /// 64×64→128 multiply, folded by XOR: the whole avalanche of wyhash comes from this.
    @inlinable @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        return hi ^ lo
    }

    @inlinable @inline(__always)
    static func r8(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    @inlinable @inline(__always)
    static func r4(_ p: UnsafeRawPointer, _ i: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
    }

    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let len = bytes.count
        var seed = seed ^ mix(seed ^ s0, s1)
        var a: UInt64 = 0
        var b: UInt64 = 0
        guard let p = bytes.baseAddress, len > 0 else {
            return finish(a, b, seed, len)
        }
        if len <= 16 {
            if len >= 4 {
                // Two overlapping 4-byte reads from each end cover every length 4...16.
                let shift = (len >> 3) << 2
                a = (r4(p, 0) << 32) | r4(p, shift)
                b = (r4(p, len - 4) << 32) | r4(p, len - 4 - shift)
            } else {
                a = (UInt64(bytes[0]) << 16) | (UInt64(bytes[len >> 1]) << 8) | UInt64(bytes[len - 1])
            }
        } else {
            var i = len
            var off = 0
            if i >= 48 {
                var see1 = seed
                var see2 = seed
                repeat {
                    seed = mix(r8(p, off) ^ s1, r8(p, off + 8) ^ seed)
                    see1 = mix(r8(p, off + 16) ^ s2, r8(p, off + 24) ^ see1)
                    see2 = mix(r8(p, off + 32) ^ s3, r8(p, off + 40) ^ see2)
                    off += 48
                    i -= 48
                } while i >= 48
                seed ^= see1 ^ see2
            }
            while i > 16 {
                seed = mix(r8(p, off) ^ s1, r8(p, off + 8) ^ seed)
                off += 16
                i -= 16
            }
            a = r8(p, off + i - 16)
            b = r8(p, off + i - 8)
        }
        return finish(a, b, seed, len)
    }

    @inlinable @inline(__always)
    static func finish(_ a: UInt64, _ b: UInt64, _ seed: UInt64, _ len: Int) -> UInt64 {
        let (hi, lo) = (a ^ s1).multipliedFullWidth(by: b ^ seed)
        return mix(lo ^ s0 ^ UInt64(truncatingIfNeeded: len), hi ^ s1)
    }
}
