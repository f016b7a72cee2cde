import Synchronization
import Bytes
import RESP

// Connection commands: PING, ECHO, QUIT, RESET, HELLO, SELECT, and the CLIENT container (its
// subcommands live in ClientCommands.swift). Replies match Redis 7.0.15 byte for byte.

extension ConnectionFamily {
    /// PING [message]: "+PONG", or the message as a bulk string (both protocols).
    static func ping(_ client: Client) {
        // Arity -1 admits any count; Redis checks the upper bound itself.
        guard client.argumentCount <= 2 else {
            client.replyWrongArity()
            return
        }
        if client.protocolVersion == .resp2 && client.isSubscribed {
            // Subscribed RESP2 clients get PING as a message-shaped array: ["pong", arg or ""].
            client.reply.array(count: 2)
            client.reply.bulk("pong")
            client.reply.bulk(client.argumentCount == 2 ? client.args[1] : Client.bytes(""))
        } else if client.argumentCount == 1 {
            client.reply.simple("PONG")
        } else {
            client.reply.bulk(client.args[1])
        }
    }

    /// ECHO message
    static func echo(_ client: Client) {
        client.reply.bulk(client.args[1])
    }

    /// QUIT: "+OK", then the connection closes once the reply is written. Extra arguments are ignored
    /// (arity -1), as in Redis 7.0.
    static func quit(_ client: Client) {
        client.reply.ok()
        client.closeAfterReply = true
    }

    /// RESET: back to the state of a new connection (Redis `clearClientConnectionState`): database 0,
    /// RESP2, no name. The library name/version set by CLIENT SETINFO survive, as in Redis 7.2.
    static func reset(_ client: Client) {
        client.releaseSessionState()
        client.info.multiCount.store(-1, ordering: .relaxed)
        client.info.subscriptionCount.store(0, ordering: .relaxed)
        client.info.patternCount.store(0, ordering: .relaxed)
        client.select(database: 0)
        client.protocolVersion = .resp2
        client.info.name = []
        client.resetAuthentication()
        client.reply.simple("RESET")
    }

    /// SELECT index
    static func select(_ client: Client) {
        guard let index = ByteStrings.parseInt64(client.args[1]) else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        // getIntFromObjectOrReply: a long long that doesn't fit an int has its own text.
        guard index >= Int64(Int32.min) && index <= Int64(Int32.max) else {
            client.reply.error(ErrorReply.intOutOfRange)
            return
        }
        guard index >= 0 && index < Int64(client.context.databaseCount) else {
            client.reply.error(ErrorReply.dbIndexOutOfRange)
            return
        }
        client.select(database: Int(index))
        client.reply.ok()
    }

    /// HELLO [protover [AUTH username password] [SETNAME clientname]]
    static func hello(_ client: Client) {
        let args = client.args
        let argc = args.count
        var version: ProtocolVersion?
        var next = 1
        if argc >= 2 {
            next = 2
            guard let requested = ByteStrings.parseInt64(args[1]) else {
                client.reply.error(ErrorReply.protocolVersionNotInteger)
                return
            }
            guard requested == 2 || requested == 3 else {
                client.reply.error(ErrorReply.protocolVersionUnsupported)
                return
            }
            version = requested == 2 ? .resp2 : .resp3
        }

        // Options: the last AUTH / SETNAME wins, as in Redis.
        var userIndex = 0
        var nameIndex = 0
        var index = next
        while index < argc {
            let remaining = argc - 1 - index
            let option = args[index]
            if ByteStrings.equalsIgnoringCase(option, "auth") && remaining >= 2 {
                userIndex = index + 1
                index += 3
            } else if ByteStrings.equalsIgnoringCase(option, "setname") && remaining >= 1 {
                nameIndex = index + 1
                index += 2
            } else {
                client.reply.error([Client.bytes("ERR Syntax error in HELLO option '"), option, Client.bytes("'")])
                return
            }
        }

        if userIndex > 0 {
            guard ACLFamily.authenticate(client, name: Array(args[userIndex]), password: args[userIndex + 1]) else {
                client.reply.error(ErrorReply.wrongPass)
                return
            }
        }
        // Redis `authRequired`: a connection that never authenticated can't HELLO past a password.
        if !client.authenticated && client.context.acl.defaultUserNeedsPassword {
            client.reply.error(ErrorReply.helloNoAuth)
            return
        }

        if nameIndex > 0 {
            guard ConnectionFamily.isValidClientAttribute(args[nameIndex]) else {
                client.reply.error(ErrorReply.invalidClientName)
                return
            }
            client.info.name = Array(args[nameIndex])
        }

        if let version { client.protocolVersion = version }
        client.reply.map(count: 7)
        client.reply.bulk("server")
        client.reply.bulk(ServerIdentity.serverName)
        client.reply.bulk("version")
        client.reply.bulk(ServerIdentity.redisVersion)
        client.reply.bulk("proto")
        client.reply.integer(client.protocolVersion.rawValue)
        client.reply.bulk("id")
        client.reply.integer(client.id)
        client.reply.bulk("mode")
        client.reply.bulk(ServerIdentity.mode)
        client.reply.bulk("role")
        client.reply.bulk(ServerIdentity.role)
        client.reply.bulk("modules")
        client.reply.array(count: 0)
    }
}

// MARK: - Table

public enum ConnectionFamily {
    static let clientSubcommands: [Command] = [
        Command("id", arity: 2, flags: [.noscript, .loading, .stale], categories: [.slow, .connection],
                group: "connection", since: "5.0.0", summary: "Returns the client ID for the current connection",
                handler: clientID),
        Command("setname", arity: 3, flags: [.noscript, .loading, .stale], categories: [.slow, .connection],
                group: "connection", since: "2.6.9", summary: "Set the current connection name",
                handler: clientSetName),
        Command("getname", arity: 2, flags: [.noscript, .loading, .stale], categories: [.slow, .connection],
                group: "connection", since: "2.6.9", summary: "Get the current connection name",
                handler: clientGetName),
        Command("setinfo", arity: 4, flags: [.noscript, .loading, .stale, .sentinel],
                categories: [.slow, .connection], group: "connection", since: "7.2.0",
                summary: "Set client or connection specific info", handler: clientSetInfo),
        Command("list", arity: -2, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous, .connection], group: "connection", since: "2.4.0",
                summary: "Get the list of client connections", handler: clientList),
        Command("info", arity: 2, flags: [.noscript, .loading, .stale], categories: [.slow, .connection],
                group: "connection", since: "6.2.0",
                summary: "Returns information about the current client connection.", handler: clientInfo),
        Command("kill", arity: -3, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous, .connection], group: "connection", since: "2.4.0",
                summary: "Kill the connection of a client", handler: clientKill),
        Command("no-evict", arity: 3, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous, .connection], group: "connection", since: "7.0.0",
                summary: "Set client eviction mode for the current connection", handler: clientNoEvict),
        Command("getredir", arity: 2, flags: [.noscript, .loading, .stale], categories: [.slow, .connection],
                group: "connection", since: "6.0.0",
                summary: "Get tracking notifications redirection client ID if any", handler: clientGetRedir),
        Command("trackinginfo", arity: 2, flags: [.noscript, .loading, .stale], categories: [.slow, .connection],
                group: "connection", since: "6.2.0",
                summary: "Return information about server assisted client side caching for the current connection",
                handler: clientTrackingInfo),
        Command("caching", arity: 3, flags: [.noscript, .loading, .stale], categories: [.slow, .connection],
                group: "connection", since: "6.0.0",
                summary: "Instruct the server about tracking or not keys in the next request", handler: clientCaching),
        Command("unblock", arity: -3, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous, .connection], group: "connection", since: "5.0.0",
                summary: "Unblock a client blocked in a blocking command from a different connection",
                handler: clientUnblock),
        Command("pause", arity: -3, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous, .connection], group: "connection", since: "2.9.50",
                summary: "Stop processing commands from clients for some time", handler: clientPause),
        Command("unpause", arity: 2, flags: [.admin, .noscript, .loading, .stale],
                categories: [.admin, .slow, .dangerous, .connection], group: "connection", since: "6.2.0",
                summary: "Resume processing of clients that were paused", handler: clientUnpause),
        Command("help", arity: 2, flags: [.loading, .stale], categories: [.slow, .connection],
                group: "connection", since: "5.0.0", summary: "Show helpful text about the different subcommands",
                handler: clientHelp),
    ]

    public static let commands: [Command] = [
        Command("ping", arity: -1, flags: [.fast, .sentinel, .allowedWhileSubscribed], categories: [.fast, .connection],
                group: "connection", since: "1.0.0", summary: "Ping the server", handler: ping),
        Command("echo", arity: 2, flags: [.loading, .stale, .fast], categories: [.fast, .connection],
                group: "connection", since: "1.0.0", summary: "Echo the given string", handler: echo),
        Command("quit", arity: -1, flags: [.noscript, .loading, .stale, .fast, .noAuth, .allowBusy,
                                            .allowedWhileSubscribed, .bypassesQueue],
                categories: [.fast, .connection], group: "connection", since: "1.0.0",
                summary: "Close the connection", handler: quit),
        Command("reset", arity: 1, flags: [.noscript, .loading, .stale, .fast, .noAuth, .allowBusy,
                                           .allowedWhileSubscribed, .bypassesQueue],
                categories: [.fast, .connection], group: "connection", since: "6.2.0",
                summary: "Reset the connection", handler: reset),
        Command("hello", arity: -1, flags: [.noscript, .loading, .stale, .fast, .noAuth, .allowBusy, .sentinel],
                categories: [.fast, .connection], group: "connection", since: "6.0.0",
                summary: "Handshake with Redis", handler: hello),
        Command("select", arity: 2, flags: [.loading, .stale, .fast], categories: [.fast, .connection],
                group: "connection", since: "1.0.0",
                summary: "Change the selected database for the current connection", handler: select),
        Command("client", arity: -2, flags: [.sentinel], categories: [.slow], group: "connection", since: "2.4.0",
                summary: "A container for client connection commands", subcommands: clientSubcommands,
                handler: nil),
    ]
}
