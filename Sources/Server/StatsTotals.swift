import Commands
import Synchronization

/// Counters summed over every worker, as INFO stats reports them. CONFIG RESETSTAT does not write
/// into the workers' single-writer counters (that would race with their owners); it records a
/// baseline that later readings subtract.
struct StatsTotals: Sendable {
    var connectionsReceived = 0
    var commandsProcessed = 0
    var inputBytes = 0
    var outputBytes = 0
    var rejectedConnections = 0
    var keyspaceHits = 0
    var keyspaceMisses = 0
    var errorReplies = 0
    var expiredKeys = 0

    init() {}

    init(workers: [WorkerStats], expiredKeys: Int) {
        for stats in workers {
            connectionsReceived += stats.connectionsReceived.load(ordering: .relaxed)
            commandsProcessed += stats.commandsProcessed.load(ordering: .relaxed)
            inputBytes += stats.inputBytes.load(ordering: .relaxed)
            outputBytes += stats.outputBytes.load(ordering: .relaxed)
            rejectedConnections += stats.rejectedConnections.load(ordering: .relaxed)
            keyspaceHits += stats.keyspaceHits.load(ordering: .relaxed)
            keyspaceMisses += stats.keyspaceMisses.load(ordering: .relaxed)
            errorReplies += stats.errorReplies.load(ordering: .relaxed)
        }
        self.expiredKeys = expiredKeys
    }

    static func - (a: StatsTotals, b: StatsTotals) -> StatsTotals {
        var result = StatsTotals()
        result.connectionsReceived = a.connectionsReceived - b.connectionsReceived
        result.commandsProcessed = a.commandsProcessed - b.commandsProcessed
        result.inputBytes = a.inputBytes - b.inputBytes
        result.outputBytes = a.outputBytes - b.outputBytes
        result.rejectedConnections = a.rejectedConnections - b.rejectedConnections
        result.keyspaceHits = a.keyspaceHits - b.keyspaceHits
        result.keyspaceMisses = a.keyspaceMisses - b.keyspaceMisses
        result.errorReplies = a.errorReplies - b.errorReplies
        result.expiredKeys = a.expiredKeys - b.expiredKeys
        return result
    }
}
