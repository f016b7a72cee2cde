import XCTest
@testable import Persistence

func b(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Every value shape the writer picks an encoding for, in two databases, with and without TTLs.
func sampleKeys() -> [PersistedKey] {
    var keys: [PersistedKey] = []
    let strings: [String] = ["", "v", "0", "-1", "127", "128", "-128", "-129", "32767", "-32768", "32768",
                             "2147483647", "-2147483648", "2147483648", "12345678901", "007", "+5", " 1",
                             "-0", String(repeating: "abc", count: 40), "short but not integer",
                             String(repeating: "x", count: 100_000), "9223372036854775807"]
    for (i, s) in strings.enumerated() {
        keys.append(PersistedKey(database: 0, key: b("s\(i)"), value: .string(b(s)),
                                 expireAtMilliseconds: i % 3 == 0 ? 1_900_000_000_000 + Int64(i) : 0))
    }
    keys.append(PersistedKey(database: 0, key: b("12"), value: .string(b("integer-looking key"))))
    keys.append(PersistedKey(database: 0, key: [0, 255, 10, 13], value: .string([1, 2, 3, 0])))
    // Hashes: listpack (with integers of every listpack width), and hashtable by count and by size.
    let numbers = ["0", "127", "128", "-1", "4095", "-4096", "4096", "32767", "-32768", "8388607",
                   "-8388608", "8388608", "2147483647", "-2147483649", "9223372036854775807", "-9223372036854775808"]
    keys.append(PersistedKey(database: 0, key: b("hsmall"),
                             value: .hash(numbers.map { .init(b("f" + $0), b($0)) } + [.init(b("name"), b("alice"))]),
                             expireAtMilliseconds: 1_800_000_000_123))
    keys.append(PersistedKey(database: 0, key: b("hbigcount"),
                             value: .hash((0..<600).map { .init(b("field\($0)"), b("value\($0)")) })))
    keys.append(PersistedKey(database: 0, key: b("hbigvalue"),
                             value: .hash([.init(b("a"), b(String(repeating: "y", count: 65))), .init(b("b"), b("1"))])))
    keys.append(PersistedKey(database: 0, key: b("hlpstr"),
                             value: .hash([.init(b(String(repeating: "k", count: 64)), b(String(repeating: "q", count: 63)))])))
    // Sets: intsets of each width, hashtable by content and by count.
    keys.append(PersistedKey(database: 0, key: b("i16"), value: .set(["3", "1", "-2", "32767"].map(b))))
    keys.append(PersistedKey(database: 0, key: b("i32"), value: .set(["1", "70000", "-70000"].map(b))))
    keys.append(PersistedKey(database: 0, key: b("i64"), value: .set(["1", "9223372036854775807", "-5000000000"].map(b))))
    keys.append(PersistedKey(database: 3, key: b("smixed"), value: .set(["1", "a", "007"].map(b)),
                             expireAtMilliseconds: 1_700_000_000_000))
    keys.append(PersistedKey(database: 3, key: b("sbig"), value: .set((0..<600).map { b("\($0)") })))
    keys.append(PersistedKey(database: 3, key: b("plain"), value: .string(b("in db 3"))))
    return keys
}

/// Writes `keys` (grouped by database, in order) into an in-memory dump.
func dump(_ keys: [PersistedKey], options: RDBOptions = RDBOptions()) throws -> [UInt8] {
    var w = RDBWriter(fd: -1, options: options)
    try w.writeHeader(RDBAuxInfo(creationTime: 1_700_000_000, usedMemory: 1_000_000))
    let databases = Array(Set(keys.map(\.database))).sorted()
    for db in databases {
        let inDB = keys.filter { $0.database == db }
        try w.selectDatabase(db, keys: inDB.count, expires: inDB.filter { $0.expireAtMilliseconds != 0 }.count)
        for k in inDB { try w.write(k) }
    }
    _ = try w.finish()
    return w.takeMemoryOutput()
}

/// Sets compare as sets, hashes as field maps: encodings (intsets) reorder members.
func normalized(_ k: PersistedKey) -> PersistedKey {
    var k = k
    switch k.value {
    case .set(let m): k.value = .set(m.sorted { $0.lexicographicallyPrecedes($1) })
    case .hash(let f): k.value = .hash(f.sorted { $0.field.lexicographicallyPrecedes($1.field) })
    case .string: break
    }
    return k
}

final class CodecTests: XCTestCase {
    func testCRC64Vector() {
        XCTAssertEqual(CRC64.checksum(b("123456789")), 0xe9c6_d914_c4b8_d9ca)
        XCTAssertEqual(CRC64.checksum([]), 0)
        // Slicing-by-8 must agree with the byte-at-a-time loop on every length and split.
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var slow: UInt64 = 0
        for byte in data { slow = CRC64.tables[0][Int((slow ^ UInt64(byte)) & 0xff)] ^ (slow >> 8) }
        XCTAssertEqual(CRC64.checksum(data), slow)
        let split = data.withUnsafeBytes { p in
            CRC64.update(CRC64.update(0, UnsafeRawBufferPointer(rebasing: p[0..<333])), UnsafeRawBufferPointer(rebasing: p[333...]))
        }
        XCTAssertEqual(split, slow)
    }

    func testLZFKnownVectors() throws {
        // Hand-assembled streams: a literal run, a short and a long (overlapping) back reference.
        XCTAssertEqual(try LZF.decompress([2, 97, 98, 99], length: 3), b("abc"))
        // "abcabcabc": literal "abc", then a reference of length 6 at distance 3 (len-2 = 4, off-1 = 2).
        XCTAssertEqual(try LZF.decompress([2, 97, 98, 99, (4 << 5), 2], length: 9), b("abcabcabc"))
        // 'a' then 20 more 'a's: a long-form reference (7 << 5, extra 20 - 2 - 7 = 11), distance 1.
        XCTAssertEqual(try LZF.decompress([0, 97, 7 << 5, 11, 0], length: 21), [UInt8](repeating: 97, count: 21))
        XCTAssertThrowsError(try LZF.decompress([2, 97, 98], length: 3))  // literal past the input
        XCTAssertThrowsError(try LZF.decompress([0, 97, 32, 5], length: 8))  // reference before the output start
        XCTAssertThrowsError(try LZF.decompress([2, 97, 98, 99], length: 2))  // output too small
    }

    func testLZFRoundTrip() throws {
        var inputs: [[UInt8]] = [b("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), b(String(repeating: "hello world ", count: 500))]
        var seed: UInt64 = 42
        for size in [21, 64, 300, 9000, 70_000] {
            var data: [UInt8] = []
            for i in 0..<size {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                // Mostly a small alphabet with repeats so that references of every length and distance occur.
                data.append(i == 0 || i % 97 < 60 ? UInt8(97 + (seed >> 60)) : data[i - 1 - Int(seed >> 51) % i])
            }
            inputs.append(data)
        }
        for (n, input) in inputs.enumerated() {
            // A generous limit always succeeds; the repetitive inputs must also really shrink.
            let c = try XCTUnwrap(LZF.compress(input, limit: input.count + input.count / 16 + 64))
            XCTAssertEqual(try LZF.decompress(c, length: input.count), input)
            if n < 2 || input.count > 1000 { XCTAssertNotNil(LZF.compress(input, limit: input.count - 4), "\(n)") }
            // Every tighter limit either fails or still round-trips (the space checks are exact).
            for limit in stride(from: max(1, c.count - 3), through: c.count + 3, by: 1) {
                if let t = LZF.compress(input, limit: limit) { XCTAssertEqual(try LZF.decompress(t, length: input.count), input) }
            }
        }
        // Incompressible data reports 0 rather than expanding.
        var noise: [UInt8] = []
        for _ in 0..<64 { seed = seed &* 6364136223846793005 &+ 1; noise.append(UInt8(truncatingIfNeeded: seed >> 33)) }
        XCTAssertNil(LZF.compress(noise, limit: noise.count - 4))
    }

    func testRoundTripEveryShape() throws {
        for options in [RDBOptions(), RDBOptions(compression: false, checksum: false)] {
            let keys = sampleKeys()
            let bytes = try dump(keys, options: options)
            let (loaded, summary) = try RDBReader.loadAll(bytes)
            XCTAssertEqual(loaded.map(normalized), keys.map(normalized))
            XCTAssertEqual(summary.version, 10)
            XCTAssertEqual(summary.checksumVerified, options.checksum)
            XCTAssertEqual(summary.aux.map { String(decoding: $0.key, as: UTF8.self) },
                           ["redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"])
            XCTAssertEqual(summary.aux[0].value, b("7.0.15"))
            XCTAssertEqual(summary.sizeHints.map(\.database), [0, 3])
            if !options.checksum { XCTAssertEqual(Array(bytes.suffix(8)), [0, 0, 0, 0, 0, 0, 0, 0]) }
        }
    }

    func testEncodingsChosenLikeRedis() throws {
        func encoded(_ value: PersistedValue) throws -> [UInt8] {
            let bytes = try dump([PersistedKey(database: 0, key: b("k"), value: value)])
            // Strip header up to the key's type byte: find SELECTDB 0 RESIZEDB 1 0.
            let start = try XCTUnwrap(bytes.firstIndex(of: 0xFE))
            return Array(bytes[(start + 5)..<(bytes.count - 9)])
        }
        XCTAssertEqual(try encoded(.string(b("1"))), [0, 1, 0x6b, 0xC0, 1])
        XCTAssertEqual(try encoded(.string(b("-300"))), [0, 1, 0x6b, 0xC1, 0xD4, 0xFE])
        XCTAssertEqual(try encoded(.string(b("100000"))), [0, 1, 0x6b, 0xC2, 0xA0, 0x86, 0x01, 0x00])
        XCTAssertEqual(try encoded(.string(b("2147483648"))), [0, 1, 0x6b, 10] + b("2147483648"))
        XCTAssertEqual(try encoded(.string(b("007"))), [0, 1, 0x6b, 3] + b("007"))
        // The exact bytes redis-server 7.0.15 wrote for HSET h f v (see the interop test's dump).
        XCTAssertEqual(try encoded(.hash([.init(b("f"), b("v"))])),
                       [16, 1, 0x6b, 0x0d, 0x0d, 0, 0, 0, 2, 0, 0x81, 0x66, 2, 0x81, 0x76, 2, 0xFF])
        XCTAssertEqual(try encoded(.set(["5", "-1"].map(b))),
                       [11, 1, 0x6b, 12, 2, 0, 0, 0, 2, 0, 0, 0, 0xFF, 0xFF, 5, 0])
        let long = try encoded(.string([UInt8](repeating: 120, count: 30)))
        XCTAssertEqual(Array(long.prefix(4)), [0, 1, 0x6b, 0xC3])
    }

    func testEveryPrefixFailsCleanly() throws {
        let keys = Array(sampleKeys().filter { $0.key != b("s21") && $0.key != b("hbigcount") && $0.key != b("sbig") })
        let bytes = try dump(keys)
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try RDBReader.loadAll(Array(bytes[0..<n])), "prefix \(n)") { error in
                guard let e = error as? PersistenceError else { return XCTFail("\(error)") }
                switch e {
                case .truncated(let offset), .corrupt(let offset, _):
                    XCTAssertLessThanOrEqual(offset, n, "offset must be inside the prefix")
                default: XCTFail("prefix \(n): \(e)")
                }
            }
        }
    }

    func testCorruptBytesNeverCrash() throws {
        let keys = Array(sampleKeys().filter { $0.key != b("s21") && $0.key != b("hbigcount") && $0.key != b("sbig") })
        let bytes = try dump(keys, options: RDBOptions(compression: true, checksum: false))
        var seed: UInt64 = 7
        for _ in 0..<3000 {
            var copy = bytes
            for _ in 0..<3 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let at = 9 + Int(seed >> 33) % (copy.count - 9)
                copy[at] = UInt8(truncatingIfNeeded: seed >> 13)
            }
            _ = try? RDBReader.loadAll(copy)  // any outcome but a crash or a hang is fine
        }
        // With the checksum on, a flipped byte anywhere in the body is caught.
        var flipped = try dump(keys)
        flipped[40] ^= 0x01
        XCTAssertThrowsError(try RDBReader.loadAll(flipped))
    }

    func testUnsupportedTypeNamesTheKey() throws {
        var bytes = Array("REDIS0010".utf8) + [0xFE, 0, 0x0E, 4] + b("list") + [0xFF]
        bytes += [UInt8](repeating: 0, count: 8)
        XCTAssertThrowsError(try RDBReader.loadAll(bytes)) { error in
            XCTAssertEqual(error as? PersistenceError,
                           .unsupportedType(key: b("list"), type: 14, typeName: "list", offset: 11))
            XCTAssertTrue("\(error)".contains("key 'list'"))
        }
    }

    func testLegacyEncodingsAndOpcodes() throws {
        // ziplist hash (type 13), zipmap hash (type 9), seconds expiry, FUNCTION2 and MODULE_AUX.
        var zl: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 4, 0]
        zl += [0, 0x01, 0x61]                // prevlen 0, 1-byte string "a"
        zl += [3, 0xF3]                      // prevlen 3, immediate 2
        zl += [2, 0xFE, 0x85]                // int8 -123
        zl += [3, 0xC0, 0x39, 0x30]          // int16 12345
        zl += [0xFF]
        zl[0] = UInt8(zl.count)
        let zm: [UInt8] = [1, 1, 0x78, 2, 0, 0x79, 0x7A, 0xFF]  // {"x": "yz"}
        var bytes = Array("REDIS0009".utf8)
        bytes += [0xF5, 3] + b("lib")                                            // FUNCTION2
        bytes += [0xF7, 0x81, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 5, 2] + b("hi") + [3, 0, 0, 0, 0, 0]  // MODULE_AUX
        bytes += [0xFE, 2, 0xFD, 0x10, 0x27, 0, 0, 13, 1, 0x7A, UInt8(zl.count)] + zl
        bytes += [9, 1, 0x6D, UInt8(zm.count)] + zm
        bytes += [0xFF]
        let crc = CRC64.checksum(bytes)
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: crc >> (8 * UInt64(k)))) }
        let (keys, summary) = try RDBReader.loadAll(bytes)
        XCTAssertEqual(summary.functionLibraries, [b("lib")])
        XCTAssertEqual(summary.moduleAuxSkipped, 1)
        XCTAssertTrue(summary.checksumVerified)
        XCTAssertEqual(keys, [
            PersistedKey(database: 2, key: b("z"), value: .hash([.init(b("a"), b("2")), .init(b("-123"), b("12345"))]),
                         expireAtMilliseconds: 10_000_000),
            PersistedKey(database: 2, key: b("m"), value: .hash([.init(b("x"), b("yz"))])),
        ])
    }
}
