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
        if !rules.allKeys {
            let verdict = checkKeys(command: command, id: id, args: args, offset: offset, argc: argc, index: index)
            if verdict != .allowed { return verdict }
        }
        if !rules.allChannels {
            return checkChannels(index.channelRules[id], args: args, offset: offset, argc: argc)
        }
        return .allowed
    }

    /// The key part of `check`: every key the command's key specs find, with the access it needs.
    private func checkKeys(command: Command, id: Int, args: Arguments, offset: Int, argc: Int,
                           index: ACLCommandIndex) -> ACLVerdict {
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

    /// The channel part of `check` (Redis `ACLSelectorCheckCmd`): the first channel argument no
    /// channel pattern of the user allows.
    private func checkChannels(_ rule: ACLChannelRule, args: Arguments, offset: Int, argc: Int) -> ACLVerdict {
        let last: Int
        switch rule {
        case .none: return .allowed
        case .publish: last = min(1, argc - 1)
        case .subscribe, .patternSubscribe: last = argc - 1
        }
        guard last >= 1 else { return .allowed }
        let isPattern = rule == .patternSubscribe
        for position in 1...last where !permits(channel: args[position + offset], isPattern: isPattern) {
            return .channelDenied(argument: position)
        }
        return .allowed
    }

    /// Redis `ACLCheckChannelAgainstList`: a channel must match one of the user's patterns; a
    /// PSUBSCRIBE pattern must equal one of them literally (compared as C strings, as Redis's strcmp
    /// does, so a pattern argument is cut at its first NUL), so a user allowed `news.*` may
    /// subscribe to the pattern `news.*` but not to `news.1` or `*`.
    func permits(channel: UnsafeRawBufferPointer, isPattern: Bool) -> Bool {
        rules.channels.contains { pattern in
            pattern.withUnsafeBytes { pattern in
                if isPattern { return ACLUser.cStringEqual(pattern, channel) }
                return ByteStrings.globMatch(pattern: pattern, string: channel, ignoringCase: false)
            }
        }
    }

    /// `strcmp(a, b) == 0` on byte strings: equal up to and including the first NUL (or the end).
    static func cStringEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while true {
            let x: UInt8 = index < a.count ? a[index] : 0
            let y: UInt8 = index < b.count ? b[index] : 0
            if x != y { return false }
            if x == 0 { return true }
            index += 1
        }
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
