// Numbers from Redis's rdb.h (7.0, plus 7.2's listpack sets so 7.2 dumps of our types load).

public enum RDBType {
    public static let string: UInt8 = 0
    public static let list: UInt8 = 1
    public static let set: UInt8 = 2
    public static let zset: UInt8 = 3
    public static let hash: UInt8 = 4
    public static let zset2: UInt8 = 5
    public static let module: UInt8 = 6
    public static let module2: UInt8 = 7
    public static let hashZipmap: UInt8 = 9
    public static let listZiplist: UInt8 = 10
    public static let setIntset: UInt8 = 11
    public static let zsetZiplist: UInt8 = 12
    public static let hashZiplist: UInt8 = 13
    public static let listQuicklist: UInt8 = 14
    public static let streamListpacks: UInt8 = 15
    public static let hashListpack: UInt8 = 16
    public static let zsetListpack: UInt8 = 17
    public static let listQuicklist2: UInt8 = 18
    public static let streamListpacks2: UInt8 = 19
    public static let setListpack: UInt8 = 20
    public static let streamListpacks3: UInt8 = 21

    /// A name for error messages (what TYPE would say, plus the encoding).
    public static func name(_ type: UInt8) -> String {
        switch type {
        case string: return "string"
        case list, listZiplist, listQuicklist, listQuicklist2: return "list"
        case set, setIntset, setListpack: return "set"
        case zset, zset2, zsetZiplist, zsetListpack: return "zset"
        case hash, hashZipmap, hashZiplist, hashListpack: return "hash"
        case module, module2: return "module"
        case streamListpacks, streamListpacks2, streamListpacks3: return "stream"
        default: return "unknown"
        }
    }
}

public enum RDBOpcode {
    public static let function2: UInt8 = 245
    public static let function: UInt8 = 246
    public static let moduleAux: UInt8 = 247
    public static let idle: UInt8 = 248
    public static let freq: UInt8 = 249
    public static let aux: UInt8 = 250
    public static let resizeDB: UInt8 = 251
    public static let expireTimeMilliseconds: UInt8 = 252
    public static let expireTime: UInt8 = 253
    public static let selectDB: UInt8 = 254
    public static let eof: UInt8 = 255
}

/// Length-prefix forms (the two high bits of the first byte).
enum RDBLength {
    static let bits6: UInt8 = 0
    static let bits14: UInt8 = 1
    static let marker32: UInt8 = 0x80
    static let marker64: UInt8 = 0x81
    static let encoded: UInt8 = 3
    // Special encodings after the 11xxxxxx marker.
    static let encodingInt8: UInt8 = 0
    static let encodingInt16: UInt8 = 1
    static let encodingInt32: UInt8 = 2
    static let encodingLZF: UInt8 = 3
}

/// Module aux payload opcodes (rdb.h RDB_MODULE_OPCODE_*), needed to skip one without its module.
enum RDBModuleOpcode {
    static let eof: UInt64 = 0
    static let sint: UInt64 = 1
    static let uint: UInt64 = 2
    static let float: UInt64 = 3
    static let double: UInt64 = 4
    static let string: UInt64 = 5
}

/// Redis 7.0's defaults for the compact encodings (hash-max-listpack-entries/value,
/// set-max-intset-entries). A writer that exceeds them would still produce a loadable file, but
/// Redis converts on load; staying within them makes our dumps byte-compatible with its own.
public struct RDBEncodingLimits: Sendable {
    public var hashMaxListpackEntries: Int = 512
    public var hashMaxListpackValue: Int = 64
    public var setMaxIntsetEntries: Int = 512
    public init() {}
}

/// The highest RDB version we read: 7.0 writes 10, 7.2 writes 11, 7.4 writes 12. Newer versions
/// keep the same framing for the types we load; unknown types are still reported by key.
let rdbMaxReadableVersion = 12
let rdbWrittenVersion = 10
