import Bytes
import Commands
import Networking
import RESP

/// Writing replies (both engines): the batch's flush, a socket that fills up (POLLOUT/EPOLLOUT),
/// and output backpressure on reading.
extension Worker {
    /// Writes the replies of every connection that executed requests in this batch of events, once
    /// all of the batch's reads are done (Redis's handleClientsWithPendingWrites before sleeping).
    /// Same syscalls as writing after each read, but the replies leave in a burst: a client
    /// waiting on many connections (redis-benchmark, a pool) is woken once and finds them all
    /// ready, instead of waking, reading one reply and sleeping again between our reads.
    func flushPending() {
        if let ring {
            ringFlushPending(ring)
            return
        }
        var index = 0
        while index < pendingFlush.count {
            let connection = pendingFlush[index]
            connection.flushQueued = false
            if !connection.closed { flush(connection) }
            index += 1
        }
        pendingFlush.removeAll(keepingCapacity: true)
    }

    /// Writes pending replies; false if the connection was closed.
    @discardableResult
    func flush(_ connection: Connection) -> Bool {
        // Replies of writes not yet durable (appendfsync always) leave in finishBatch. A reply
        // already handed to the ring is written by it (its completion consumes the bytes).
        if connection.awaitingSync || connection.sendQueued { return true }
        let client = connection.client
        while client.reply.buffer.readableBytes > 0 {
            let pending = client.reply.buffer.readableView
            switch Socket.write(connection.fd, from: pending.baseAddress!, count: pending.count) {
            case .success(0):
                if closeIfOverOutputLimit(connection) { return false }
                // epoll keeps EPOLLOUT registered until the backlog drains; io_uring's POLLOUT is
                // one-shot, so every full socket arms it again.
                let armed = ring == nil ? connection.waitingForWritable : connection.writablePollArmed
                connection.waitingForWritable = true
                if !armed { updateInterest(connection) }
                return true
            case .success(let count):
                client.reply.buffer.consume(count)
                stats.outputBytes.bump(count)
            case .failure:
                close(connection)
                return false
            }
        }
        client.reply.buffer.clear()
        client.reply.buffer.shrinkIfEmpty(to: Connection.idleBufferBytes)
        if client.closeAfterReply {
            close(connection)
            return false
        }
        if connection.waitingForWritable {
            connection.waitingForWritable = false
            updateInterest(connection)
        }
        return true
    }

    func onWritable(_ connection: Connection) {
        guard flush(connection) else { return }
        if connection.readingPaused && connection.client.reply.buffer.readableBytes < Connection.outputHighWaterBytes {
            connection.readingPaused = false
            updateInterest(connection)
            process(connection)
        }
    }

    func pauseReading(_ connection: Connection) {
        connection.readingPaused = true
        updateInterest(connection)
    }

    func updateInterest(_ connection: Connection) {
        if let ring {
            ringInterest(connection, ring)
            return
        }
        var interest: Selector.Interest = []
        if !connection.readingPaused { interest.insert(.readable) }
        if connection.waitingForWritable { interest.insert(.writable) }
        try? selector?.modify(connection.fd, interest: interest, token: connection.token)
    }
}
