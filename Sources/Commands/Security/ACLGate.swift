import RESP
import Synchronization

/// The dispatcher's authentication and permission gate (Redis `processCommand`: NOAUTH, then
/// `ACLCheckAllPerm`). Only clients flagged `aclRestricted` get here.
enum ACLGate {
    /// True if `command` may run; otherwise writes the error reply, logs the denial and returns false.
    static func admit(_ client: Client, _ command: Command) -> Bool {
        let acl = client.context.acl
        if client.userDeleted {
            // Redis frees such clients at once; we close after this refusal.
            client.closeAfterReply = true
            client.reply.error(ErrorReply.noAuth)
            return false
        }
        if !client.authenticated && !command.flags.contains(.noAuth) && acl.defaultUserNeedsPassword {
            client.reply.error(ErrorReply.noAuth)
            return false
        }
        let user = client.user
        if user.allowsAll { return true }
        guard let id = acl.index.id(of: command) else { preconditionFailure("dispatched commands come from the table") }
        let args = client.args
        let verdict = user.check(command: command, id: id, args: args, offset: 0, argc: args.count, index: acl.index)
        if verdict == .allowed { return true }
        switch verdict {
        case .allowed:
            break
        case .commandDenied:
            command.fullName.withUnsafeBytes { name in
                client.reply.error([Client.bytes("NOPERM this user has no permissions to run the '"), name,
                                    Client.bytes("' command")])
            }
        case .keyDenied:
            client.reply.error(ErrorReply.noPermissionKeys)
        case .channelDenied:
            client.reply.error(ErrorReply.noPermissionChannels)
        }
        logDenial(client, verdict, command, context: logContext(client))
        return false
    }

    /// EXEC's re-check of one queued command against the user's rules now (Redis `execCommand`): the
    /// rules may have changed since it was queued. A refused command gets its own error inside the
    /// EXEC reply and an ACL LOG entry ("multi"); the others still run. `client.args` is its argv.
    static func admitQueued(_ client: Client, _ command: Command) -> Bool {
        let user = client.user
        if user.allowsAll { return true }
        let acl = client.context.acl
        guard let id = acl.index.id(of: command) else { preconditionFailure("queued commands come from the table") }
        let args = client.args
        let verdict = user.check(command: command, id: id, args: args, offset: 0, argc: args.count, index: acl.index)
        let reason: StaticString
        switch verdict {
        case .allowed: return true
        case .commandDenied: reason = "no permission to execute the command or subcommand"
        case .keyDenied: reason = "no permission to touch the specified keys"
        case .channelDenied: reason = "no permission to access one of the channels used as arguments"
        }
        logDenial(client, verdict, command, context: .multi)
        client.reply.error([Client.bytes("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: "),
                            Client.bytes(reason)])
        return false
    }

    /// The ACL LOG entry of a refused command: its name, or the key or channel that was refused.
    private static func logDenial(_ client: Client, _ verdict: ACLVerdict, _ command: Command,
                                  context: ACLLogEntry.Context) {
        switch verdict {
        case .allowed: preconditionFailure("only refusals are logged")
        case .commandDenied: logDenial(client, reason: .command, object: command.fullName, context: context)
        case .keyDenied(let position): logDenial(client, reason: .key, object: Array(client.args[position]), context: context)
        case .channelDenied(let position):
            logDenial(client, reason: .channel, object: Array(client.args[position]), context: context)
        }
    }

    /// "multi" while the client queues a MULTI block or its EXEC runs (Redis's CLIENT_MULTI flag,
    /// which `multiCount` mirrors), "toplevel" otherwise.
    static func logContext(_ client: Client) -> ACLLogEntry.Context {
        client.info.multiCount.load(ordering: .relaxed) >= 0 ? .multi : .toplevel
    }

    /// Adds an ACL LOG entry for `client` (Redis `addACLLogEntry`).
    static func logDenial(_ client: Client, reason: ACLLogEntry.Reason, object: [UInt8], username: [UInt8]? = nil,
                          context: ACLLogEntry.Context? = nil) {
        var line: [UInt8] = []
        ConnectionFamily.appendClientLine(client, client.info, to: &line)
        if line.last == UInt8(ascii: "\n") { line.removeLast() }
        client.context.acl.log(reason: reason, context: context ?? logContext(client), object: object,
                               username: username ?? client.user.name,
                               time: client.now, clientInfo: line)
    }
}
