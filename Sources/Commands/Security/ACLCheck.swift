import Bytes
import RESP

/// The outcome of an ACL check, naming the rule that failed (Redis `ACL_DENIED_*`).
public enum ACLVerdict: Equatable, Sendable {
    case allowed
    case commandDenied
    /// `argument` is the argv index of the first key the user may not touch.
    case keyDenied(argument: Int)
    case channelDenied(argument: Int)
}

extension ACLUser {
    /// Redis 7.0 `ACLSelectorCheckCmd` for the root selector: the command bit (or an allowed first
    /// argument), then every key the command's key specs find, against the user's patterns with the
    /// access the spec needs. The command's argv[0] is `args[offset]`; it has `argc` arguments.
    public func check(command: Command, id: Int, args: Arguments, offset: Int, argc: Int,
                      index: ACLCommandIndex) -> ACLVerdict {
        let rules = self.rules
        if !command.flags.contains(.noAuth) && !rules.commandBits[id] {
            guard let granted = rules.firstArgs[id] else { return .commandDenied }
            let position = index.parent[id] >= 0 ? 2 : 1
            guard argc > position else { return .commandDenied }
            let first = args[position + offset]
            let matched = granted.contains { candidate in
                candidate.count == first.count && zip(candidate, first).allSatisfy { ACLUser.fold($0) == ACLUser.fold($1) }
            }
            guard matched else { return .commandDenied }
        }
        if rules.allKeys { return .allowed }
        let keyRules = index.keyRules[id]
        if keyRules.isEmpty { return .allowed }
        let isSet = command.fullName.elementsEqual("set".utf8)
        if index.simpleKeys[id] {
            // The common case (GET, SET, DEL, MGET…): walk the ranges without building a key list.
            for rule in keyRules {
                guard let range = rule.simpleRange else { continue }
                let first = range.first
                let last: Int
                if range.lastKey >= 0 {
                    last = first + range.lastKey
                } else if range.limit == 0 {
                    last = argc + range.lastKey
                } else {
                    last = first + ((argc - first) / range.limit + range.lastKey)
                }
                // A key list that doesn't fit argv yields no keys (as getKeysUsingKeySpecs).
                if last >= argc || last < first || first >= argc { continue }
                var position = first
                while position <= last {
                    let (read, write) = isSet ? ACLUser.setAccess(args, offset: offset, argc: argc) : (rule.read, rule.write)
                    if !permits(args[position + offset], read: read, write: write) {
                        return .keyDenied(argument: position)
                    }
                    position += max(range.step, 1)
                }
            }
            return .allowed
        }
        let specs = keyRules.map(\.spec)
        for (position, specIndex) in ServerFamily.keyPositions(specs, args: args, offset: offset, count: argc) {
            let rule = keyRules[specIndex]
            if !permits(args[position + offset], read: rule.read, write: rule.write) {
                return .keyDenied(argument: position)
            }
        }
        return .allowed
    }

    /// Whether some key pattern grants the access to `key` (Redis `ACLSelectorCheckKey`).
    func permits(_ key: UnsafeRawBufferPointer, read: Bool, write: Bool) -> Bool {
        rules.keyPatterns.contains { pattern in
            guard (!read || pattern.read) && (!write || pattern.write) else { return false }
            return pattern.pattern.withUnsafeBytes {
                ByteStrings.globMatch(pattern: $0, string: key, ignoringCase: false)
            }
        }
    }

    /// SET's key flags vary (Redis `setGetKeys`): RW access update with GET, OW update without.
    static func setAccess(_ args: Arguments, offset: Int, argc: Int) -> (read: Bool, write: Bool) {
        var index = 3
        while index < argc {
            if ByteStrings.equalsIgnoringCase(args[index + offset], "get") { return (true, true) }
            index += 1
        }
        return (false, true)
    }

    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }
}
