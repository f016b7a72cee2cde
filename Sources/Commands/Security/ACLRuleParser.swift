// ACL SETUSER rule parsing: Redis 7.0's `ACLSetUser` / `ACLSetSelector`, rule by rule. Selectors
// ("(...)") are not supported and fail as a syntax error.

extension ACLRules {
    /// Applies one rule. Throws Redis's error kind; on throw `self` may be partly changed, so callers
    /// apply rules to a copy.
    public mutating func apply(_ op: [UInt8], index: ACLCommandIndex) throws(ACLRuleError) {
        guard let first = op.first else { return } // an empty rule is a no-op
        let lower = op.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
        func named(_ text: StaticString) -> Bool {
            lower.elementsEqual(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        let rest = Array(op.dropFirst())
        if named("on") {
            enabled = true
        } else if named("off") {
            enabled = false
        } else if named("skip-sanitize-payload") {
            sanitize = .skip
        } else if named("sanitize-payload") {
            sanitize = .sanitize
        } else if named("nopass") {
            nopass = true
            passwords.removeAll()
        } else if named("resetpass") {
            nopass = false
            passwords.removeAll()
        } else if first == UInt8(ascii: ">") || first == UInt8(ascii: "#") {
            let hash: [UInt8]
            if first == UInt8(ascii: ">") {
                hash = SHA256.hexDigest(rest)
            } else {
                guard ACLRules.isValidHash(rest) else { throw .badHash }
                hash = rest
            }
            if !passwords.contains(hash) { passwords.append(hash) }
            nopass = false
        } else if first == UInt8(ascii: "<") || first == UInt8(ascii: "!") {
            let hash: [UInt8]
            if first == UInt8(ascii: "<") {
                hash = SHA256.hexDigest(rest)
            } else {
                guard ACLRules.isValidHash(rest) else { throw .badHash }
                hash = rest
            }
            guard let position = passwords.firstIndex(of: hash) else { throw .noSuchPassword }
            passwords.remove(at: position)
        } else if first == UInt8(ascii: "(") {
            throw .syntax
        } else if named("clearselectors") {
            // Only the root selector exists: nothing to clear.
        } else if named("reset") {
            nopass = false
            passwords.removeAll()
            allKeys = false
            keyPatterns.removeAll()
            allChannels = false
            channels.removeAll()
            enabled = false
            sanitize = .sanitize
            setAllCommands(false)
        } else {
            try applySelectorRule(op, lower: lower, index: index)
        }
    }

    private mutating func applySelectorRule(_ op: [UInt8], lower: [UInt8],
                                            index: ACLCommandIndex) throws(ACLRuleError) {
        func named(_ text: StaticString) -> Bool {
            lower.elementsEqual(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }
        let first = op[0]
        let second: UInt8 = op.count > 1 ? op[1] : 0
        if named("allkeys") || named("~*") {
            allKeys = true
            keyPatterns.removeAll()
        } else if named("resetkeys") {
            allKeys = false
            keyPatterns.removeAll()
        } else if named("allchannels") || named("&*") {
            allChannels = true
            channels.removeAll()
        } else if named("resetchannels") {
            allChannels = false
            channels.removeAll()
        } else if named("allcommands") || named("+@all") {
            setAllCommands(true)
        } else if named("nocommands") || named("-@all") {
            setAllCommands(false)
        } else if first == UInt8(ascii: "~") || first == UInt8(ascii: "%") {
            guard !allKeys else { throw .keyAfterAllKeys }
            var read = true
            var write = true
            var offset = 1
            if first == UInt8(ascii: "%") {
                read = false
                write = false
                while offset < op.count {
                    let c = op[offset] & ~0x20
                    if c == UInt8(ascii: "R") && !read {
                        read = true
                    } else if c == UInt8(ascii: "W") && !write {
                        write = true
                    } else if op[offset] == UInt8(ascii: "~") {
                        offset += 1
                        break
                    } else {
                        throw .syntax
                    }
                    offset += 1
                }
                // "%~pattern" grants nothing: Redis 7.0.15 rejects it.
                guard read || write else { throw .syntax }
            }
            let pattern = Array(op[offset...])
            guard !ACLRules.hasSpaces(pattern) else { throw .syntax }
            if let existing = keyPatterns.firstIndex(where: { $0.pattern == pattern }) {
                keyPatterns[existing].read = keyPatterns[existing].read || read
                keyPatterns[existing].write = keyPatterns[existing].write || write
            } else {
                keyPatterns.append(ACLKeyPattern(pattern: pattern, read: read, write: write))
            }
            allKeys = false
        } else if first == UInt8(ascii: "&") {
            guard !allChannels else { throw .channelAfterAllChannels }
            let pattern = Array(op.dropFirst())
            guard !ACLRules.hasSpaces(pattern) else { throw .syntax }
            if !channels.contains(pattern) { channels.append(pattern) }
        } else if first == UInt8(ascii: "+") && second != UInt8(ascii: "@") {
            let name = Array(op.dropFirst())
            guard let bar = name.lastIndex(of: UInt8(ascii: "|")) else {
                guard let id = index.lookup(name) else { throw .unknownCommand }
                changePermission(id, allow: true, index: index)
                return
            }
            let commandName = Array(name[..<bar])
            let argument = Array(name[(bar + 1)...])
            guard let id = index.lookup(commandName) else { throw .unknownCommand }
            guard index.parent[id] < 0 else { throw .firstArgOfSubcommand }
            guard !argument.isEmpty else { throw .syntax }
            if !index.children[id].isEmpty {
                guard let sub = index.lookup(name) else { throw .unknownCommand }
                changePermission(sub, allow: true, index: index)
            } else {
                // SELECT|0 style: allow one first argument of an otherwise blocked command.
                let folded = argument.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
                var granted = firstArgs[id] ?? []
                if !granted.contains(where: { $0.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 } == folded }) {
                    granted.append(argument)
                }
                firstArgs[id] = granted
            }
        } else if first == UInt8(ascii: "-") && second != UInt8(ascii: "@") {
            guard let id = index.lookup(Array(op.dropFirst())) else { throw .unknownCommand }
            changePermission(id, allow: false, index: index)
        } else if (first == UInt8(ascii: "+") || first == UInt8(ascii: "-")) && second == UInt8(ascii: "@") {
            guard let category = ACLRules.category(named: Array(op.dropFirst(2))) else { throw .unknownCommand }
            setCategory(category, allow: first == UInt8(ascii: "+"), index: index)
        } else {
            throw .syntax
        }
    }

    mutating func setAllCommands(_ allow: Bool) {
        for id in commandBits.indices { commandBits[id] = allow }
        futureCommands = allow
        firstArgs.removeAll()
    }

    /// Redis `ACLChangeSelectorPerm`: a container's permission covers its subcommands.
    mutating func changePermission(_ id: Int, allow: Bool, index: ACLCommandIndex) {
        commandBits[id] = allow
        firstArgs[id] = nil
        for sub in index.children[id] { commandBits[sub] = allow }
    }

    /// Redis `ACLSetSelectorCommandBitsForCategory`: every command (and subcommand) in the category.
    mutating func setCategory(_ category: CommandCategories, allow: Bool, index: ACLCommandIndex) {
        for id in 0..<index.count where !index.commands[id].categories.isDisjoint(with: category) {
            changePermission(id, allow: allow, index: index)
        }
    }

    static func category(named name: [UInt8]) -> CommandCategories? {
        let folded = name.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
        for (category, text) in CommandCategories.names
        where folded.elementsEqual(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) {
            return category
        }
        return nil
    }

    static func isValidHash(_ hash: [UInt8]) -> Bool {
        hash.count == 64 && hash.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Redis `ACLStringHasSpaces`: patterns must survive the space-separated ACL file format.
    static func hasSpaces(_ bytes: [UInt8]) -> Bool {
        bytes.contains { $0 == 32 || ($0 >= 9 && $0 <= 13) }
    }
}
