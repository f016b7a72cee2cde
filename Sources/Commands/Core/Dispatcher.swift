import RESP

/// Looks a command up, checks its arity and runs its handler: the single entry point for requests
/// (from sockets, and later from AOF replay and MULTI/EXEC).
public enum Dispatcher {
    /// Executes `client.args` (at least one argument) and writes exactly one reply.
    @inline(__always)
    public static func execute(_ client: Client) {
        let args = client.args
        precondition(args.count > 0, "empty commands are skipped before dispatch")
        client.now = client.context.clock.nowMilliseconds()
        client.stats.commandsProcessed.bump()
        guard var command = client.context.commands.lookup(args[0]) else {
            client.command = nil
            client.replyUnknownCommand()
            return
        }
        if command.isContainer {
            client.command = command
            guard args.count >= 2 else {
                // A container that also runs alone (COMMAND) accepts argc 1 if its arity allows it.
                if let handler = command.handler, command.accepts(argumentCount: 1) {
                    client.info.recordCommand(command)
                    if client.aclGeneration != client.context.acl.generation { client.refreshACL() }
                    if client.aclRestricted && !ACLGate.admit(client, command) { return }
                    handler(client)
                } else {
                    client.replyWrongArity()
                }
                return
            }
            guard let sub = command.subcommand(named: args[1]) else {
                client.replyUnknownSubcommand()
                return
            }
            command = sub
        }
        client.command = command
        client.info.recordCommand(command)
        guard command.accepts(argumentCount: args.count) else {
            client.replyWrongArity()
            return
        }
        // ACL gate: one atomic load and one branch unless ACLs are in use.
        if client.aclGeneration != client.context.acl.generation { client.refreshACL() }
        if client.aclRestricted && !ACLGate.admit(client, command) { return }
        guard let handler = command.handler else {
            preconditionFailure("a command without subcommands has a handler")
        }
        handler(client)
    }
}
