import Bytes
import Glibc
import RESP

// AUTH and the ACL container (Redis 7.0 `aclCommand`, `authCommand`). The user model, rule parser,
// permission check and ACL file live in Commands/Security/. Replies match redis-server 7.0.15.

extension ACLFamily {
    /// AUTH [username] password
    static func auth(_ client: Client) {
        let args = client.args
        guard args.count <= 3 else {
            client.reply.error(ErrorReply.syntax)
            return
        }
        let acl = client.context.acl
        let name: [UInt8]
        if args.count == 2 {
            // Redis keeps the pre-ACL error for a password nobody asked for.
            guard !acl.defaultUser.rules.nopass else {
                client.reply.error(ErrorReply.authWithoutPassword)
                return
            }
            name = ACLUser.defaultName
        } else {
            name = Array(args[1])
        }
        authenticate(client, name: name, password: args[args.count - 1]) ? client.reply.ok()
            : client.reply.error(ErrorReply.wrongPass)
    }

    /// Checks a username/password pair and switches the client to that user; logs failures as
    /// Redis does (reason "auth", object "AUTH"). HELLO AUTH uses it too.
    public static func authenticate(_ client: Client, name: [UInt8], password: UnsafeRawBufferPointer) -> Bool {
        if let user = client.context.acl.user(named: name), user.accepts(password: password) {
            client.authenticate(as: user)
            return true
        }
        ACLGate.logDenial(client, reason: .auth, object: Array("AUTH".utf8), username: name)
        return false
    }

    /// ACL SETUSER username [rule ...]
    static func setUser(_ client: Client) {
        let args = client.args
        let name = Array(args[2])
        guard !ACLRules.hasSpaces(name), !name.contains(0) else {
            client.reply.error(ErrorReply.usernameSpaces)
            return
        }
        let rules = (3..<args.count).map { Array(args[$0]) }
        if let failure = client.context.acl.setUser(name, rules: rules) {
            failure.rule.withUnsafeBytes { rule in
                client.reply.error([Client.bytes("ERR Error in ACL SETUSER modifier '"), rule, Client.bytes("': "),
                                    Client.bytes(failure.error.message)])
            }
            return
        }
        client.reply.ok()
    }

    /// ACL GETUSER username: a map of flags, passwords, commands, keys, channels, selectors.
    static func getUser(_ client: Client) {
        let acl = client.context.acl
        guard let user = acl.user(named: Array(client.args[2])) else {
            client.reply.null()
            return
        }
        client.reply.map(count: 6)
        client.reply.bulk("flags")
        let flags = user.flagNames
        client.reply.set(count: flags.count)
        for flag in flags { flag.withUnsafeBytes { client.reply.bulk($0) } }
        client.reply.bulk("passwords")
        client.reply.array(count: user.rules.passwords.count)
        for hash in user.rules.passwords { hash.withUnsafeBytes { client.reply.bulk($0) } }
        client.reply.bulk("commands")
        user.commandRules(index: acl.index).withUnsafeBytes { client.reply.bulk($0) }
        client.reply.bulk("keys")
        user.keysDescription.withUnsafeBytes { client.reply.bulk($0) }
        client.reply.bulk("channels")
        user.channelsDescription.withUnsafeBytes { client.reply.bulk($0) }
        client.reply.bulk("selectors")
        client.reply.array(count: 0)
    }

    /// ACL DELUSER username [username ...]: connections of deleted users are closed (see
    /// `Client.refreshACL`); deleting one's own user closes after this reply.
    static func delUser(_ client: Client) {
        let args = client.args
        let names = (2..<args.count).map { Array(args[$0]) }
        guard !names.contains(ACLUser.defaultName) else {
            client.reply.error(ErrorReply.defaultUserUndeletable)
            return
        }
        client.reply.integer(client.context.acl.deleteUsers(names))
        // Redis closes the caller after the reply when it deleted its own user.
        if names.contains(client.user.name) { client.closeAfterReply = true }
    }

    /// ACL LIST: "user <name> <rules>" per user, sorted by name.
    static func list(_ client: Client) {
        let acl = client.context.acl
        let users = acl.allUsers()
        client.reply.array(count: users.count)
        for user in users {
            (Array("user ".utf8) + user.name + [32] + user.describe(index: acl.index)).withUnsafeBytes {
                client.reply.bulk($0)
            }
        }
    }

    /// ACL USERS
    static func users(_ client: Client) {
        let users = client.context.acl.allUsers()
        client.reply.array(count: users.count)
        for user in users { user.name.withUnsafeBytes { client.reply.bulk($0) } }
    }

    /// ACL WHOAMI
    static func whoAmI(_ client: Client) {
        client.user.name.withUnsafeBytes { client.reply.bulk($0) }
    }

    /// ACL CAT [category]: the category names, or the commands (and subcommands) in one.
    static func cat(_ client: Client) {
        let args = client.args
        guard args.count <= 3 else {
            client.replyWrongArity()
            return
        }
        guard args.count == 3 else {
            client.reply.array(count: CommandCategories.names.count)
            for (_, name) in CommandCategories.names { client.reply.bulk(name) }
            return
        }
        guard let category = ACLRules.category(named: Array(args[2])) else {
            client.reply.error([Client.bytes("ERR Unknown category '"), args[2], Client.bytes("'")])
            return
        }
        let index = client.context.acl.index
        let members = index.commands.filter { !$0.categories.isDisjoint(with: category) }
        client.reply.array(count: members.count)
        for command in members { command.fullName.withUnsafeBytes { client.reply.bulk($0) } }
    }

    /// ACL GENPASS [bits]: hex from the kernel's random source (256 bits by default).
    static func genPass(_ client: Client) {
        let args = client.args
        guard args.count <= 3 else {
            client.replyWrongArity()
            return
        }
        var bits = 256
        if args.count == 3 {
            guard let requested = ByteStrings.parseInt64(args[2]) else {
                client.reply.error(ErrorReply.notInteger)
                return
            }
            guard requested > 0 && requested <= 4096 else {
                client.reply.error(ErrorReply.genpassRange)
                return
            }
            bits = Int(requested)
        }
        let characters = (bits + 3) / 4
        var random = [UInt8](repeating: 0, count: (characters + 1) / 2)
        var generator = SystemRandomNumberGenerator()
        for index in random.indices { random[index] = UInt8.random(in: 0...255, using: &generator) }
        let hexDigits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in random { text.append(hexDigits[Int(byte >> 4)]); text.append(hexDigits[Int(byte & 15)]) }
        text.withUnsafeBytes { client.reply.bulk(UnsafeRawBufferPointer(rebasing: $0[..<characters])) }
    }

    /// ACL LOG [count | RESET]
    static func log(_ client: Client) {
        let args = client.args
        guard args.count <= 3 else {
            client.replyWrongArity()
            return
        }
        var limit = 10
        if args.count == 3 {
            if ByteStrings.equalsIgnoringCase(args[2], "reset") {
                client.context.acl.resetLog()
                client.reply.ok()
                return
            }
            guard let requested = ByteStrings.parseInt64(args[2]), requested >= 0 else {
                client.reply.error(ErrorReply.notInteger)
                return
            }
            limit = Int(min(requested, Int64(Int.max)))
        }
        let entries = client.context.acl.logEntries(limit: limit)
        client.reply.array(count: entries.count)
        for entry in entries {
            client.reply.map(count: 7)
            client.reply.bulk("count")
            client.reply.integer(entry.count)
            client.reply.bulk("reason")
            switch entry.reason {
            case .command: client.reply.bulk("command")
            case .key: client.reply.bulk("key")
            case .channel: client.reply.bulk("channel")
            case .auth: client.reply.bulk("auth")
            }
            client.reply.bulk("context")
            switch entry.context {
            case .toplevel: client.reply.bulk("toplevel")
            case .multi: client.reply.bulk("multi")
            }
            client.reply.bulk("object")
            entry.object.withUnsafeBytes { client.reply.bulk($0) }
            client.reply.bulk("username")
            entry.username.withUnsafeBytes { client.reply.bulk($0) }
            client.reply.bulk("age-seconds")
            client.reply.double(Double(client.now - entry.time) / 1000)
            client.reply.bulk("client-info")
            entry.clientInfo.withUnsafeBytes { client.reply.bulk($0) }
        }
    }

    /// ACL DRYRUN username command [arg ...]: "+OK" or why the command would be refused.
    static func dryRun(_ client: Client) {
        let args = client.args
        let acl = client.context.acl
        guard let user = acl.user(named: Array(args[2])) else {
            client.reply.error([Client.bytes("ERR User '"), args[2], Client.bytes("' not found")])
            return
        }
        let argc = args.count - 3
        var command = client.context.commands.lookup(args[3])
        if let container = command, container.isContainer, argc >= 2 {
            command = container.subcommand(named: args[4])
        }
        guard let command else {
            client.reply.error([Client.bytes("ERR Command '"), args[3], Client.bytes("' not found")])
            return
        }
        guard command.accepts(argumentCount: argc) else {
            command.fullName.withUnsafeBytes { name in
                client.reply.error([Client.bytes("ERR wrong number of arguments for '"), name, Client.bytes("' command")])
            }
            return
        }
        guard let id = acl.index.id(of: command) else { preconditionFailure("table commands are indexed") }
        switch user.check(command: command, id: id, args: args, offset: 3, argc: argc, index: acl.index) {
        case .allowed:
            client.reply.ok()
        case .commandDenied:
            (Array("This user has no permissions to run the '".utf8) + command.fullName + Array("' command".utf8))
                .withUnsafeBytes { client.reply.bulk($0) }
        case .keyDenied(let position):
            (Array("This user has no permissions to access the '".utf8) + cString(args[position + 3]) + Array("' key".utf8))
                .withUnsafeBytes { client.reply.bulk($0) }
        case .channelDenied(let position):
            (Array("This user has no permissions to access the '".utf8) + cString(args[position + 3])
                + Array("' channel".utf8)).withUnsafeBytes { client.reply.bulk($0) }
        }
    }

    /// The bytes before the first NUL: Redis formats the DRYRUN message with "%s".
    private static func cString(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        Array(bytes.prefix { $0 != 0 })
    }

    /// ACL LOAD
    static func load(_ client: Client) {
        let acl = client.context.acl
        guard acl.aclFile != nil else {
            client.reply.error(ErrorReply.noACLFile)
            return
        }
        if let failure = acl.loadFile() {
            Array(failure.message.utf8).withUnsafeBytes { client.reply.error([Client.bytes("ERR "), $0]) }
            return
        }
        client.reply.ok()
    }

    /// ACL SAVE
    static func save(_ client: Client) {
        let acl = client.context.acl
        guard acl.aclFile != nil else {
            client.reply.error(ErrorReply.noACLFile)
            return
        }
        acl.saveFile() ? client.reply.ok() : client.reply.error(ErrorReply.aclSaveFailed)
    }

    static func help(_ client: Client) {
        client.reply.array(count: helpLines.count)
        for line in helpLines { client.reply.simple(line) }
    }
}

// MARK: - Table

public enum ACLFamily {
    static let helpLines: [StaticString] = [
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Prints this help.",
    ]

    static let adminFlags: CommandFlags = [.admin, .noscript, .loading, .stale, .sentinel]
    static let adminCategories: CommandCategories = [.admin, .slow, .dangerous]
    static let plainFlags: CommandFlags = [.noscript, .loading, .stale, .sentinel]

    static let subcommands: [Command] = [
        Command("cat", arity: -2, flags: plainFlags, categories: [.slow], group: "server", since: "6.0.0",
                summary: "List the ACL categories or the commands inside a category", handler: cat),
        Command("deluser", arity: -3, flags: adminFlags, categories: adminCategories, group: "server",
                since: "6.0.0", summary: "Remove the specified ACL users and the associated rules", handler: delUser),
        Command("dryrun", arity: -4, flags: adminFlags, categories: adminCategories, group: "server",
                since: "7.0.0",
                summary: "Returns whether the user can execute the given command without executing the command.",
                handler: dryRun),
        Command("genpass", arity: -2, flags: plainFlags, categories: [.slow], group: "server", since: "6.0.0",
                summary: "Generate a pseudorandom secure password to use for ACL users", handler: genPass),
        Command("getuser", arity: 3, flags: adminFlags, categories: adminCategories, group: "server",
                since: "6.0.0", summary: "Get the rules for a specific ACL user", handler: getUser),
        Command("help", arity: 2, flags: [.loading, .stale, .sentinel], categories: [.slow], group: "server",
                since: "6.0.0", summary: "Show helpful text about the different subcommands", handler: help),
        Command("list", arity: 2, flags: adminFlags, categories: adminCategories, group: "server",
                since: "6.0.0", summary: "List the current ACL rules in ACL config file format", handler: list),
        Command("load", arity: 2, flags: adminFlags, categories: adminCategories, group: "server",
                since: "6.0.0", summary: "Reload the ACLs from the configured ACL file", handler: load),
        Command("log", arity: -2, flags: adminFlags, categories: adminCategories, group: "server",
                since: "6.0.0", summary: "List latest events denied because of ACLs in place", handler: log),
        Command("save", arity: 2, flags: adminFlags, categories: adminCategories, group: "server",
                since: "6.0.0", summary: "Save the current ACL rules in the configured ACL file", handler: save),
        Command("setuser", arity: -3, flags: adminFlags, categories: adminCategories, group: "server",
                since: "6.0.0", summary: "Modify or create the rules for a specific ACL user", handler: setUser),
        Command("users", arity: 2, flags: adminFlags, categories: adminCategories, group: "server",
                since: "6.0.0", summary: "List the username of all the configured ACL rules", handler: users),
        Command("whoami", arity: 2, flags: plainFlags, categories: [.slow], group: "server", since: "6.0.0",
                summary: "Return the name of the user associated to the current connection", handler: whoAmI),
    ]

    public static let commands: [Command] = [
        Command("auth", arity: -2, flags: [.noscript, .loading, .stale, .fast, .noAuth, .sentinel, .allowBusy],
                categories: [.fast, .connection], group: "connection", since: "1.0.0",
                summary: "Authenticate to the server", handler: auth),
        Command("acl", arity: -2, flags: [.sentinel], categories: [.slow], group: "server", since: "6.0.0",
                summary: "A container for Access List Control commands", subcommands: subcommands, handler: nil),
    ]
}
