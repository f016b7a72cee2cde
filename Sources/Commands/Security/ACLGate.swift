import RESP

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
        switch user.check(command: command, id: id, args: args, offset: 0, argc: args.count, index: acl.index) {
        case .allowed:
            return true
        case .commandDenied:
            command.fullName.withUnsafeBytes { name in
                client.reply.error([Client.bytes("NOPERM this user has no permissions to run the '"), name,
                                    Client.bytes("' command")])
            }
            logDenial(client, reason: .command, object: command.fullName)
        case .keyDenied(let position):
            client.reply.error(ErrorReply.noPermissionKeys)
            logDenial(client, reason: .key, object: Array(args[position]))
        case .channelDenied(let position):
            client.reply.error(ErrorReply.noPermissionChannels)
            logDenial(client, reason: .channel, object: Array(args[position]))
        }
        return false
    }

    /// Adds an ACL LOG entry for `client` (Redis `addACLLogEntry`, context "toplevel").
    static func logDenial(_ client: Client, reason: ACLLogEntry.Reason, object: [UInt8], username: [UInt8]? = nil) {
        var line: [UInt8] = []
        ConnectionFamily.appendClientLine(client, client.info, to: &line)
        if line.last == UInt8(ascii: "\n") { line.removeLast() }
        client.context.acl.log(reason: reason, object: object, username: username ?? client.user.name,
                               time: client.now, clientInfo: line)
    }
}
