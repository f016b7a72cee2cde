import Bytes
import RESP

/// CLIENT PAUSE / CLIENT UNPAUSE. The state is `ServerContext.pause` (Core/ClientPause.swift); the
/// event loops hold paused requests back (`Dispatcher.mustPostpone`).
extension ConnectionFamily {
    /// CLIENT PAUSE timeout [WRITE|ALL]
    static func clientPause(_ client: Client) {
        let args = client.args
        guard args.count <= 4 else {
            client.reply.error("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.")
            return
        }
        var all = true
        if args.count == 4 {
            if ByteStrings.equalsIgnoringCase(args[3], "write") {
                all = false
            } else if !ByteStrings.equalsIgnoringCase(args[3], "all") {
                client.reply.error("ERR CLIENT PAUSE mode must be WRITE or ALL")
                return
            }
        }
        guard let timeout = ByteStrings.parseInt64(args[2]) else {
            client.reply.error("ERR timeout is not an integer or out of range")
            return
        }
        guard timeout >= 0 else {
            client.reply.error("ERR timeout is negative")
            return
        }
        let (deadline, overflow) = client.now.addingReportingOverflow(timeout)
        guard !overflow else {
            client.reply.error("ERR timeout is out of range")
            return
        }
        client.context.pause.pause(until: deadline, all: all)
        client.reply.ok()
    }

    static func clientUnpause(_ client: Client) {
        client.context.pause.unpause()
        client.reply.ok()
    }
}
