import Bytes
import Commands
import RESP

/// One client socket owned by one worker: its input buffer, parser state and command client.
/// The output buffer is the client's reply writer, so a reply is written once, straight into it.
final class Connection {
    let fd: Int32
    /// epoll token: slot in the worker's table plus a generation, so stale events are dropped.
    let token: UInt64
    let slot: Int
    var input: ByteBuffer
    var parser: RequestParser
    var arguments = ArgumentVector()
    let client: Client
    /// EPOLLOUT is registered because a reply did not fit in the socket buffer.
    var waitingForWritable = false
    /// Reading stopped because the output backlog is above the high-water mark (backpressure).
    var readingPaused = false
    /// Complete requests wait in `input` for the connection's next turn (Worker.unfinished).
    var hasUnprocessedInput = false
    /// A request is held back by CLIENT PAUSE (the worker's postponed list has this connection).
    var postponed = false
    var closed = false
    /// Replies held until the AOF is durable (appendfsync always); see Worker.finishBatch.
    var awaitingSync = false
    /// When the pending output first exceeded its class's soft limit (0 = it is under).
    var softLimitSince: Int64 = 0
    /// In the worker's list of connections to flush at the end of the current event batch.
    var flushQueued = false
    /// io_uring engine (Worker+Ring.swift): the socket's receive request, whether a one-shot
    /// POLLOUT is armed, whether a send is queued, and the coalescer's last sample this
    /// connection was counted in.
    var receive = Receive.none
    /// The client streams faster than its turns drain (a bulk loader): receive one buffer at a
    /// time, as epoll reads, until a receive comes back short of a full buffer.
    var receiveOneAtATime = false
    var writablePollArmed = false
    /// A send of the reply buffer's first bytes is queued in the ring; its completion consumes them.
    var sendQueued = false
    var arrivalSample: UInt32 = 0

    /// The io_uring receive request of a socket.
    enum Receive {
        case none
        /// One buffer's worth; ends by itself.
        case once
        /// Armed until cancelled or out of buffers.
        case multishot
        /// A multishot receive whose cancel is on its way; its last completion ends it.
        case cancelling
    }

    init(fd: Int32, slot: Int, token: UInt64, client: Client, limits: ParserLimits) {
        self.fd = fd
        self.slot = slot
        self.token = token
        self.client = client
        self.input = ByteBuffer(capacity: Connection.initialInputCapacity)
        self.parser = RequestParser(limits: limits)
    }

    /// A read asks for at least this much room; the buffer starts at this size too.
    static let initialInputCapacity = 16 * 1024
    /// Stop reading new requests while this much output is waiting for the socket.
    static let outputHighWaterBytes = 1024 * 1024
    /// Buffers that grew past this are given back to malloc once empty.
    static let idleBufferBytes = 64 * 1024
}
