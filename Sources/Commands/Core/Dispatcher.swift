import Bytes
import Keyspace
import RESP
import Synchronization

/// Looks a command up, applies the gates every command passes (arity, MULTI queueing, subscribed
/// mode) and runs its handler: the single entry point for requests (from sockets, EXEC and later
/// AOF replay).
public enum Dispatcher {
    /// Executes `client.args` (at least one argument) and writes exactly one reply.
    @inline(__always)
    public static func execute(_ client: Client) {
        execute(client, now: client.replaying ? 0 : client.readClock())
    }

    /// `execute` at a time the caller read: a worker reads the clock once per turn of up to 16
    /// pipelined requests (microseconds apart, so within the same millisecond as a rule), not once
    /// per request (2.6 % of a pipelined GET's CPU).
    @inline(__always)
    public static func execute(_ client: Client, now: Int64) {
        let args = client.args
        precondition(args.count > 0, "empty commands are skipped before dispatch")
        client.now = now
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
        // AOF replay runs as Redis's fake client, which neither ACL rules nor maxmemory restrict:
        // refusing a replayed write would drop data that was acknowledged before the restart.
        if !client.replaying && !admitted(command, client) { return }
        // Persistence gates (Redis checks MISCONF, then LOADING, before queueing): one relaxed load.
        let gates = client.context.admissionGates.load(ordering: .relaxed)
        if gates != 0 && !admitGated(gates, command, client) {
            client.transaction?.aborted = true
            return
        }
        if client.isMonitor && !command.flags.isDisjoint(with: [.write, .readonly, .mayReplicate]) {
            // Redis treats a monitor like a replica.
            client.reply.error("ERR Replica can't interact with the keyspace")
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

    /// The ACL and maxmemory gates; false = refused (reply written, transaction aborted).
    @inline(__always)
    private static func admitted(_ command: Command, _ client: Client) -> Bool {
        // ACL gate (Redis: after arity, before queueing): one atomic load and one branch unless ACLs
        // are in use. A refused command inside MULTI aborts the transaction, as in Redis.
        if client.aclGeneration != client.context.acl.generation { client.refreshACL() }
        if client.aclRestricted && !ACLGate.admit(client, command) {
            client.transaction?.aborted = true
            return false
        }
        // maxmemory gate (Redis processCommand: after ACL, before queueing): evict, or refuse a
        // command that may grow memory — and, inside MULTI, any command but EXEC/DISCARD/QUIT/RESET,
        // since queueing itself takes memory. One relaxed load for those commands, none otherwise.
        if (command.flags.contains(.denyOOM) || (client.transaction != nil && !command.flags.contains(.bypassesQueue)))
            && client.context.memory.maxBytes > 0 && !Eviction.makeRoom(client) {
            client.reply.error(ErrorReply.outOfMemory)
            client.transaction?.aborted = true
            return false
        }
        if client.context.memory.maxBytes > 0 && isExec(command), let transaction = client.transaction,
           transaction.queued.contains(where: { $0.command.flags.contains(.denyOOM) }), !Eviction.makeRoom(client) {
            // Redis refuses the whole EXEC when its queue holds a command that may grow memory.
            rejectExec(client, "OOM command not allowed when used memory > 'maxmemory'.")
            return false
        }
        return true
    }

    /// Under CLIENT PAUSE: whether `client.args` must wait (stay unexecuted in the input) until
    /// the pause ends. Like Redis's processCommand, an unknown command or a wrong arity is answered
    /// at once; WRITE mode holds writes, may-replicate commands (PUBLISH) and an EXEC whose queue
    /// writes. The event loop calls this only while `context.pause.mayBeActive`.
    public static func mustPostpone(_ client: Client) -> Bool {
        let args = client.args
        guard args.count > 0, let mode = client.context.pause.mode(now: client.context.clock.nowMilliseconds()),
              var command = client.context.commands.lookup(args[0]) else { return false }
        if command.isContainer && args.count >= 2, let sub = command.subcommand(named: args[1]) { command = sub }
        guard command.accepts(argumentCount: args.count) else { return false }
        if mode == .all { return true }
        let writes: CommandFlags = [.write, .mayReplicate]
        if !command.flags.isDisjoint(with: writes) { return true }
        if isExec(command), let transaction = client.transaction {
            return transaction.queued.contains { !$0.command.flags.isDisjoint(with: writes) }
        }
        return false
    }

    /// Runs an already-validated command (EXEC replays its queue through here).
    @inline(__always)
    static func run(_ command: Command, _ client: Client) {
        guard let handler = command.handler else { preconditionFailure("a runnable command has a handler") }
        if command.flags.contains(.write) {
            let replyStart = client.reply.buffer.writerIndex
            if client.context.propagation.isEnabled {
                runPropagating(command, handler, client)
            } else {
                handler(client)
            }
            // A write that answered with an error (or, for the commands flagged so, with 0) changed
            // nothing: it neither breaks a WATCH (Redis signals only modified keys) nor counts as a
            // change. server.dirty: any other write counts as one (Redis counts per element; close
            // enough for the save rules).
            if !repliedError(client, since: replyStart)
                && !(command.flags.contains(.zeroMeansUnchanged) && repliedZero(client, since: replyStart)) {
                if client.context.watches.isActive { touchWatchedKeys(command, client) }
                client.stats.writes.bump()
            }
        } else {
            handler(client)
        }
        if client.context.monitors.isActive { MonitorFamily.feed(command, client) }
    }

    /// The slow path when a persistence gate is set: true = admitted, false = refused (reply written).
    static func admitGated(_ gates: Int, _ command: Command, _ client: Client) -> Bool {
        if gates & AdmissionGate.writesRefused != 0
            && (command.flags.contains(.write) || command.fullName.elementsEqual("ping".utf8)) {
            client.reply.error(ErrorReply.misconf)
            return false
        }
        // The AOF replay itself runs while the gate is up.
        if gates & AdmissionGate.loading != 0 && !command.flags.contains(.loading) && !client.replaying {
            client.reply.error(ErrorReply.loading)
            return false
        }
        return true
    }

    /// A write while the AOF is on: the command's key shards stay locked from before the handler
    /// until its record is in the log, so records of one key reach the log in the order the
    /// keyspace applied them (see Propagation). Inside EXEC every shard is already locked and the
    /// ops commit when EXEC ends.
    private static func runPropagating(_ command: Command, _ handler: CommandHandler, _ client: Client) {
        let propagation = client.context.propagation
        let failure = propagation.writeErrno
        if failure != 0 {
            // Redis writeCommandsDeniedByDiskError: the AOF cannot be written, refuse writes.
            replyMisconf(client, errno: failure)
            return
        }
        let keyspace = client.keyspace
        let keys = command.keys
        let lockedAll = keys.first <= 0
        let outermost = !client.inExec
        if lockedAll {
            client.currentOpShards = .all
            if outermost { keyspace.lockAll() }
        } else {
            let args = client.args
            let last = keys.last < 0 ? args.count + keys.last : keys.last
            var index = keys.first
            client.lockScratch.removeAll(keepingCapacity: true)
            while index <= last && index < args.count {
                client.lockScratch.append(keyspace.shardIndex(hash: keyspace.hash(args[index])))
                index += max(1, keys.step)
            }
            // Sorted and unique after this (lock order); inside EXEC every shard is held already.
            if outermost { keyspace.lockShards(&client.lockScratch) }
            switch client.lockScratch.count {
            case 0: client.currentOpShards = .none
            case 1: client.currentOpShards = .one(client.lockScratch[0])
            default: client.currentOpShards = .some(client.lockScratch)
            }
        }
        let replyStart = client.reply.buffer.writerIndex
        client.propagationHandled = false
        handler(client)
        if !client.propagationHandled && !repliedError(client, since: replyStart) {
            client.propagateVerbatim()
        }
        client.currentOpShards = .none
        if outermost {
            propagation.commit(client)
            if lockedAll { keyspace.unlockAll() } else { keyspace.unlockShards(client.lockScratch) }
        }
    }

    /// The reply bytes the current command wrote since `start` (empty if none are buffered).
    @inline(__always)
    private static func reply(_ client: Client, since start: Int) -> UnsafeRawBufferPointer {
        let buffer = client.reply.buffer.readableView
        let offset = start - client.reply.buffer.readerIndex
        guard offset >= 0 && offset < buffer.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: buffer[offset...])
    }

    /// Whether the reply written since `start` is an error (then nothing changed: not logged).
    @inline(__always)
    private static func repliedError(_ client: Client, since start: Int) -> Bool {
        reply(client, since: start).first == UInt8(ascii: "-")
    }

    /// Whether the reply written since `start` is exactly the integer 0.
    private static func repliedZero(_ client: Client, since start: Int) -> Bool {
        reply(client, since: start).elementsEqual(":0\r\n".utf8)
    }

    /// "-MISCONF Errors writing to the AOF file: <strerror>" (Redis writeCommandsGetDiskErrorMessage).
    static func replyMisconf(_ client: Client, errno code: Int32) {
        let text = Array("MISCONF Errors writing to the AOF file: ".utf8) + Client.errnoText(code)
        text.withUnsafeBytes { client.reply.error([$0]) }
        client.transaction?.aborted = true
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
