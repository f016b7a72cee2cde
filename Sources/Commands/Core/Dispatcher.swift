import RESP
import Synchronization

/// Looks a command up, applies the gates every command passes (arity, MULTI queueing, subscribed
/// mode) and runs its handler: the single entry point for requests (from sockets, EXEC and later
/// AOF replay).
public enum Dispatcher {
    /// Executes `client.args` (at least one argument) and writes exactly one reply.
    @inline(__always)
    public static func execute(_ client: Client) {
        let args = client.args
        precondition(args.count > 0, "empty commands are skipped before dispatch")
        client.now = client.readClock()
        client.stats.commandsProcessed.bump()
        guard var command = client.context.commands.lookup(args[0]) else {
            client.command = nil
            client.replyUnknownCommand()
            client.transaction?.aborted = true
            return
        }
        if command.isContainer {
            client.command = command
            if args.count < 2 {
                // A container that also runs alone (COMMAND) accepts argc 1 if its arity allows it.
                guard command.handler != nil, command.accepts(argumentCount: 1) else {
                    client.replyWrongArity()
                    client.transaction?.aborted = true
                    return
                }
            } else if let sub = command.subcommand(named: args[1]) {
                command = sub
            } else {
                client.replyUnknownSubcommand()
                client.transaction?.aborted = true
                return
            }
        }
        client.command = command
        client.info.recordCommand(command)
        guard command.accepts(argumentCount: args.count) else {
            if isExec(command) {
                rejectExec(client, "wrong number of arguments for 'exec' command")
                return
            }
            client.replyWrongArity()
            client.transaction?.aborted = true
            return
        }
        // ACL gate (Redis: after arity, before queueing): one atomic load and one branch unless ACLs
        // are in use. A refused command inside MULTI aborts the transaction, as in Redis.
        if client.aclGeneration != client.context.acl.generation { client.refreshACL() }
        if client.aclRestricted && !ACLGate.admit(client, command) {
            client.transaction?.aborted = true
            return
        }
        if client.transaction != nil && !command.flags.contains(.bypassesQueue) {
            queue(command, client)
            return
        }
        if client.protocolVersion == .resp2 && client.isSubscribed && !command.flags.contains(.allowedWhileSubscribed) {
            if isExec(command) {
                rejectExec(client, "Can't execute 'exec': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
                return
            }
            replyNotAllowedWhileSubscribed(client)
            return
        }
        run(command, client)
    }

    /// Runs an already-validated command (EXEC replays its queue through here).
    @inline(__always)
    static func run(_ command: Command, _ client: Client) {
        guard let handler = command.handler else { preconditionFailure("a runnable command has a handler") }
        handler(client)
        if command.flags.contains(.write) && client.context.watches.isActive { touchWatchedKeys(command, client) }
    }

    /// A write invalidates WATCHes on its keys; keyless writes (FLUSHDB, FLUSHALL, SWAPDB) on all.
    /// Like Redis's signalModifiedKey, but conservative: a write that changed nothing also counts.
    static func touchWatchedKeys(_ command: Command, _ client: Client) {
        let keys = command.keys
        guard keys.first > 0 else {
            client.context.watches.touchAll(database: nil)
            return
        }
        let args = client.args
        let last = keys.last < 0 ? args.count + keys.last : keys.last
        var index = keys.first
        while index <= last && index < args.count {
            client.context.watches.touch(database: client.database, key: args[index])
            index += max(1, keys.step)
        }
    }

    private static func queue(_ command: Command, _ client: Client) {
        if command.flags.contains(.noMulti) {
            client.reply.error(ErrorReply.notAllowedInTransaction)
            client.transaction?.aborted = true
            return
        }
        guard client.transaction!.append(command, client.args) else {
            client.reply.error(ErrorReply.transactionTooLarge)
            client.transaction?.aborted = true
            return
        }
        client.info.multiCount.store(client.transaction!.count, ordering: .relaxed)
        client.reply.simple("QUEUED")
    }

    /// Only reached on rejection paths (a name compare is fine there).
    private static func isExec(_ command: Command) -> Bool {
        command.fullName.elementsEqual("exec".utf8)
    }

    /// Redis rejectCommand for EXEC (execCommandAbort): the transaction, if any, is discarded with
    /// its WATCHes, and the reason is given as an EXECABORT.
    private static func rejectExec(_ client: Client, _ reason: StaticString) {
        client.transaction = nil
        client.info.multiCount.store(-1, ordering: .relaxed)
        client.unwatchAll()
        client.reply.error([Client.bytes("EXECABORT Transaction discarded because of: "), Client.bytes(reason)])
    }

    private static func replyNotAllowedWhileSubscribed(_ client: Client) {
        let name = client.command?.fullName ?? []
        name.withUnsafeBytes { nameBytes in
            client.reply.error([Client.bytes("ERR Can't execute '"), nameBytes,
                                Client.bytes("': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")])
        }
    }
}
