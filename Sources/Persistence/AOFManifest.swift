// Redis 7's multi-part AOF: `appenddirname` holds one base file (an RDB or AOF image written by a
// rewrite), history files awaiting deletion, and incremental AOFs, listed in order by
// `<appendfilename>.manifest`, one file per line:
//     file appendonly.aof.1.base.rdb seq 1 type b
//     file appendonly.aof.1.incr.aof seq 1 type i
// Parsing follows aofLoadManifestFromFile (sdssplitargs quoting, key/value pairs in any order,
// unknown keys ignored) and writing follows getAofManifestAsString, so redis-check-aof and
// redis-server read our manifests and we read theirs.

public struct AOFManifest: Equatable, Sendable {
    public enum FileType: Character, Sendable {
        case base = "b"
        case history = "h"
        case incremental = "i"
    }

    public struct FileInfo: Equatable, Sendable {
        public var name: String
        public var sequence: Int64
        public var type: FileType
        public init(name: String, sequence: Int64, type: FileType) {
            self.name = name; self.sequence = sequence; self.type = type
        }
    }

    public var base: FileInfo?
    public var history: [FileInfo] = []
    public var incremental: [FileInfo] = []

    public init(base: FileInfo? = nil, history: [FileInfo] = [], incremental: [FileInfo] = []) {
        self.base = base; self.history = history; self.incremental = incremental
    }

    /// The files to replay, in order: the base, then every incremental file.
    public var loadOrder: [FileInfo] { (base.map { [$0] } ?? []) + incremental }

    // MARK: Names (aof.c getNewBaseFileNameAndMarkPreAsHistory / getNewIncrAofName)

    public static func manifestName(appendFilename: String) -> String { appendFilename + ".manifest" }

    public static func baseName(appendFilename: String, sequence: Int64, rdbPreamble: Bool) -> String {
        "\(appendFilename).\(sequence).base.\(rdbPreamble ? "rdb" : "aof")"
    }

    public static func incrementalName(appendFilename: String, sequence: Int64) -> String {
        "\(appendFilename).\(sequence).incr.aof"
    }

    // MARK: Text

    /// The manifest text: base, history, then incremental files, one line each.
    public func encoded() -> String {
        var out = ""
        for info in (base.map { [$0] } ?? []) + history + incremental {
            out += "file \(AOFManifest.quoteIfNeeded(info.name)) seq \(info.sequence) type \(info.type.rawValue)\n"
        }
        return out
    }

    public enum ParseError: Error, Equatable, Sendable {
        case empty
        case lineTooLong(line: Int)
        case invalidFormat(line: Int)
        case duplicateBase(line: Int)
        case nonMonotonicSequence(line: Int)
        case unknownType(line: Int)
    }

    /// Redis's MANIFEST_MAX_LINE.
    static let maxLine = 1024

    public static func parse(_ text: String) throws(ParseError) -> AOFManifest {
        var manifest = AOFManifest()
        var lineNumber = 0
        var sawFile = false
        var lastIncrementalSequence: Int64 = 0
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            // fgets keeps the newline; a line without one at EOF is still parsed by Redis.
            if end - start + 1 > maxLine { throw .lineTooLong(line: lineNumber) }
            let line = Array(bytes[start..<end])
            start = end + 1
            if line.first == UInt8(ascii: "#") { continue }
            guard let args = splitArguments(line) else { throw .invalidFormat(line: lineNumber) }
            if args.isEmpty { continue }
            if args.count < 6 || args.count % 2 != 0 { throw .invalidFormat(line: lineNumber) }
            var name: String?
            var sequence: Int64?
            var typeChar: UInt8?
            var i = 0
            while i < args.count {
                let key = String(decoding: args[i], as: UTF8.self)
                let value = args[i + 1]
                switch key.lowercased() {
                case "file": name = String(decoding: value, as: UTF8.self)
                case "seq": sequence = Int64(String(decoding: value, as: UTF8.self))
                case "type": typeChar = value.first
                default: break  // later Redis versions may add keys
                }
                i += 2
            }
            guard let fileName = name, let seq = sequence, let t = typeChar else {
                throw .invalidFormat(line: lineNumber)
            }
            let info: FileInfo
            switch t {
            case UInt8(ascii: "b"):
                if manifest.base != nil { throw .duplicateBase(line: lineNumber) }
                info = FileInfo(name: fileName, sequence: seq, type: .base)
                manifest.base = info
            case UInt8(ascii: "h"):
                info = FileInfo(name: fileName, sequence: seq, type: .history)
                manifest.history.append(info)
            case UInt8(ascii: "i"):
                if seq <= lastIncrementalSequence { throw .nonMonotonicSequence(line: lineNumber) }
                lastIncrementalSequence = seq
                info = FileInfo(name: fileName, sequence: seq, type: .incremental)
                manifest.incremental.append(info)
            default:
                throw .unknownType(line: lineNumber)
            }
            sawFile = true
        }
        if !sawFile { throw .empty }
        return manifest
    }

    // MARK: sds quoting

    /// sdsneedsrepr: names with spaces, quotes, backslashes or control bytes are written quoted.
    static func quoteIfNeeded(_ name: String) -> String {
        let bytes = Array(name.utf8)
        let needs = bytes.isEmpty || bytes.contains { b in
            b == UInt8(ascii: "\\") || b == UInt8(ascii: "\"") || b <= 32 || b >= 127
        }
        if !needs { return name }
        var out = "\""
        for b in bytes {
            switch b {
            case UInt8(ascii: "\\"): out += "\\\\"
            case UInt8(ascii: "\""): out += "\\\""
            case 10: out += "\\n"
            case 13: out += "\\r"
            case 9: out += "\\t"
            case 7: out += "\\a"
            case 8: out += "\\b"
            case 32...126: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789abcdef".utf8)
                out += "\\x" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out + "\""
    }

    /// sdssplitargs: whitespace-separated words, "double quoted" with C escapes and \xHH, or
    /// 'single quoted' with \' only; a closing quote must be followed by whitespace. nil when
    /// the quotes are unbalanced.
    static func splitArguments(_ line: [UInt8]) -> [[UInt8]]? {
        var args: [[UInt8]] = []
        var i = 0
        func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 || b == 11 || b == 12 }
        func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case 48...57: return b - 48
            case 97...102: return b - 87
            case 65...70: return b - 55
            default: return nil
            }
        }
        while true {
            while i < line.count && isSpace(line[i]) { i += 1 }
            if i >= line.count { return args }
            var current: [UInt8] = []
            var inDouble = false, inSingle = false, done = false
            while !done {
                if inDouble {
                    if i >= line.count { return nil }
                    let b = line[i]
                    if b == UInt8(ascii: "\\") && i + 3 < line.count && line[i + 1] == UInt8(ascii: "x"),
                       let h = hexValue(line[i + 2]), let l = hexValue(line[i + 3]) {
                        current.append(h << 4 | l); i += 3
                    } else if b == UInt8(ascii: "\\") && i + 1 < line.count {
                        i += 1
                        switch line[i] {
                        case UInt8(ascii: "n"): current.append(10)
                        case UInt8(ascii: "r"): current.append(13)
                        case UInt8(ascii: "t"): current.append(9)
                        case UInt8(ascii: "b"): current.append(8)
                        case UInt8(ascii: "a"): current.append(7)
                        default: current.append(line[i])
                        }
                    } else if b == UInt8(ascii: "\"") {
                        if i + 1 < line.count && !isSpace(line[i + 1]) { return nil }
                        done = true
                    } else {
                        current.append(b)
                    }
                } else if inSingle {
                    if i >= line.count { return nil }
                    let b = line[i]
                    if b == UInt8(ascii: "\\") && i + 1 < line.count && line[i + 1] == UInt8(ascii: "'") {
                        i += 1; current.append(UInt8(ascii: "'"))
                    } else if b == UInt8(ascii: "'") {
                        if i + 1 < line.count && !isSpace(line[i + 1]) { return nil }
                        done = true
                    } else {
                        current.append(b)
                    }
                } else {
                    if i >= line.count { done = true; break }
                    let b = line[i]
                    if isSpace(b) { done = true }
                    else if b == UInt8(ascii: "\"") { inDouble = true }
                    else if b == UInt8(ascii: "'") { inSingle = true }
                    else { current.append(b) }
                }
                if i < line.count { i += 1 }
            }
            args.append(current)
        }
    }
}
