import Commands
import Glibc

/// A start-up configuration problem, reported the way redis-server does and fatal.
public struct ConfigError: Error, CustomStringConvertible {
    public let line: Int
    public let text: String
    public let reason: String
    public var description: String {
        """

        *** FATAL CONFIG FILE ERROR (Tessera \(ServerIdentity.tesseraVersion)) ***
        Reading the configuration file, at line \(line)
        >>> '\(text)'
        \(reason)
        """
    }
}

/// Reads redis.conf-style text: one directive per line, arguments split with Redis's quoting
/// rules, `#` comments. Command-line `--name value…` options become extra lines, as in redis-server.
public enum ConfigLoader {
    /// `tessera [config-file] [--directive value…]`: returns the settings or the first error.
    public static func load(arguments: [String]) throws -> Settings {
        var settings = Settings()
        var text = ""
        var rest = arguments[...]
        if let first = rest.first, !first.hasPrefix("--") {
            guard let contents = readFile(first) else {
                throw ConfigError(line: 0, text: first, reason: "Can't open the config file: \(String(cString: strerror(errno)))")
            }
            settings.configFile = first
            text = contents
            rest = rest.dropFirst()
        }
        // Each "--name" starts a line; the following words are its arguments (quoted if needed).
        var options: [String] = []
        for word in rest {
            if word.hasPrefix("--") {
                options.append(String(word.dropFirst(2)))
            } else if options.isEmpty {
                throw ConfigError(line: 0, text: word, reason: "Invalid argument: options start with --")
            } else {
                options[options.count - 1] += " " + quote(word)
            }
        }
        text += "\n" + options.joined(separator: "\n")
        try apply(text, to: &settings)
        return settings
    }

    public static func apply(_ text: String, to settings: inout Settings) throws {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingTrailingCR()
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let words = splitArguments(String(trimmed)), let name = words.first else {
                throw ConfigError(line: index + 1, text: String(line), reason: "Unbalanced quotes in configuration line")
            }
            guard let directive = Directive.named(name) else {
                throw ConfigError(line: index + 1, text: String(line), reason: "Bad directive or wrong number of arguments")
            }
            if let reason = directive.set(&settings, Array(words.dropFirst())) {
                // Passwords never reach a log, even from a bad line.
                let shown = directive.name == "requirepass" || directive.name == "user"
                    ? directive.name + " (arguments hidden)" : String(line)
                throw ConfigError(line: index + 1, text: shown, reason: reason)
            }
        }
    }

    /// Redis `sdssplitargs`: spaces separate words; "double quotes" take \n \r \t \b \a \\ \" \xHH;
    /// 'single quotes' take \'. Returns nil for unbalanced quotes.
    static func splitArguments(_ line: String) -> [String]? {
        var words: [String] = []
        var bytes = Array(line.utf8)[...]
        while true {
            while let first = bytes.first, first == 32 || first == 9 { bytes = bytes.dropFirst() }
            guard let first = bytes.first else { return words }
            var word: [UInt8] = []
            if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
                let quote = first
                bytes = bytes.dropFirst()
                var closed = false
                while let byte = bytes.first {
                    bytes = bytes.dropFirst()
                    if byte == quote { closed = true; break }
                    if byte == UInt8(ascii: "\\"), let next = bytes.first {
                        bytes = bytes.dropFirst()
                        if quote == UInt8(ascii: "'") {
                            if next != quote { word.append(byte) }
                            word.append(next)
                            continue
                        }
                        switch next {
                        case UInt8(ascii: "n"): word.append(10)
                        case UInt8(ascii: "r"): word.append(13)
                        case UInt8(ascii: "t"): word.append(9)
                        case UInt8(ascii: "b"): word.append(8)
                        case UInt8(ascii: "a"): word.append(7)
                        case UInt8(ascii: "x") where bytes.count >= 2:
                            let hex = String(decoding: bytes.prefix(2), as: UTF8.self)
                            if let value = UInt8(hex, radix: 16) {
                                word.append(value)
                                bytes = bytes.dropFirst(2)
                            } else {
                                word.append(next)
                            }
                        default: word.append(next)
                        }
                    } else {
                        word.append(byte)
                    }
                }
                guard closed else { return nil }
                if let after = bytes.first, after != 32, after != 9 { return nil }
            } else {
                while let byte = bytes.first, byte != 32, byte != 9 {
                    word.append(byte)
                    bytes = bytes.dropFirst()
                }
            }
            words.append(String(decoding: word, as: UTF8.self))
        }
    }

    static func quote(_ word: String) -> String {
        guard word.isEmpty || word.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" || $0 == "\\" }) else { return word }
        let escaped = word.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        return "\"" + escaped + "\""
    }

    static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Substring {
    func trimmingTrailingCR() -> Substring { last == "\r" ? dropLast() : self }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
