import Bytes
import Foundation
import Glibc
import XCTest
@testable import Persistence

/// A throwaway redis-server 7.0 on a free loopback port with its own --dir, driven by redis-cli.
final class ReferenceRedis {
    let port: Int
    let dir: String

    static func find(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for d in path.split(separator: ":") where access("\(d)/\(tool)", X_OK) == 0 { return "\(d)/\(tool)" }
        return nil
    }

    /// Runs a program; returns exit status and stdout.
    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try XCTUnwrap(find(tool), "\(tool) not on PATH"))
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryDirectory() -> String {
        var template = Array("/tmp/tessera-rdb-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    let process = Process()

    /// Runs in the foreground as our child (not --daemonize: a daemon's exit leaves nobody to
    /// reap it and Foundation's pipes waiting), output to its log file.
    init(dir: String, dbfilename: String = "dump.rdb", extra: [String] = []) throws {
        self.dir = dir
        port = ReferenceRedis.freePort()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(ReferenceRedis.find("redis-server")))
        process.arguments = [
            "--port", "\(port)", "--bind", "127.0.0.1", "--dir", dir, "--dbfilename", dbfilename,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "\(dir)/redis.log",
        ] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 {
            if (try? cli(["ping"]))?.hasPrefix("PONG") == true { return }
            if !process.isRunning { break }
            usleep(25_000)
        }
        stop()
        let log = (try? String(contentsOfFile: "\(dir)/redis.log", encoding: .utf8)) ?? ""
        XCTFail("redis-server did not start: \(log)")
        throw XCTSkip("redis-server did not start")
    }

    @discardableResult
    func cli(_ args: [String], db: Int = 0) throws -> String {
        try ReferenceRedis.run("redis-cli", ["-p", "\(port)", "-n", "\(db)"] + args).output
    }

    func stop() {
        if process.isRunning {
            process.terminate()  // SIGTERM; --save "" so nothing is written on the way out
            process.waitUntilExit()
        }
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

final class RedisInteropTests: XCTestCase {
    override func setUpWithError() throws {
        guard ReferenceRedis.find("redis-server") != nil, ReferenceRedis.find("redis-cli") != nil else {
            throw XCTSkip("redis-server/redis-cli not on PATH: install Debian's redis-server to run the RDB interop tests")
        }
    }

    func loadFile(_ path: String) throws -> (keys: [String: PersistedKey], summary: RDBLoadSummary) {
        var keys: [String: PersistedKey] = [:]
        let summary = try RDBFile.load(path) { (k) throws(PersistenceError) in
            keys["\(k.database):" + String(decoding: k.key, as: UTF8.self)] = normalized(k)
        }
        return (keys, summary)
    }

    /// Redis writes every string encoding, listpack and hashtable hashes, intset and hashtable sets,
    /// TTLs and two databases; we must read all of it back exactly.
    func testReadsDumpWrittenByRedis() throws {
        let dir = ReferenceRedis.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let redis = try ReferenceRedis(dir: dir)
        defer { redis.stop() }
        let long = String(repeating: "session-data;", count: 40)
        let strings: [(String, String)] = [("int8", "100"), ("int16", "-1000"), ("int32", "100000"),
                                           ("bigint", "12345678901"), ("raw", "hello"), ("empty", ""),
                                           ("lzf", long), ("notint", "0042")]
        for (k, v) in strings { try redis.cli(["set", k, v]) }
        try redis.cli(["set", "ttl", "v", "px", "100000000"])
        try redis.cli(["hset", "hsmall", "a", "1", "b", "-70000", "c", "text"])
        try redis.cli(["hset", "hbig"] + (0..<600).flatMap { ["f\($0)", "v\($0)"] })
        try redis.cli(["hset", "hlong", "f", String(repeating: "z", count: 100)])
        try redis.cli(["sadd", "sint", "1", "2", "3", "-5", "70000"])
        try redis.cli(["sadd", "sstr", "a", "b", "c"])
        try redis.cli(["sadd", "sbigint"] + (0..<600).map { "\($0 * 7)" })
        try redis.cli(["pexpireat", "hsmall", "4102444800123"])
        try redis.cli(["set", "k3", "in db three"], db: 3)
        try redis.cli(["sadd", "s3", "x"], db: 3)
        try redis.cli(["expire", "s3", "5000"], db: 3)
        XCTAssertTrue(try redis.cli(["save"]).hasPrefix("OK"))

        let (keys, summary) = try loadFile("\(dir)/dump.rdb")
        XCTAssertEqual(summary.version, 10)
        XCTAssertTrue(summary.checksumVerified)
        XCTAssertEqual(keys.count, strings.count + 9)
        for (k, v) in strings { XCTAssertEqual(keys["0:\(k)"]?.value, .string(b(v)), k) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        XCTAssertEqual(Double(keys["0:ttl"]?.expireAtMilliseconds ?? 0), Double(now + 100_000_000), accuracy: 60_000)
        XCTAssertEqual(keys["0:hsmall"]?.expireAtMilliseconds, 4_102_444_800_123)
        XCTAssertEqual(keys["0:hsmall"]?.value,
                       .hash([.init(b("a"), b("1")), .init(b("b"), b("-70000")), .init(b("c"), b("text"))]))
        XCTAssertEqual(keys["0:hbig"]?.value,
                       normalized(PersistedKey(database: 0, key: [], value: .hash((0..<600).map { .init(b("f\($0)"), b("v\($0)")) }))).value)
        XCTAssertEqual(keys["0:hlong"]?.value, .hash([.init(b("f"), b(String(repeating: "z", count: 100)))]))
        XCTAssertEqual(keys["0:sint"]?.value, .set(["-5", "1", "2", "3", "70000"].map(b)))
        XCTAssertEqual(keys["0:sstr"]?.value, .set(["a", "b", "c"].map(b)))
        XCTAssertEqual(keys["0:sbigint"]?.value, .set((0..<600).map { b("\($0 * 7)") }.sorted { $0.lexicographicallyPrecedes($1) }))
        XCTAssertEqual(keys["3:k3"]?.value, .string(b("in db three")))
        XCTAssertGreaterThan(keys["3:s3"]?.expireAtMilliseconds ?? 0, now)
        XCTAssertEqual(keys["0:raw"]?.expireAtMilliseconds, 0)

        // rdbcompression no (runtime) and rdbchecksum no (start-up only in 7.0) variants load too.
        try redis.cli(["config", "set", "rdbcompression", "no"])
        XCTAssertTrue(try redis.cli(["save"]).hasPrefix("OK"))
        let (uncompressed, _) = try loadFile("\(dir)/dump.rdb")
        XCTAssertEqual(uncompressed, keys)
        redis.stop()
        let unchecked = try ReferenceRedis(dir: dir, extra: ["--rdbchecksum", "no"])
        defer { unchecked.stop() }
        XCTAssertTrue(try unchecked.cli(["save"]).hasPrefix("OK"))
        let (plain, plainSummary) = try loadFile("\(dir)/dump.rdb")
        XCTAssertFalse(plainSummary.checksumVerified)
        XCTAssertEqual(plain, keys)
    }

    /// Our dump passes redis-check-rdb and redis-server loads it with the same values and TTLs.
    func testRedisLoadsOurDump() throws {
        guard ReferenceRedis.find("redis-check-rdb") != nil else { throw XCTSkip("redis-check-rdb not on PATH") }
        let dir = ReferenceRedis.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = sampleKeys()
        let size = try RDBFile.saveAtomically(directory: dir, filename: "ours.rdb", body: { (w) throws(PersistenceError) in
            try w.writeHeader(RDBAuxInfo(creationTime: Int64(time(nil)), usedMemory: 1 << 20))
            for db in [0, 3] {
                let inDB = keys.filter { $0.database == db }
                try w.selectDatabase(db, keys: inDB.count, expires: inDB.filter { $0.expireAtMilliseconds != 0 }.count)
                for k in inDB { try w.write(k) }
            }
            _ = try w.finish()
        })
        XCTAssertGreaterThan(size, 1000)
        XCTAssertEqual(access("\(dir)/temp-\(getpid()).rdb", F_OK), -1, "temp file renamed away")
        let check = try ReferenceRedis.run("redis-check-rdb", ["\(dir)/ours.rdb"])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("RDB looks OK"), check.output)

        let redis = try ReferenceRedis(dir: dir, dbfilename: "ours.rdb")
        defer { redis.stop() }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let live = keys.filter { $0.expireAtMilliseconds == 0 || $0.expireAtMilliseconds > now }
        XCTAssertLessThan(live.count, keys.count, "the sample has an already-expired key, which a master drops on load")
        XCTAssertEqual(try redis.cli(["dbsize"]), "\(live.filter { $0.database == 0 }.count)\n")
        XCTAssertEqual(try redis.cli(["dbsize"], db: 3), "\(live.filter { $0.database == 3 }.count)\n")
        XCTAssertEqual(try redis.cli(["get", "s5"]), "128\n")
        XCTAssertEqual(try redis.cli(["get", "s19"]), String(repeating: "abc", count: 40) + "\n")
        XCTAssertEqual(try redis.cli(["pexpiretime", "hsmall"]), "1800000000123\n")
        XCTAssertEqual(try redis.cli(["pexpiretime", "s3"]), "1900000000003\n")
        XCTAssertEqual(try redis.cli(["object", "encoding", "hsmall"]), "listpack\n")
        XCTAssertEqual(try redis.cli(["object", "encoding", "i64"]), "intset\n")
        XCTAssertEqual(try redis.cli(["hget", "hsmall", "f-9223372036854775808"]), "-9223372036854775808\n")
        XCTAssertEqual(try redis.cli(["smembers", "i16"]), "-2\n1\n3\n32767\n")
        XCTAssertEqual(try redis.cli(["get", "plain"], db: 3), "in db 3\n")

        // Everything, binary keys included: have Redis write its own dump of what it loaded and compare.
        // (dbfilename is a protected config in 7.0, so Redis overwrites ours.rdb, already checked.)
        XCTAssertTrue(try redis.cli(["save"]).hasPrefix("OK"))
        let (reloaded, _) = try loadFile("\(dir)/ours.rdb")
        var expected: [String: PersistedKey] = [:]
        for k in live { expected["\(k.database):" + String(decoding: k.key, as: UTF8.self)] = normalized(k) }
        XCTAssertEqual(reloaded, expected)
    }

    /// A multi-part AOF directory made of our pieces (RDB base, RESP increment, manifest) passes
    /// redis-check-aof and is what redis-server 7.0 loads with appendonly yes.
    func testRedisLoadsOurMultiPartAOF() throws {
        guard ReferenceRedis.find("redis-check-aof") != nil else { throw XCTSkip("redis-check-aof not on PATH") }
        let dir = ReferenceRedis.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let aofDir = dir + "/appendonlydir"
        XCTAssertEqual(mkdir(aofDir, 0o755), 0)
        let base = AOFManifest.baseName(appendFilename: "appendonly.aof", sequence: 1, rdbPreamble: true)
        let incr = AOFManifest.incrementalName(appendFilename: "appendonly.aof", sequence: 1)
        _ = try RDBFile.saveAtomically(directory: aofDir, filename: base, body: { (w) throws(PersistenceError) in
            try w.writeHeader(RDBAuxInfo(creationTime: Int64(time(nil)), usedMemory: 1 << 20, aofBase: true))
            try w.selectDatabase(0, keys: 1, expires: 0)
            try w.write(PersistedKey(database: 0, key: b("from-base"), value: .set(["1", "2"].map(b))))
            _ = try w.finish()
        })
        var buffer = ByteBuffer(capacity: 256)
        AOFEncoder.appendSelect(0, into: &buffer)
        AOFEncoder.appendCommand([b("SET"), b("from-incr"), b("v")], into: &buffer)
        AOFEncoder.appendCommand([b("SADD"), b("from-base"), b("3")], into: &buffer)
        XCTAssertTrue(FileManager.default.createFile(atPath: aofDir + "/" + incr, contents: Data(buffer.readableView)))
        let manifest = AOFManifest(base: .init(name: base, sequence: 1, type: .base),
                                   incremental: [.init(name: incr, sequence: 1, type: .incremental)])
        XCTAssertTrue(FileManager.default.createFile(atPath: aofDir + "/appendonly.aof.manifest", contents: Data(manifest.encoded().utf8)))

        let check = try ReferenceRedis.run("redis-check-aof", [aofDir + "/appendonly.aof.manifest"])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("is valid"), check.output)

        let redis = try ReferenceRedis(dir: dir, extra: ["--appendonly", "yes"])
        defer { redis.stop() }
        XCTAssertEqual(try redis.cli(["get", "from-incr"]), "v\n")
        XCTAssertEqual(try redis.cli(["smembers", "from-base"]), "1\n2\n3\n")
    }
}
