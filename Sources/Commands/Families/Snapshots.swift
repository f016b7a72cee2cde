import Bytes
import RESP
import Synchronization

// Snapshot commands: SAVE, BGSAVE, LASTSAVE. The work is the server's (Server/Snapshotter.swift)
// through `ServerControl`; these handlers parse arguments and render Redis 7.0's replies.

public enum SnapshotFamily {
    /// SAVE: "+OK", or Redis's error ("ERR Background save already in progress", bare "ERR").
    static func save(_ client: Client) {
        client.reply.okOrError(client.context.control.save())
    }

    /// BGSAVE [SCHEDULE]
    static func backgroundSave(_ client: Client) {
        var schedule = false
        if client.argumentCount > 1 {
            guard client.argumentCount == 2, ByteStrings.equalsIgnoringCase(client.args[1], "schedule") else {
                client.reply.error(ErrorReply.syntax)
                return
            }
            schedule = true
        }
        // EXEC keeps multiCount ≥ 0 while it runs the queued commands (Redis's server.in_exec).
        let inTransaction = client.info.multiCount.load(ordering: .relaxed) >= 0
        switch client.context.control.backgroundSave(schedule: schedule, inTransaction: inTransaction) {
        case .success(let status): status.withUnsafeBytes { client.reply.simple($0) }
        case .failure(let refusal): refusal.text.withUnsafeBytes { client.reply.error([$0]) }
        }
    }

    /// LASTSAVE: Unix time of the last successful save.
    static func lastSave(_ client: Client) {
        client.reply.integer(client.context.control.lastSaveTime())
    }

    public static let commands: [Command] = [
        Command("save", arity: 1, flags: [.admin, .noscript, .noMulti], categories: [.admin, .slow, .dangerous],
                group: "server", since: "1.0.0", summary: "Synchronously save the dataset to disk", handler: save),
        Command("bgsave", arity: -1, flags: [.admin, .noscript], categories: [.admin, .slow, .dangerous],
                group: "server", since: "1.0.0", summary: "Asynchronously save the dataset to disk",
                handler: backgroundSave),
        Command("lastsave", arity: 1, flags: [.loading, .stale, .fast], categories: [.admin, .fast, .dangerous],
                group: "server", since: "1.0.0",
                summary: "Get the UNIX time stamp of the last successful save to disk", handler: lastSave),
    ]
}
