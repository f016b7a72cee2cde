// Loads RDB files written by redis-server (versions 1 through 12; 7.0 writes 10): strings in every
// encoding, hashes (listpack, ziplist, zipmap, hashtable), sets (intset, hashtable, listpack), expiry
// opcodes, SELECTDB, RESIZEDB, AUX, MODULE_AUX (skipped), FUNCTION2 (skipped and reported), EOF and
// the CRC64 trailer. Types we do not store stop the load with an error naming the key.

/// What the loader saw besides keys.
public struct RDBLoadSummary: Sendable {
    public var version: Int = 0
    /// AUX fields in file order (redis-ver, ctime, repl-id...).
    public var aux: [(key: [UInt8], value: [UInt8])] = []
    /// RESIZEDB hints per database (keys, keys with expiry), for pre-sizing tables.
    public var sizeHints: [(database: Int, keys: Int, expires: Int)] = []
    public var keysLoaded = 0
    /// Function library bodies (FUNCTION2 opcode). We have no scripting, so the caller should warn
    /// that these were not loaded; they are kept so nothing is lost silently.
    public var functionLibraries: [[UInt8]] = []
    /// MODULE_AUX records skipped (global module state without a module to hand it to).
    public var moduleAuxSkipped = 0
    /// False when the file's trailer was zero (`rdbchecksum no`) or the version predates checksums.
    public var checksumVerified = false
    /// Offset just past the checksum: where an RDB preamble ends and AOF commands begin.
    public var endOffset = 0
}

public enum RDBReader {
    /// Decodes `bytes` (a whole file: map it with `RDBFile.withMappedFile`), calling `sink` once per
    /// key in file order. A sink error stops the load and is rethrown.
    public static func load(_ bytes: UnsafeRawBufferPointer,
                            sink: (PersistedKey) throws(PersistenceError) -> Void) throws(PersistenceError) -> RDBLoadSummary {
        try load(bytes, progress: { _ in }, sink: sink)
    }

    /// `load` that also reports, after each key, the offset just past it (INFO loading_loaded_bytes).
    public static func load(_ bytes: UnsafeRawBufferPointer, progress: (Int) -> Void,
                            sink: (PersistedKey) throws(PersistenceError) -> Void) throws(PersistenceError) -> RDBLoadSummary {
        var c = RDBCursor(bytes)
        var summary = RDBLoadSummary()
        let magic = try c.slice(9)
        if !magic.starts(with: Array("REDIS".utf8)) {
            throw PersistenceError.corrupt(offset: 0, reason: "wrong signature: not an RDB file")
        }
        var version = 0
        for d in magic[5..<9] {
            guard d >= 48 && d <= 57 else { throw PersistenceError.corrupt(offset: 5, reason: "invalid RDB version digits") }
            version = version * 10 + Int(d - 48)
        }
        if version < 1 || version > rdbMaxReadableVersion {
            throw PersistenceError.corrupt(offset: 5, reason: "can't handle RDB format version \(version)")
        }
        summary.version = version
        var database = 0
        var expireAt: Int64 = 0

        while true {
            c.recordStart = c.offset
            let opcodeAt = c.offset
            let type = try c.byte()
            switch type {
            case RDBOpcode.expireTimeMilliseconds:
                expireAt = Int64(bitPattern: try c.littleEndian(8))
                continue
            case RDBOpcode.expireTime:
                expireAt = Int64(Int32(bitPattern: UInt32(try c.littleEndian(4)))) * 1000
                continue
            case RDBOpcode.freq:
                _ = try c.byte()
                continue
            case RDBOpcode.idle:
                _ = try c.length()
                continue
            case RDBOpcode.selectDB:
                let (db, enc) = try c.length()
                if enc || db > UInt64(Int32.max) { throw c.corrupt("invalid SELECTDB index", at: opcodeAt + 1) }
                database = Int(db)
                continue
            case RDBOpcode.resizeDB:
                let keys = try c.length().value
                let expires = try c.length().value
                summary.sizeHints.append((database, Int(clamping: keys), Int(clamping: expires)))
                continue
            case RDBOpcode.aux:
                let key = try c.string()
                let value = try c.string()
                summary.aux.append((key, value))
                continue
            case RDBOpcode.moduleAux:
                try skipModuleAux(&c, at: opcodeAt)
                summary.moduleAuxSkipped += 1
                continue
            case RDBOpcode.function2:
                summary.functionLibraries.append(try c.string())
                continue
            case RDBOpcode.function:
                throw c.corrupt("pre-release FUNCTION opcode (Redis 7.0 RC) is not supported", at: opcodeAt)
            case RDBOpcode.eof:
                try verifyTrailer(&c, version: version, summary: &summary)
                return summary
            default:
                break
            }
            // A key: type byte, key string, value.
            let key = try c.string()
            let value = try loadValue(&c, type: type, key: key, typeAt: opcodeAt)
            try sink(PersistedKey(database: database, key: key, value: value, expireAtMilliseconds: expireAt))
            summary.keysLoaded += 1
            progress(c.offset)
            expireAt = 0
        }
    }

    static func loadValue(_ c: inout RDBCursor, type: UInt8, key: [UInt8], typeAt: Int) throws(PersistenceError) -> PersistedValue {
        switch type {
        case RDBType.string:
            return .string(try c.string())
        case RDBType.set:
            let n = try c.count()
            if n == 0 { throw c.corrupt("empty set", at: typeAt) }
            var members: [[UInt8]] = []
            members.reserveCapacity(n)
            for _ in 0..<n { members.append(try c.string()) }
            return .set(members)
        case RDBType.hash:
            let n = try c.count(minimumItemSize: 2)
            if n == 0 { throw c.corrupt("empty hash", at: typeAt) }
            var fields: [PersistedValue.HashField] = []
            fields.reserveCapacity(n)
            for _ in 0..<n {
                let f = try c.string()
                fields.append(.init(f, try c.string()))
            }
            return .hash(fields)
        case RDBType.setIntset, RDBType.setListpack:
            let members = try blob(&c, decoder: type == RDBType.setIntset ? CompactDecoders.intset : CompactDecoders.listpack)
            if members.isEmpty { throw c.corrupt("empty set", at: typeAt) }
            return .set(members)
        case RDBType.hashListpack, RDBType.hashZiplist, RDBType.hashZipmap:
            let decoder: ([UInt8]) throws(CompactBlobError) -> [[UInt8]]
            switch type {
            case RDBType.hashListpack: decoder = CompactDecoders.listpack
            case RDBType.hashZiplist: decoder = CompactDecoders.ziplist
            default: decoder = CompactDecoders.zipmap
            }
            let flat = try blob(&c, decoder: decoder)
            if flat.isEmpty || flat.count % 2 != 0 {
                throw c.corrupt("hash blob with \(flat.count) elements", at: typeAt)
            }
            var fields: [PersistedValue.HashField] = []
            fields.reserveCapacity(flat.count / 2)
            var i = 0
            while i < flat.count { fields.append(.init(flat[i], flat[i + 1])); i += 2 }
            return .hash(fields)
        default:
            throw PersistenceError.unsupportedType(key: key, type: type, typeName: RDBType.name(type), offset: typeAt)
        }
    }

    /// Reads a string holding a compact blob and decodes it, mapping errors to the blob's file offset.
    static func blob(_ c: inout RDBCursor,
                     decoder: ([UInt8]) throws(CompactBlobError) -> [[UInt8]]) throws(PersistenceError) -> [[UInt8]] {
        let at = c.offset
        let bytes = try c.string()
        do {
            return try decoder(bytes)
        } catch {
            throw c.corrupt("\(error.reason) (at +\(error.innerOffset) in the blob)", at: at)
        }
    }

    /// MODULE_AUX: module id, when-opcode (must be UINT), when, then typed values until the module
    /// EOF opcode — Redis's rdbLoadCheckModuleValue walk, which needs no module to skip the record.
    static func skipModuleAux(_ c: inout RDBCursor, at opcodeAt: Int) throws(PersistenceError) {
        _ = try c.length()  // module id (name + encoding version packed in 64 bits)
        let whenOpcode = try c.length().value
        if whenOpcode != RDBModuleOpcode.uint { throw c.corrupt("module aux 'when' is not an unsigned integer", at: opcodeAt) }
        _ = try c.length()
        while true {
            let at = c.offset
            let opcode = try c.length().value
            switch opcode {
            case RDBModuleOpcode.eof: return
            case RDBModuleOpcode.sint, RDBModuleOpcode.uint: _ = try c.length()
            case RDBModuleOpcode.string: try c.skipString()
            case RDBModuleOpcode.float: _ = try c.slice(4)
            case RDBModuleOpcode.double: _ = try c.slice(8)
            default: throw c.corrupt("unknown module opcode \(opcode)", at: at)
            }
        }
    }

    /// Version 5+ ends with the CRC64 of everything before it; zero means "not computed".
    static func verifyTrailer(_ c: inout RDBCursor, version: Int, summary: inout RDBLoadSummary) throws(PersistenceError) {
        if version >= 5 {
            let contentEnd = c.offset
            let expected = try c.littleEndian(8)
            if expected != 0 {
                let computed = CRC64.update(0, UnsafeRawBufferPointer(rebasing: c.bytes[0..<contentEnd]))
                if computed != expected { throw .checksumMismatch(expected: expected, computed: computed) }
                summary.checksumVerified = true
            }
        }
        summary.endOffset = c.offset
    }

    /// Convenience: every key of an in-memory dump.
    public static func loadAll(_ bytes: [UInt8]) throws(PersistenceError) -> (keys: [PersistedKey], summary: RDBLoadSummary) {
        var keys: [PersistedKey] = []
        let summary = try withBytes(bytes) { (b) throws(PersistenceError) -> RDBLoadSummary in
            try load(b) { (k) throws(PersistenceError) in keys.append(k) }
        }
        return (keys, summary)
    }
}
