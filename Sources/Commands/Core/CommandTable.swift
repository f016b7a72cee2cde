/// The declarative command table: every family's commands, looked up case-insensitively by the
/// bytes of argv[0] without building a String. COMMAND / COMMAND INFO / DOCS dump it.
public final class CommandTable: Sendable {
    public static let shared = CommandTable(families: [
        StringFamily.commands,
        HashFamily.commands,
        SetFamily.commands,
        ObjectFamily.commands,
        KeysCopyFamily.commands,
        KeyFamily.commands,
        ExpireFamily.commands,
        ConnectionFamily.commands,
        ServerFamily.commands,
        SnapshotFamily.commands,
        TransactionFamily.commands,
        PubSubFamily.commands,
        ACLFamily.commands,
        ClusterFamily.commands,
        MonitorFamily.commands,
    ])

    /// All top-level commands in registration order.
    public let commands: [Command]
    /// Open-addressing index into `commands` (-1 = empty), sized to a power of two ≥ 4× the count.
    private let slots: [Int]
    private let mask: Int

    public init(families: [[Command]]) {
        commands = families.flatMap { $0 }
        var capacity = 16
        while capacity < commands.count * 4 { capacity <<= 1 }
        var slots = [Int](repeating: -1, count: capacity)
        for (index, command) in commands.enumerated() {
            let bytes = UnsafeRawBufferPointer(start: command.name.utf8Start, count: command.name.utf8CodeUnitCount)
            var slot = Int(truncatingIfNeeded: CommandTable.caseFoldedHash(bytes)) & (capacity - 1)
            while slots[slot] >= 0 {
                precondition(!CommandTable.nameMatches(commands[slots[slot]].name, bytes),
                             "duplicate command in the table")
                slot = (slot + 1) & (capacity - 1)
            }
            slots[slot] = index
        }
        self.slots = slots
        mask = capacity - 1
    }

    /// The command named by `name` (any letter case), or nil.
    @inline(__always)
    public func lookup(_ name: UnsafeRawBufferPointer) -> Command? {
        guard name.count <= 32 else { return nil }
        var slot = Int(truncatingIfNeeded: CommandTable.caseFoldedHash(name)) & mask
        while true {
            let index = slots[slot]
            if index < 0 { return nil }
            let command = commands[index]
            if CommandTable.nameMatches(command.name, name) { return command }
            slot = (slot + 1) & mask
        }
    }

    /// FNV-1a over ASCII-lowercased bytes.
    @inline(__always)
    static func caseFoldedHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte | 0x20)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// `lowercase` (a table name, lowercase ASCII) equals `bytes` ignoring ASCII case.
    @inline(__always)
    static func nameMatches(_ lowercase: StaticString, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard count == bytes.count else { return false }
        let name = lowercase.utf8Start
        for i in 0..<count {
            var byte = bytes[i]
            if byte >= 65 && byte <= 90 { byte |= 0x20 }
            if byte != name[i] { return false }
        }
        return true
    }
}
