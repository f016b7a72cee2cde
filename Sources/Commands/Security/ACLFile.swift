import Glibc

// The `aclfile` format: one "user <name> <rule> <rule>…" line per user (Redis `ACLLoadFromFile` /
// `ACLSaveToFile`). Rules are separated by spaces; quoting is not supported.

extension ACLStore {
    /// Every user as a line, sorted by name, each ending with "\n" (ACL SAVE).
    public func serializedUsers() -> [UInt8] {
        var out: [UInt8] = []
        for user in allUsers() {
            out += Array("user ".utf8)
            out += user.name
            out.append(32)
            out += user.describe(index: index)
            out.append(10)
        }
        return out
    }

    /// Parses an ACL file. Returns the users (with a default user even if the file has none) or
    /// Redis's error text, listing every bad line.
    public func parseUsers(_ text: [UInt8], fileName: String) -> Result<[[UInt8]: ACLUser], ACLFileError> {
        var users: [[UInt8]: ACLUser] = [ACLUser.defaultName: ACLUser(name: ACLUser.defaultName,
                                                                       rules: ACLStore.defaultRules(index))]
        var seen: Set<[UInt8]> = []
        var errors = ""
        var lineNumber = 0
        for rawLine in text.split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            let words = rawLine.split(whereSeparator: { $0 == 32 || $0 == 9 || $0 == 13 }).map { Array($0) }
            if words.isEmpty { continue }
            guard words.count >= 2, words[0] == Array("user".utf8) else {
                errors += "\(fileName):\(lineNumber) should start with user keyword followed by the username. "
                continue
            }
            let name = words[1]
            guard !seen.contains(name) else {
                errors += "WARNING: Duplicate user '\(String(decoding: name, as: UTF8.self))' found on line \(lineNumber). "
                continue
            }
            seen.insert(name)
            var rules = ACLRules(commandCount: index.count)
            if name == ACLUser.defaultName {
                // Redis resets the existing default user, then applies the line.
                rules = ACLStore.defaultRules(index)
                try? rules.apply(Array("reset".utf8), index: index)
            }
            var failed = false
            for op in words.dropFirst(2) {
                do throws(ACLRuleError) {
                    try rules.apply(op, index: index)
                } catch {
                    errors += "\(fileName):\(lineNumber): \(error.message). "
                    failed = true
                    break
                }
            }
            if !failed { users[name] = ACLUser(name: name, rules: rules) }
        }
        guard errors.isEmpty else {
            errors += "WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
            return .failure(ACLFileError(message: errors))
        }
        return .success(users)
    }

    /// ACL LOAD: replaces all users with the file's, or changes nothing and returns the error text
    /// (without the "ERR " prefix).
    public func loadFile() -> ACLFileError? {
        guard let path = aclFile else { return ACLFileError(message: "no aclfile") }
        guard let text = ACLStore.readFile(path) else {
            return ACLFileError(message: "Error loading ACLs, opening file '\(path)': \(String(cString: strerror(errno)))")
        }
        switch parseUsers(text, fileName: path) {
        case .success(let users):
            replaceUsers(users)
            return nil
        case .failure(let error):
            return error
        }
    }

    /// ACL SAVE: writes a temporary file next to the target and renames it over, so readers never
    /// see half a file. False on any I/O error.
    public func saveFile() -> Bool {
        guard let path = aclFile else { return false }
        let bytes = serializedUsers()
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += n
            }
            return fsync(fd) == 0
        }
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return out }
            out += chunk[..<n]
        }
    }
}

public struct ACLFileError: Error, Sendable {
    public let message: String
}
