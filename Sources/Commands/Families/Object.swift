import Bytes
import Keyspace
import RESP

/// OBJECT (ENCODING, REFCOUNT, IDLETIME, FREQ, HELP) and MEMORY (USAGE, HELP): introspection of one
/// key. Lookups do not touch the access clock (Redis's LOOKUP_NOTOUCH), so OBJECT IDLETIME is not
/// reset by asking.
public enum ObjectFamily {
    /// Locks the key's shard and calls `body` with its live entry; replies a null when missing.
    private static func withEntry(_ client: Client, keyIndex: Int, _ body: (Entry) -> Void) {
        let key = client.args[keyIndex]
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        guard let entry = shard.peek(database: client.database, key: key, hash: hash, now: client.now) else {
            return client.reply.null()
        }
        body(entry)
    }

    static func encoding(_ client: Client) {
        withEntry(client, keyIndex: 2) { entry in
            switch entry.encoding {
            case .listpack: client.reply.bulk("listpack")
            case .intset: client.reply.bulk("intset")
            case .hashtable: client.reply.bulk("hashtable")
            case .raw:
                // Redis would have stored these bytes as a shared/long integer, an embedded string
                // (≤ 44 bytes) or a raw sds; strings built by APPEND/SETRANGE are raw in Redis even
                // when short, which we do not track.
                let value = UnsafeRawBufferPointer(entry.value)
                if ByteStrings.parseInt64(value) != nil { client.reply.bulk("int") }
                else if value.count <= 44 { client.reply.bulk("embstr") }
                else { client.reply.bulk("raw") }
            }
        }
    }

    /// No value is shared between keys here, but Redis answers 2147483647 (OBJ_SHARED_REFCOUNT) for
    /// the integers 0–9999 it keeps as shared objects (unless an LRU/LFU maxmemory policy is
    /// active, which needs a clock per object), and 1 otherwise; we answer the same.
    static func refcount(_ client: Client) {
        withEntry(client, keyIndex: 2) { entry in
            let memory = client.context.memory
            let policy = memory.policy
            let sharingOff = memory.maxBytes > 0 && (policy.isLFU || policy == .allkeysLRU || policy == .volatileLRU)
            if entry.encoding == .raw, !sharingOff, let value = ByteStrings.parseInt64(UnsafeRawBufferPointer(entry.value)),
               value >= 0 && value < 10_000 {
                client.reply.integer(2_147_483_647)
            } else {
                client.reply.integer(1)
            }
        }
    }

    /// Seconds since the key was last read or written (the entry's access clock).
    static func idletime(_ client: Client) {
        withEntry(client, keyIndex: 2) { entry in
            if client.keyspace.accessTracking.isLFU {
                client.reply.error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
                return
            }
            client.reply.integer(AccessTracking.idleMilliseconds(entry.accessClock, now: client.now) / 1000)
        }
    }

    /// The decayed LFU counter; only tracked under an LFU maxmemory policy.
    static func freq(_ client: Client) {
        withEntry(client, keyIndex: 2) { entry in
            let tracking = client.keyspace.accessTracking
            guard tracking.isLFU else { return client.reply.error(ErrorReply.noLFU) }
            let nowSeconds = UInt32(truncatingIfNeeded: client.now / 1000)
            client.reply.integer(AccessTracking.decayedCounter(entry.accessClock, nowSeconds: nowSeconds,
                                                               decayMinutes: tracking.decayMinutes))
        }
    }

    static func objectHelp(_ client: Client) {
        client.reply.array(count: objectHelpLines.count)
        for line in objectHelpLines { client.reply.simple(line) }
    }

    static let objectHelpLines: [StaticString] = [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ]

    // MARK: MEMORY

    /// MEMORY USAGE key [SAMPLES count]: the bytes the key costs here, counted exactly rather than
    /// sampled: its allocation (header, key, inline value), a hashtable object if any, and its
    /// table slot. SAMPLES is validated as Redis does and otherwise ignored.
    static func usage(_ client: Client) {
        let args = client.args
        var index = 3
        while index < args.count {
            guard ByteStrings.equalsIgnoringCase(args[index], "samples"), index + 1 < args.count else {
                return client.reply.error(ErrorReply.syntax)
            }
            guard let samples = ByteStrings.parseInt64(args[index + 1]) else {
                return client.reply.error(ErrorReply.notInteger)
            }
            guard samples >= 0 else { return client.reply.error(ErrorReply.syntax) }
            index += 2
        }
        withEntry(client, keyIndex: 2) { entry in
            client.reply.integer(entry.allocationBytes + entry.objectBytes + MemoryLayout<UInt64>.size)
        }
    }

    static func memoryHelp(_ client: Client) {
        client.reply.array(count: memoryHelpLines.count)
        for line in memoryHelpLines { client.reply.simple(line) }
    }

    static let memoryHelpLines: [StaticString] = [
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
    ]

    // MARK: Table

    static let objectKey = KeyPositions(first: 2, last: 2, step: 1)

    public static let commands: [Command] = [
        Command("object", arity: -2, flags: [], categories: [.slow], group: "generic", since: "2.2.3",
                summary: "A container for object introspection commands", subcommands: [
                    Command("encoding", arity: 3, flags: [.readonly], categories: [.keyspace, .read, .slow],
                            keys: objectKey, group: "generic", since: "2.2.3",
                            summary: "Inspect the internal encoding of a Redis object", handler: { encoding($0) }),
                    Command("freq", arity: 3, flags: [.readonly], categories: [.keyspace, .read, .slow],
                            keys: objectKey, group: "generic", since: "4.0.0",
                            summary: "Get the logarithmic access frequency counter of a Redis object",
                            handler: { freq($0) }),
                    Command("help", arity: 2, flags: [.loading, .stale], categories: [.keyspace, .slow],
                            group: "generic", since: "6.2.0", summary: "Show helpful text about the different subcommands",
                            handler: { objectHelp($0) }),
                    Command("idletime", arity: 3, flags: [.readonly], categories: [.keyspace, .read, .slow],
                            keys: objectKey, group: "generic", since: "2.2.3",
                            summary: "Get the time since a Redis object was last accessed", handler: { idletime($0) }),
                    Command("refcount", arity: 3, flags: [.readonly], categories: [.keyspace, .read, .slow],
                            keys: objectKey, group: "generic", since: "2.2.3",
                            summary: "Get the number of references to the value of the key", handler: { refcount($0) }),
                ], handler: nil),
        Command("memory", arity: -2, flags: [], categories: [.slow], group: "server", since: "4.0.0",
                summary: "A container for memory diagnostics commands", subcommands: [
                    Command("help", arity: 2, flags: [.loading, .stale], categories: [.slow], group: "server",
                            since: "4.0.0", summary: "Show helpful text about the different subcommands",
                            handler: { memoryHelp($0) }),
                    Command("usage", arity: -3, flags: [.readonly], categories: [.read, .slow], keys: objectKey,
                            group: "server", since: "4.0.0", summary: "Estimate the memory usage of a key",
                            handler: { usage($0) }),
                ], handler: nil),
    ]
}
