import Bytes
import Glibc

/// Knobs that change the bytes of a dump (Redis's `rdbcompression` and `rdbchecksum`).
public struct RDBOptions: Sendable {
    public var compression: Bool
    public var checksum: Bool
    public var limits: RDBEncodingLimits
    public init(compression: Bool = true, checksum: Bool = true, limits: RDBEncodingLimits = RDBEncodingLimits()) {
        self.compression = compression
        self.checksum = checksum
        self.limits = limits
    }
}

/// The AUX fields Redis 7.0 writes after the magic, in its order.
public struct RDBAuxInfo: Sendable {
    public var redisVersion: String = "7.0.15"
    /// Seconds since the epoch when the dump started (`ctime`).
    public var creationTime: Int64
    /// INFO used_memory at the start of the dump (`used-mem`).
    public var usedMemory: Int64
    /// 1 only when the dump is the preamble of an AOF rewrite (`aof-base`); a base file of a
    /// multi-part AOF written by BGREWRITEAOF says 1, SAVE/BGSAVE say 0.
    public var aofBase: Bool = false
    public init(creationTime: Int64, usedMemory: Int64, aofBase: Bool = false) {
        self.creationTime = creationTime
        self.usedMemory = usedMemory
        self.aofBase = aofBase
    }
}

/// Streams an RDB version 10 file, byte-compatible with what redis-server 7.0 writes for the
/// same data, through a 64 KiB buffer to a file descriptor (or to memory when `fd` is -1).
///
/// Call order: `writeHeader`, then for each non-empty database `selectDatabase` followed by its keys,
/// then `finish`. Keys are streamed: the caller walks its shards under their locks and hands over
/// borrowed bytes; nothing is collected first.
public struct RDBWriter: ~Copyable {
    let fd: Int32
    let options: RDBOptions
    var buffer: ByteBuffer
    var memory: [UInt8] = []
    var crc: UInt64 = 0
    var scratch: [UInt8] = []
    var compressed: [UInt8] = []
    /// LZF's match table, reused across strings (allocated on the first compressed string).
    var lzfTable: LZF.HashTable?
    public private(set) var bytesWritten: Int = 0
    public private(set) var keysWritten: Int = 0
    var currentDatabase = -1
    var finished = false

    static let flushThreshold = 64 * 1024

    public init(fd: Int32, options: RDBOptions = RDBOptions()) {
        self.fd = fd
        self.options = options
        buffer = ByteBuffer(capacity: RDBWriter.flushThreshold + 1024)
    }

    // MARK: Framing

    public mutating func writeHeader(_ aux: RDBAuxInfo) throws(PersistenceError) {
        writeRaw("REDIS00\(rdbWrittenVersion)")
        try writeAux("redis-ver", Array(aux.redisVersion.utf8))
        try writeAux("redis-bits", [UInt8](decimal: 64))
        try writeAux("ctime", [UInt8](decimal: aux.creationTime))
        try writeAux("used-mem", [UInt8](decimal: aux.usedMemory))
        try writeAux("aof-base", [UInt8](decimal: aux.aofBase ? 1 : 0))
    }

    /// An AUX field (opcode 250, key and value as RDB strings).
    public mutating func writeAux(_ key: String, _ value: [UInt8]) throws(PersistenceError) {
        writeByte(RDBOpcode.aux)
        try writeStringValue(Array(key.utf8))
        try writeStringValue(value)
    }

    /// SELECTDB then RESIZEDB. Redis skips empty databases; so must the caller. The sizes are
    /// hints for the loader's table sizing, so a concurrent change during the walk is harmless.
    public mutating func selectDatabase(_ index: Int, keys: Int, expires: Int) throws(PersistenceError) {
        precondition(index >= 0 && keys >= 0 && expires >= 0, "negative database index or size")
        writeByte(RDBOpcode.selectDB)
        writeLength(UInt64(index))
        writeByte(RDBOpcode.resizeDB)
        writeLength(UInt64(keys))
        writeLength(UInt64(expires))
        currentDatabase = index
        try flushIfNeeded()
    }

    /// EOF, the checksum (8 zero bytes when `rdbchecksum no`), and a final flush. Returns the size.
    public mutating func finish() throws(PersistenceError) -> Int {
        precondition(!finished, "RDBWriter.finish called twice")
        writeByte(RDBOpcode.eof)
        try flush()
        let sum = options.checksum ? crc : 0
        var trailer: [UInt8] = []
        appendLittleEndian(sum, bytes: 8, to: &trailer)
        trailer.withUnsafeBytes { buffer.write($0) }
        try flush()
        finished = true
        return bytesWritten
    }

    /// The whole dump when writing to memory (fd -1), after `finish`.
    public mutating func takeMemoryOutput() -> [UInt8] {
        precondition(fd < 0 && finished, "takeMemoryOutput needs a finished in-memory writer")
        defer { memory = [] }
        return memory
    }

    // MARK: Keys

    /// A string key, straight from borrowed bytes (the hot path of a snapshot).
    public mutating func writeString(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                                     expireAtMilliseconds: Int64 = 0) throws(PersistenceError) {
        try writeKeyPrefix(type: RDBType.string, key: key, expireAtMilliseconds: expireAtMilliseconds)
        try writeStringValue(value)
        try flushIfNeeded()
    }

    /// Any value of the model. Empty hashes and sets are not written (Redis never keeps them and
    /// refuses them on load).
    public mutating func write(key: UnsafeRawBufferPointer, value: PersistedValue,
                               expireAtMilliseconds: Int64 = 0) throws(PersistenceError) {
        switch value {
        case .string(let bytes):
            try withBytes(bytes) { (v) throws(PersistenceError) in
                try writeString(key: key, value: v, expireAtMilliseconds: expireAtMilliseconds)
            }
            return
        case .hash(let fields):
            if fields.isEmpty { return }
            try writeHash(key: key, fields: fields, expireAtMilliseconds: expireAtMilliseconds)
        case .set(let members):
            if members.isEmpty { return }
            try writeSet(key: key, members: members, expireAtMilliseconds: expireAtMilliseconds)
        }
        try flushIfNeeded()
    }

    /// A record of the model; its database must be the selected one.
    public mutating func write(_ record: PersistedKey) throws(PersistenceError) {
        precondition(record.database == currentDatabase, "key written outside its SELECTDB section")
        try withBytes(record.key) { (k) throws(PersistenceError) in
            try write(key: k, value: record.value, expireAtMilliseconds: record.expireAtMilliseconds)
        }
    }

    mutating func writeHash(key: UnsafeRawBufferPointer, fields: [PersistedValue.HashField],
                            expireAtMilliseconds: Int64) throws(PersistenceError) {
        let limit = options.limits.hashMaxListpackValue
        let small = fields.count <= options.limits.hashMaxListpackEntries
            && fields.allSatisfy { $0.field.count <= limit && $0.value.count <= limit }
        if small {
            try writeKeyPrefix(type: RDBType.hashListpack, key: key, expireAtMilliseconds: expireAtMilliseconds)
            var lp = scratch
            scratch = []
            ListpackBuilder.reserveHeader(&lp)
            for f in fields {
                f.field.withUnsafeBytes { ListpackBuilder.appendEntry($0, to: &lp) }
                f.value.withUnsafeBytes { ListpackBuilder.appendEntry($0, to: &lp) }
            }
            ListpackBuilder.finish(&lp, elements: fields.count * 2)
            try writeStringValue(lp)
            scratch = lp
        } else {
            try writeKeyPrefix(type: RDBType.hash, key: key, expireAtMilliseconds: expireAtMilliseconds)
            writeLength(UInt64(fields.count))
            for f in fields {
                try writeStringValue(f.field)
                try writeStringValue(f.value)
                try flushIfNeeded()
            }
        }
    }

    mutating func writeSet(key: UnsafeRawBufferPointer, members: [[UInt8]],
                           expireAtMilliseconds: Int64) throws(PersistenceError) {
        var integers: [Int64] = []
        if members.count <= options.limits.setMaxIntsetEntries {
            integers.reserveCapacity(members.count)
            for m in members {
                guard let v = m.withUnsafeBytes({ ByteStrings.parseInt64($0) }) else { integers = []; break }
                integers.append(v)
            }
        }
        if !integers.isEmpty {
            try writeKeyPrefix(type: RDBType.setIntset, key: key, expireAtMilliseconds: expireAtMilliseconds)
            try writeStringValue(IntsetBuilder.build(integers))
        } else {
            try writeKeyPrefix(type: RDBType.set, key: key, expireAtMilliseconds: expireAtMilliseconds)
            writeLength(UInt64(members.count))
            for m in members {
                try writeStringValue(m)
                try flushIfNeeded()
            }
        }
    }

    /// [EXPIRETIME_MS ms] type key — rdbSaveKeyValuePair's prefix (no LRU/LFU: we keep none).
    mutating func writeKeyPrefix(type: UInt8, key: UnsafeRawBufferPointer,
                                 expireAtMilliseconds: Int64) throws(PersistenceError) {
        precondition(currentDatabase >= 0, "key written before selectDatabase")
        if expireAtMilliseconds != 0 {
            writeByte(RDBOpcode.expireTimeMilliseconds)
            var ms: [UInt8] = []
            appendLittleEndian(UInt64(bitPattern: expireAtMilliseconds), bytes: 8, to: &ms)
            ms.withUnsafeBytes { buffer.write($0) }
        }
        writeByte(type)
        try writeStringValue(key)
        keysWritten += 1
    }

    // MARK: Primitives

    /// rdbSaveRawString: integer encoding for canonical decimals of at most 11 bytes that fit 32
    /// bits, LZF for strings over 20 bytes that shrink by more than 4 bytes, verbatim otherwise.
    mutating func writeStringValue(_ bytes: UnsafeRawBufferPointer) throws(PersistenceError) {
        let n = bytes.count
        if n <= 11, let v = ByteStrings.parseInt64(bytes) {
            if v >= -128 && v <= 127 {
                writeByte(0xC0 | RDBLength.encodingInt8)
                writeByte(UInt8(truncatingIfNeeded: v))
                return
            } else if v >= -32768 && v <= 32767 {
                writeByte(0xC0 | RDBLength.encodingInt16)
                writeLittleEndian(UInt64(bitPattern: v), bytes: 2)
                return
            } else if v >= -2_147_483_648 && v <= 2_147_483_647 {
                writeByte(0xC0 | RDBLength.encodingInt32)
                writeLittleEndian(UInt64(bitPattern: v), bytes: 4)
                return
            }
        }
        if options.compression && n > 20 {
            if compressed.count < n - 4 { compressed = [UInt8](repeating: 0, count: n) }
            let table = lzfTable ?? LZF.HashTable()
            lzfTable = table
            let c = compressed.withUnsafeMutableBytes { out in
                LZF.compress(bytes, into: UnsafeMutableRawBufferPointer(rebasing: out[0..<(n - 4)]), table: table)
            }
            if c > 0 {
                writeByte(0xC0 | RDBLength.encodingLZF)
                writeLength(UInt64(c))
                writeLength(UInt64(n))
                compressed.withUnsafeBytes { buffer.write(UnsafeRawBufferPointer(rebasing: $0[0..<c])) }
                try flushIfNeeded()
                return
            }
        }
        writeLength(UInt64(n))
        if n > RDBWriter.flushThreshold {
            try flush()  // large values go straight out instead of growing the buffer
            try writeOut(bytes)
        } else {
            buffer.write(bytes)
        }
    }

    mutating func writeStringValue(_ bytes: [UInt8]) throws(PersistenceError) {
        try withBytes(bytes) { (b) throws(PersistenceError) in try writeStringValue(b) }
    }

    /// rdbSaveLen: 6-bit, 14-bit (big-endian), 32-bit or 64-bit (big-endian) forms.
    mutating func writeLength(_ length: UInt64) {
        if length < 1 << 6 {
            writeByte(UInt8(length))
        } else if length < 1 << 14 {
            writeByte(0x40 | UInt8(length >> 8))
            writeByte(UInt8(length & 0xff))
        } else if length <= UInt64(UInt32.max) {
            writeByte(RDBLength.marker32)
            for k in stride(from: 3, through: 0, by: -1) { writeByte(UInt8(truncatingIfNeeded: length >> (8 * UInt64(k)))) }
        } else {
            writeByte(RDBLength.marker64)
            for k in stride(from: 7, through: 0, by: -1) { writeByte(UInt8(truncatingIfNeeded: length >> (8 * UInt64(k)))) }
        }
    }

    mutating func writeLittleEndian(_ value: UInt64, bytes: Int) {
        for k in 0..<bytes { writeByte(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
    }

    mutating func writeByte(_ byte: UInt8) { buffer.write(byte: byte) }

    mutating func writeRaw(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer.write($0) }
    }

    mutating func flushIfNeeded() throws(PersistenceError) {
        if buffer.readableBytes >= RDBWriter.flushThreshold { try flush() }
    }

    /// Checksums and writes out everything buffered.
    mutating func flush() throws(PersistenceError) {
        let pending = buffer.readableView
        if pending.isEmpty { return }
        try writeOut(pending)
        buffer.clear()
    }

    /// Checksums `bytes` and sends them to the file (or memory), retrying short writes and EINTR.
    mutating func writeOut(_ bytes: UnsafeRawBufferPointer) throws(PersistenceError) {
        if options.checksum { crc = CRC64.update(crc, bytes) }
        bytesWritten += bytes.count
        if fd < 0 {
            memory.append(contentsOf: bytes)
            return
        }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                throw .io(operation: "write", errno: e)
            }
            done += n
        }
    }
}
