// Rendering users back as rules (ACL LIST, ACL GETUSER, ACL SAVE): Redis 7.0's `ACLDescribeUser`.

extension ACLUser {
    /// "on nopass #hash ~keys resetchannels &ch +@all -@dangerous" (ACL LIST without "user <name> ").
    public func describe(index: ACLCommandIndex) -> [UInt8] {
        var out: [UInt8] = []
        for flag in flagNames { out += flag; out.append(32) }
        for hash in rules.passwords { out.append(UInt8(ascii: "#")); out += hash; out.append(32) }
        if rules.allKeys {
            out += Array("~* ".utf8)
        } else {
            for pattern in rules.keyPatterns { out += ACLUser.render(pattern); out.append(32) }
        }
        if rules.allChannels {
            out += Array("&* ".utf8)
        } else {
            out += Array("resetchannels ".utf8)
            for channel in rules.channels { out.append(UInt8(ascii: "&")); out += channel; out.append(32) }
        }
        out += commandRules(index: index)
        return out
    }

    /// The user flags in Redis's order ("on"/"off", "nopass", payload sanitization).
    public var flagNames: [[UInt8]] {
        var flags: [[UInt8]] = [Array((rules.enabled ? "on" : "off").utf8)]
        if rules.nopass { flags.append(Array("nopass".utf8)) }
        switch rules.sanitize {
        case .skip: flags.append(Array("skip-sanitize-payload".utf8))
        case .sanitize: flags.append(Array("sanitize-payload".utf8))
        case .unset: break
        }
        return flags
    }

    /// ACL GETUSER "keys": the key patterns separated by spaces ("~*" for allkeys).
    public var keysDescription: [UInt8] {
        if rules.allKeys { return Array("~*".utf8) }
        return Array(rules.keyPatterns.map(ACLUser.render).joined(separator: [32]))
    }

    /// ACL GETUSER "channels": "&*", or the patterns separated by spaces.
    public var channelsDescription: [UInt8] {
        if rules.allChannels { return Array("&*".utf8) }
        return Array(rules.channels.map { [UInt8(ascii: "&")] + $0 }.joined(separator: [32]))
    }

    static func render(_ pattern: ACLKeyPattern) -> [UInt8] {
        let prefix = pattern.read && pattern.write ? "~" : pattern.read ? "%R~" : "%W~"
        return Array(prefix.utf8) + pattern.pattern
    }

    /// Redis 7.0 `ACLDescribeSelectorCommandRules`: "+@all"/"-@all", then greedily the categories
    /// that best explain the bitmap, then single commands (and first-args) to make it exact. Redis
    /// walks its commands in hash order; we use table order, so single-command lists may be ordered
    /// differently from Redis's.
    public func commandRules(index: ACLCommandIndex) -> [UInt8] {
        let additive = !rules.futureCommands
        var out: [UInt8] = Array((additive ? "-@all " : "+@all ").utf8)
        var fake = ACLRules(commandCount: index.count)
        fake.setAllCommands(!additive)
        var temp = ACLRules(commandCount: index.count)
        temp.commandBits = rules.commandBits
        var applied = [Bool](repeating: false, count: CommandCategories.names.count)
        while true {
            var best = -1
            var minDiff = Int.max
            var maxSame = 0
            for (j, entry) in CommandCategories.names.enumerated() where !applied[j] {
                var on = 0
                var off = 0
                for id in 0..<index.count where !index.commands[id].categories.isDisjoint(with: entry.0) {
                    if temp.commandBits[id] { on += 1 } else { off += 1 }
                }
                let diff = additive ? off : on
                let same = additive ? on : off
                if same > diff && (diff < minDiff || (diff == minDiff && same > maxSame)) {
                    best = j
                    minDiff = diff
                    maxSame = same
                }
            }
            if best < 0 { break }
            let (category, name) = CommandCategories.names[best]
            fake.setCategory(category, allow: additive, index: index)
            temp.setCategory(category, allow: !additive, index: index)
            out.append(UInt8(ascii: additive ? "+" : "-"))
            out.append(UInt8(ascii: "@"))
            out += UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
            out.append(32)
            applied[best] = true
        }
        for id in index.topLevel {
            describeSingle(id, fake: &fake, index: index, into: &out)
        }
        out.removeLast() // the trailing space
        return out
    }

    private func describeSingle(_ id: Int, fake: inout ACLRules, index: ACLCommandIndex, into out: inout [UInt8]) {
        let userBit = rules.commandBits[id]
        if userBit != fake.commandBits[id] {
            out.append(UInt8(ascii: userBit ? "+" : "-"))
            out += index.commands[id].fullName
            out.append(32)
            fake.changePermission(id, allow: userBit, index: index)
        }
        for sub in index.children[id] { describeSingle(sub, fake: &fake, index: index, into: &out) }
        if !userBit, let granted = rules.firstArgs[id] {
            for argument in granted {
                out.append(UInt8(ascii: "+"))
                out += index.commands[id].fullName
                out.append(UInt8(ascii: "|"))
                out += argument
                out.append(32)
            }
        }
    }
}
