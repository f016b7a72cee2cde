import Bytes
import XCTest
@testable import Persistence

final class AOFTests: XCTestCase {
    func encode(_ commands: [[String]]) -> [UInt8] {
        var buffer = ByteBuffer(capacity: 64)
        AOFEncoder.appendSelect(0, into: &buffer)
        for c in commands { AOFEncoder.appendCommand(c.map(b), into: &buffer) }
        return Array(buffer.readableView)
    }

    func parse(_ bytes: [UInt8]) throws -> (commands: [[String]], result: AOFLoadResult) {
        var commands: [[String]] = []
        let result = try bytes.withUnsafeBytes { (p) throws(PersistenceError) -> AOFLoadResult in
            try AOFReader.load(p, keys: { (_) throws(PersistenceError) in }, command: { (c) throws(PersistenceError) in
                commands.append(c.arguments.map { String(decoding: $0, as: UTF8.self) })
            })
        }
        return (commands, result)
    }

    let sample: [[String]] = [
        ["SET", "session:1", "{\"user\":42}"], ["PEXPIREAT", "session:1", "1900000000000"],
        ["MULTI"], ["INCR", "n"], ["SET", "bin", "a\r\nb"], ["EXEC"],
        ["DEL", "x", "y", ""],
    ]

    func testEncodingIsRedisMultibulk() {
        var buffer = ByteBuffer(capacity: 16)
        AOFEncoder.appendSelect(3, into: &buffer)
        AOFEncoder.appendCommand([b("SET"), b("k"), b("")], into: &buffer)
        XCTAssertEqual(String(decoding: buffer.readableView, as: UTF8.self),
                       "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n")
    }

    func testParsesCommandsAndAnnotations() throws {
        var bytes = encode(sample)
        bytes.insert(contentsOf: b("#TS:1700000000\r\n"), at: 0)
        let (commands, result) = try parse(bytes)
        XCTAssertEqual(commands, [["SELECT", "0"]] + sample)
        XCTAssertFalse(result.truncated)
        XCTAssertEqual(result.validLength, bytes.count)
        XCTAssertEqual(result.commands, sample.count + 1)
    }

    /// Cut the file at every byte: the parse never fails, delivers exactly the commands that are
    /// complete (whole transactions only) and reports where the caller should truncate.
    func testTornTailAtEveryTruncationPoint() throws {
        let bytes = encode(sample)
        let (all, _) = try parse(bytes)
        // Offsets at which each delivered prefix ends (transactions end at EXEC).
        var boundaries: [(end: Int, delivered: Int)] = [(0, 0)]
        for n in 1...bytes.count {
            let (commands, result) = try parse(Array(bytes[0..<n]))
            XCTAssertEqual(Array(all.prefix(commands.count)), commands, "cut at \(n)")
            XCTAssertLessThanOrEqual(result.validLength, n)
            // Keeping the valid prefix yields a clean file with the same commands.
            let (again, clean) = try parse(Array(bytes[0..<result.validLength]))
            XCTAssertEqual(again, commands, "cut at \(n)")
            XCTAssertFalse(clean.truncated, "cut at \(n)")
            XCTAssertEqual(result.truncated, result.validLength != n, "cut at \(n)")
            if commands.count > boundaries.last!.delivered { boundaries.append((result.validLength, commands.count)) }
        }
        // Transactions are all or nothing: no prefix delivers MULTI without its EXEC.
        XCTAssertFalse(boundaries.contains { (4...6).contains($0.delivered) })
        XCTAssertEqual(boundaries.last!.delivered, all.count)
    }

    func testUnfinishedMultiIsDroppedAndReported() throws {
        let bytes = encode([["SET", "a", "1"], ["MULTI"], ["SET", "b", "2"]])
        let (commands, result) = try parse(bytes)
        XCTAssertEqual(commands, [["SELECT", "0"], ["SET", "a", "1"]])
        XCTAssertTrue(result.truncated)
        XCTAssertTrue(result.openTransactionDropped)
        XCTAssertEqual(result.validLength, encode([["SET", "a", "1"]]).count)
    }

    func testCorruptionNamesTheOffset() {
        func offset(_ text: String) -> Int? {
            do { _ = try parse(b(text)); return nil } catch {
                if case .corrupt(let at, _) = error as? PersistenceError { return at }
                return nil
            }
        }
        XCTAssertEqual(offset("*1\r\n$4\r\nPING\r\nGARBAGE\r\n"), 14)
        XCTAssertEqual(offset("*1\r\n%4\r\nPING\r\n"), 4)
        XCTAssertEqual(offset("*x\r\n"), 0)
        XCTAssertEqual(offset("*0\r\n"), 0)
        XCTAssertEqual(offset("*1\r\n$4\r\nPINGxx"), 12)
        XCTAssertEqual(offset("*1\r\n$-1\r\n"), 4)
    }

    func testRDBPreambleThenCommands() throws {
        var bytes = try dump([PersistedKey(database: 0, key: b("k"), value: .string(b("v")))])
        let rdbLength = bytes.count
        bytes += encode([["SET", "x", "1"]])
        var keys: [PersistedKey] = []
        var names: [String] = []
        let result = try bytes.withUnsafeBytes { (p) throws(PersistenceError) -> AOFLoadResult in
            try AOFReader.load(p, keys: { (k) throws(PersistenceError) in keys.append(k) },
                               command: { (c) throws(PersistenceError) in names.append(String(decoding: c[0], as: UTF8.self)) })
        }
        XCTAssertEqual(keys.map(\.key), [b("k")])
        XCTAssertEqual(names, ["SELECT", "SET"])
        XCTAssertEqual(result.rdbPreamble?.endOffset, rdbLength)
        XCTAssertFalse(result.truncated)
    }

    func testManifestRoundTripAndRedisSyntax() throws {
        let text = "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        let m = try AOFManifest.parse(text)
        XCTAssertEqual(m.base, .init(name: "appendonly.aof.1.base.rdb", sequence: 1, type: .base))
        XCTAssertEqual(m.incremental.map(\.name), ["appendonly.aof.1.incr.aof"])
        XCTAssertEqual(m.encoded(), text)
        XCTAssertEqual(m.loadOrder.count, 2)
        XCTAssertEqual(AOFManifest.baseName(appendFilename: "appendonly.aof", sequence: 2, rdbPreamble: true),
                       "appendonly.aof.2.base.rdb")
        XCTAssertEqual(AOFManifest.incrementalName(appendFilename: "appendonly.aof", sequence: 3), "appendonly.aof.3.incr.aof")

        // Quoted names, keys in any order, unknown keys, comments.
        let odd = AOFManifest(base: nil, history: [.init(name: "old one.aof", sequence: 1, type: .history)],
                              incremental: [.init(name: "a\"b\n.aof", sequence: 2, type: .incremental)])
        XCTAssertEqual(odd.encoded(), "file \"old one.aof\" seq 1 type h\nfile \"a\\\"b\\n.aof\" seq 2 type i\n")
        XCTAssertEqual(try AOFManifest.parse(odd.encoded()), odd)
        XCTAssertEqual(try AOFManifest.parse("# c\ntype i seq 5 file x.aof extra 1\n").incremental,
                       [.init(name: "x.aof", sequence: 5, type: .incremental)])

        XCTAssertThrowsError(try AOFManifest.parse("")) { XCTAssertEqual($0 as? AOFManifest.ParseError, .empty) }
        XCTAssertThrowsError(try AOFManifest.parse("file a seq 1\n")) {
            XCTAssertEqual($0 as? AOFManifest.ParseError, .invalidFormat(line: 1))
        }
        XCTAssertThrowsError(try AOFManifest.parse("file a seq 1 type b\nfile b seq 2 type b\n")) {
            XCTAssertEqual($0 as? AOFManifest.ParseError, .duplicateBase(line: 2))
        }
        XCTAssertThrowsError(try AOFManifest.parse("file a seq 2 type i\nfile b seq 2 type i\n")) {
            XCTAssertEqual($0 as? AOFManifest.ParseError, .nonMonotonicSequence(line: 2))
        }
        XCTAssertThrowsError(try AOFManifest.parse("file a seq 1 type z\n")) {
            XCTAssertEqual($0 as? AOFManifest.ParseError, .unknownType(line: 1))
        }
        XCTAssertThrowsError(try AOFManifest.parse("file \"a seq 1 type i\n"))
    }
}
