import RESP

/// A MULTI block being queued: each command's argv copied out of the input buffer (the buffer is
/// reused before EXEC), plus whether an error while queueing dooms it (EXECABORT).
public struct Transaction {
    struct Queued {
        let command: Command
        /// The arguments, back to back, and where each one starts and ends.
        let bytes: [UInt8]
        let bounds: [Range<Int>]
    }

    var queued: [Queued] = []
    var aborted = false
    /// Bytes held by queued arguments (bounded like every queue).
    var queuedBytes = 0
    static let queuedBytesMax = 512 * 1024 * 1024

    mutating func append(_ command: Command, _ args: Arguments) -> Bool {
        var bytes: [UInt8] = []
        var bounds: [Range<Int>] = []
        for index in 0..<args.count {
            let arg = args[index]
            bounds.append(bytes.count..<(bytes.count + arg.count))
            bytes.append(contentsOf: arg)
        }
        guard queuedBytes + bytes.count <= Transaction.queuedBytesMax else { return false }
        queuedBytes += bytes.count
        queued.append(Queued(command: command, bytes: bytes, bounds: bounds))
        return true
    }

    var count: Int { queued.count }
}
