import Commands

/// Authentication, protected mode, output-buffer and memory limits (issue 6). Kept apart from
/// `Settings` so the directives that guard the server against bad clients live in one place.
/// Defaults are Redis 7.0's.
public struct SecuritySettings: Sendable {
    /// `requirepass`: the default user's password ("" = nopass). CONFIG GET shows it, as Redis 7 does.
    public var requirePass: String = ""
    /// `user` lines (name + rules), applied at start-up in order (Redis `ACLAppendUserForLoading`).
    public var users: [[String]] = []
    /// `aclfile`: where ACL LOAD / ACL SAVE read and write ("" = none).
    public var aclFile: String = ""
    public var aclLogMaxLength: Int = 128
    /// `protected-mode`: no password on the default user → only loopback and unix-socket clients.
    public var protectedMode: Bool = true
    /// `maxmemory` in bytes (0 = no limit).
    public var maxMemory: Int = 0
    public var maxMemoryPolicy: EvictionPolicy = .noeviction
    public var maxMemorySamples: Int = 5
    public var lfuLogFactor: Int = 10
    public var lfuDecayTime: Int = 1
    /// `client-output-buffer-limit` per class.
    public var outputLimits = OutputBufferLimits()

    public init() {}
}

/// One class's `client-output-buffer-limit`: close at `hard` bytes at once, or when the output has
/// stayed above `soft` bytes for `softSeconds`. 0 = no limit.
public struct OutputBufferLimit: Sendable, Equatable {
    public var hard: Int
    public var soft: Int
    public var softSeconds: Int
    public var isUnlimited: Bool { hard == 0 && soft == 0 }
}

/// Redis's classes and defaults: "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60". Tessera has
/// no replicas yet; the replica class is parsed and shown for compatibility.
public struct OutputBufferLimits: Sendable, Equatable {
    public var normal = OutputBufferLimit(hard: 0, soft: 0, softSeconds: 0)
    public var replica = OutputBufferLimit(hard: 256 << 20, soft: 64 << 20, softSeconds: 60)
    public var pubsub = OutputBufferLimit(hard: 32 << 20, soft: 8 << 20, softSeconds: 60)

    var rendered: String {
        func part(_ name: String, _ l: OutputBufferLimit) -> String { "\(name) \(l.hard) \(l.soft) \(l.softSeconds)" }
        return [part("normal", normal), part("slave", replica), part("pubsub", pubsub)].joined(separator: " ")
    }

    /// Redis `updateClientOutputBufferLimit`: groups of "class hard soft seconds"; classes not named
    /// keep their limits. Returns Redis's reason text on error (and changes nothing).
    mutating func apply(_ words: [String]) -> String? {
        guard !words.isEmpty, words.count % 4 == 0 else { return "Wrong number of arguments in buffer limit configuration." }
        var updated = self
        for start in stride(from: 0, to: words.count, by: 4) {
            guard let hard = Directive.parseMemory(words[start + 1]), let soft = Directive.parseMemory(words[start + 2]),
                  let seconds = Int(words[start + 3]), seconds >= 0 else {
                return "Error in hard, soft or soft_seconds setting in buffer limit configuration."
            }
            let limit = OutputBufferLimit(hard: hard, soft: soft, softSeconds: seconds)
            switch words[start].lowercased() {
            case "normal": updated.normal = limit
            case "slave", "replica": updated.replica = limit
            case "pubsub": updated.pubsub = limit
            default: return "Invalid client class specified in buffer limit configuration."
            }
        }
        self = updated
        return nil
    }
}

extension Directive {
    /// The directives of `SecuritySettings` (appended to `Directive.all`).
    static let security: [Directive] = [
        Directive(name: "requirepass", mutable: true, get: { $0.security.requirePass }, set: { s, args in
            guard args.count == 1 else { return "wrong number of arguments" }
            s.security.requirePass = args[0]
            return nil
        }),
        // Repeatable, start-up only, and not a CONFIG GET parameter (as in Redis).
        Directive(name: "user", mutable: false, get: { _ in "" }, set: { s, args in
            guard args.count >= 1 else { return "wrong number of arguments" }
            s.security.users.append(args)
            return nil
        }, hidden: true),
        Directive(name: "aclfile", mutable: false, get: { $0.security.aclFile }, set: { s, args in
            guard args.count == 1 else { return "wrong number of arguments" }
            s.security.aclFile = args[0]
            return nil
        }),
        integer("acllog-max-len", mutable: true, 0...Int(Int64.max), \.security.aclLogMaxLength),
        boolean("protected-mode", mutable: true, \.security.protectedMode),
        memory("maxmemory", mutable: true, 0...Int(Int64.max), \.security.maxMemory),
        Directive(name: "maxmemory-policy", mutable: true, get: { $0.security.maxMemoryPolicy.name }, set: { s, args in
            guard args.count == 1, let policy = EvictionPolicy(name: args[0].lowercased()) else {
                return "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
            }
            s.security.maxMemoryPolicy = policy
            return nil
        }),
        integer("maxmemory-samples", mutable: true, 1...Int(Int32.max), \.security.maxMemorySamples),
        integer("lfu-log-factor", mutable: true, 0...Int(Int32.max), \.security.lfuLogFactor),
        integer("lfu-decay-time", mutable: true, 0...Int(Int32.max), \.security.lfuDecayTime),
        Directive(name: "client-output-buffer-limit", mutable: true, get: { $0.security.outputLimits.rendered },
                  set: { s, args in
            // CONFIG SET passes one string, a config file line several words: treat both alike.
            let words = args.flatMap { $0.split(separator: " ").map(String.init) }
            return s.security.outputLimits.apply(words)
        }),
    ]
}
