// Redis's crc64 (src/crc64.c): the Jones polynomial 0xad93d23594c935a9, reflected input and
// output, initial value 0, no final xor. crc64("123456789") == 0xe9c6d914c4b8d9ca. RDB files end
// with this checksum of everything before it, stored little-endian.

public enum CRC64 {
    /// The reflected form of 0xad93d23594c935a9 (bit order reversed), for an LSB-first table.
    static let reflectedPolynomial: UInt64 = 0x95ac_9329_ac4b_c9b5

    /// Slicing-by-8 tables: table[0] is the classic byte table; table[k][b] advances k more zero bytes.
    /// Dumps are gigabytes, so eight bytes per step matters (it is the same math as one byte at a time).
    static let tables: [[UInt64]] = {
        var t = [[UInt64]](repeating: [UInt64](repeating: 0, count: 256), count: 8)
        for b in 0..<256 {
            var crc = UInt64(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ reflectedPolynomial : crc >> 1 }
            t[0][b] = crc
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let prev = t[k - 1][b]
                t[k][b] = t[0][Int(prev & 0xff)] ^ (prev >> 8)
            }
        }
        return t
    }()

    /// Continues `crc` over `bytes` (start with 0).
    public static func update(_ crc: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var crc = crc
        var i = 0
        let n = bytes.count
        tables.withUnsafeBufferPointer { t in
            let t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5], t6 = t[6], t7 = t[7]
            while n - i >= 8 {
                var word: UInt64 = 0
                for k in 0..<8 { word |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
                let x = crc ^ word
                crc = t7[Int(x & 0xff)] ^ t6[Int((x >> 8) & 0xff)] ^ t5[Int((x >> 16) & 0xff)]
                    ^ t4[Int((x >> 24) & 0xff)] ^ t3[Int((x >> 32) & 0xff)] ^ t2[Int((x >> 40) & 0xff)]
                    ^ t1[Int((x >> 48) & 0xff)] ^ t0[Int(x >> 56)]
                i += 8
            }
            while i < n {
                crc = t0[Int((crc ^ UInt64(bytes[i])) & 0xff)] ^ (crc >> 8)
                i += 1
            }
        }
        return crc
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { update(0, $0) }
    }
}
