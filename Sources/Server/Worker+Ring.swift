import Bytes
import Commands
import Glibc
import Networking
import RESP

/// The io_uring engine of an event loop (io-engine io_uring, the default where the kernel allows).
///
/// Why: on loopback, ~80 % of an unpipelined request's CPU is the kernel's, and with epoll every
/// request costs a recv, a send and most of an epoll_wait, each a system call, and most iterations
/// a sleep and a wake-up. Here each socket has one multishot recv: the kernel copies arriving
/// requests into the ring's provided buffers, and one io_uring_enter per iteration submits new
/// requests and collects everything that arrived. The batch's replies are queued as sends that the
/// same call performs (ringFlushPending); only a reply that did not fit in the socket buffer goes
/// on by `send` and POLLOUT (Worker.flush), as with epoll.
///
/// Under load the wait also batches wake-ups (see WakeupCoalescer): the loop asks to be woken once
/// several requests are in, or after at most 100 µs, instead of once per request.
extension Worker {
    static let writableTag: UInt64 = 1 << 61
    static let sendTag: UInt64 = 1 << 59
    /// Completions of cancel requests themselves; nothing to do.
    static let cancelTag: UInt64 = 1 << 60
    /// Any of the tags above; a completion with none is a receive.
    static let anyTag: UInt64 = listenerTag | wakeupTag | writableTag | cancelTag | sendTag

    /// Which engine the loops will use: io_uring if asked for and the kernel sets one up.
    static func probeEngine(_ wanted: IOEngine, logger: Logger) -> IOEngine {
        guard wanted == .ioUring else { return .epoll }
        do {
            if try Ring(entries: 8, bufferCount: 1, bufferSize: 4096) != nil { return .ioUring }
            logger.notice("io_uring is not available (kernel too old, kernel.io_uring_disabled, or a seccomp profile): using epoll")
        } catch {
            logger.warning("io_uring setup failed (\(error)): using epoll")
        }
        return .epoll
    }

    func runRing(_ ring: Ring, listeners: [Listener]) {
        do {
            for (i, listener) in listeners.enumerated() {
                try ring.poll(listener.fd, events: Int32(POLLIN), multishot: true, userData: Worker.listenerTag | UInt64(i))
            }
            try ring.poll(wakeup.fd, events: Int32(POLLIN), multishot: true, userData: Worker.wakeupTag)
        } catch {
            server.logger.warning("Worker \(index) cannot start: \(error)")
            server.requestShutdown(saved: false)
            return
        }
        var coalescer = WakeupCoalescer()
        var acceptBacklog: [Int] = []
        while !server.isStopping {
            let immediate = expiryBacklog || !unfinished.isEmpty || !acceptBacklog.isEmpty || !pendingFlush.isEmpty
            swap(&carried, &unfinished)
            do {
                try ring.wait(minComplete: immediate ? 0 : coalescer.target,
                              minWaitMicroseconds: WakeupCoalescer.windowMicroseconds,
                              timeoutMilliseconds: Int(Worker.housekeepingPeriodMilliseconds))
            } catch {
                server.logger.warning("io_uring_enter failed: \(error)")
                break
            }
            let backlog = acceptBacklog
            acceptBacklog.removeAll(keepingCapacity: true)
            for i in backlog where accept(from: listeners[i]) { acceptBacklog.append(i) }
            let (first, count) = ring.ready()
            prefetchArrivals(ring, first: first, count: count)
            var recycled = false
            for offset in 0..<count {
                let completion = ring.completion(at: first &+ offset)
                let tag = completion.userData
                if tag & Worker.listenerTag != 0 {
                    let i = Int(tag & 0xFFFF)
                    if accept(from: listeners[i]) && !acceptBacklog.contains(i) { acceptBacklog.append(i) }
                    if !completion.more { rearm(ring, poll: listeners[i].fd, userData: tag) }
                } else if tag & Worker.wakeupTag != 0 {
                    wakeup.drain()
                    deliverMail()
                    closeKilledClients()
                    if !completion.more { rearm(ring, poll: wakeup.fd, userData: tag) }
                } else if tag & Worker.cancelTag != 0 {
                    continue
                } else if tag & Worker.sendTag != 0 {
                    guard let connection = connection(for: tag & ~Worker.sendTag) else { continue }
                    sent(connection, result: completion.result)
                } else if tag & Worker.writableTag != 0 {
                    guard let connection = connection(for: tag & ~Worker.writableTag) else { continue }
                    connection.writablePollArmed = false
                    if connection.waitingForWritable { onWritable(connection) }
                } else {
                    if completion.bufferID != nil { recycled = true }
                    receiveCompleted(completion, ring, &coalescer)
                }
            }
            ring.advance(count)
            if recycled { ring.publishBuffers() }
            coalescer.endIteration(now: monotonicMicroseconds())
            finishIteration()
            // The queued replies leave before a housekeeping pass (up to ~0.1 ms while tables
            // grow), not after it; submitting them also frees their buffers for requests the pass
            // resumes (CLIENT PAUSE), whose replies go out at once in the next iteration.
            if server.clock.nowMilliseconds() >= nextHousekeeping || expiryBacklog {
                submitQueued(ring)
                housekeep()
            }
        }
    }

    /// Performs the queued requests now (sends, receives, cancels) instead of at the next wait.
    func submitQueued(_ ring: Ring) {
        do { try ring.submit() } catch { server.logger.warning("io_uring submit: \(error)") }
    }

    /// The batch's replies: one queued send per connection, all submitted by the next wait's
    /// io_uring_enter instead of a send system call each.
    func ringFlushPending(_ ring: Ring) {
        for connection in pendingFlush {
            connection.flushQueued = false
            guard !connection.closed, !connection.awaitingSync, !connection.sendQueued, !connection.waitingForWritable else { continue }
            let pending = connection.client.reply.buffer.readableView
            if pending.isEmpty {
                flush(connection)          // nothing to send: the buffer housekeeping and QUIT's close
                continue
            }
            do {
                try ring.send(connection.fd, from: pending.baseAddress!, count: pending.count, userData: Worker.sendTag | connection.token)
                connection.sendQueued = true
            } catch {
                flush(connection)
            }
        }
        pendingFlush.removeAll(keepingCapacity: true)
    }

    /// A queued send completed: drop what left, then go on as when the socket turns writable: flush
    /// the rest (a short send waits for POLLOUT), the empty buffer's upkeep, the close after QUIT,
    /// and reading again if output backpressure paused it while the send was queued.
    private func sent(_ connection: Connection, result: Int32) {
        connection.sendQueued = false
        if result < 0 && result != -EAGAIN {
            close(connection)
            return
        }
        if result > 0 {
            connection.client.reply.buffer.consume(Int(result))
            stats.outputBytes.bump(Int(result))
        }
        onWritable(connection)
    }

    private func rearm(_ ring: Ring, poll fd: Int32, userData: UInt64) {
        do { try ring.poll(fd, events: Int32(POLLIN), multishot: true, userData: userData) } catch {
            server.logger.warning("io_uring poll: \(error)")
        }
    }

    /// A receive completed: its bytes go to the connection's input (and its buffer back to the
    /// ring); a receive that ended is re-armed if the connection may read. ENOBUFS (every provided
    /// buffer was in use) and ECANCELED (we stopped it) only end the request; anything else without
    /// data (0 = end of file, a socket error) ends the connection.
    private func receiveCompleted(_ completion: Ring.Completion, _ ring: Ring, _ coalescer: inout WakeupCoalescer) {
        let id = completion.bufferID
        defer { if let id { ring.recycle(id) } }
        guard let connection = connection(for: completion.userData) else { return }
        let request = connection.receive
        if !completion.more { connection.receive = .none }
        if completion.result > 0, let id {
            // A one-buffer receive that came back short: the client has caught up.
            if request == .once && Int(completion.result) < ring.bufferSize { connection.receiveOneAtATime = false }
            coalescer.arrived(connection)
            received(connection, from: ring.buffer(id), count: Int(completion.result))
        } else if completion.result != -ENOBUFS && completion.result != -ECANCELED {
            close(connection)
            return
        }
        ringReadInterest(connection)
    }

    /// Bytes a recv completion delivered: append them to the connection's input and run what is
    /// complete (unless the connection waits for its turn or for its output to drain).
    private func received(_ connection: Connection, from bytes: UnsafePointer<UInt8>, count: Int) {
        guard makeInputRoom(connection, count: count, incoming: count) else { return }
        connection.input.writePointer.copyMemory(from: bytes, byteCount: count)
        connection.input.commitWritten(count)
        stats.inputBytes.bump(count)
        if !connection.hasUnprocessedInput && !connection.readingPaused && !connection.postponed { process(connection) }
    }

    /// Keeps a receive armed while the connection may take input, as epoll's readiness would
    /// lead to a read: not while output backpressure paused reading, and not while complete
    /// requests wait for the connection's next turn (or for CLIENT PAUSE); the kernel then holds
    /// further requests in the socket buffer and TCP slows the client. A request still arriving
    /// (a large value) is always read on: the query buffer limit bounds it. A client that
    /// streams faster than its turns drain gets one buffer per receive (see receiveOneAtATime):
    /// a re-armed multishot receive would pull up to 32 buffers at once from a full socket, a
    /// 0.3 ms stall for the other clients of the loop.
    func ringReadInterest(_ connection: Connection) {
        guard let ring, !connection.closed else { return }
        let waiting = connection.hasUnprocessedInput || connection.postponed
        do {
            switch connection.receive {
            case .multishot where connection.readingPaused || waiting:
                try ring.cancel(connection.token, userData: Worker.cancelTag)
                connection.receive = .cancelling
            case .none where !connection.readingPaused && !waiting:
                try armReceive(connection, ring)
            default:
                break                  // a one-buffer receive ends by itself; a cancel is on its way
            }
        } catch {
            server.logger.warning("io_uring recv: \(error)")
            close(connection)
        }
    }

    /// Arms the socket's receive: multishot, or one buffer's worth for a client that outruns its
    /// turns.
    func armReceive(_ connection: Connection, _ ring: Ring) throws {
        let multishot = !connection.receiveOneAtATime
        try ring.receive(connection.fd, multishot: multishot, userData: connection.token)
        connection.receive = multishot ? .multishot : .once
    }

    /// io_uring's half of updateInterest: reading as above, and a one-shot POLLOUT while a reply
    /// waits for room in the socket buffer.
    func ringInterest(_ connection: Connection, _ ring: Ring) {
        ringReadInterest(connection)
        guard !connection.closed, connection.waitingForWritable, !connection.writablePollArmed else { return }
        do {
            try ring.poll(connection.fd, events: Int32(POLLOUT), multishot: false, userData: Worker.writableTag | connection.token)
            connection.writablePollArmed = true
        } catch {
            server.logger.warning("io_uring poll: \(error)")
            close(connection)
        }
    }

    /// Before the socket is closed: stop its requests. Their completions (and any stray ones)
    /// carry a stale token and are dropped.
    func ringForget(_ connection: Connection, _ ring: Ring) {
        if connection.receive == .once || connection.receive == .multishot {
            try? ring.cancel(connection.token, userData: Worker.cancelTag)
        }
        if connection.writablePollArmed {
            try? ring.cancel(Worker.writableTag | connection.token, userData: Worker.cancelTag)
        }
        // A queued request names the descriptor number, which the next accept may reuse once it
        // is closed: submit everything queued (a re-armed recv, a send) while it is still ours.
        submitQueued(ring)
        // The in-flight recv holds its own reference to the socket until the cancel runs: shut it
        // down now so the peer sees the close at once, as with epoll.
        _ = shutdown(connection.fd, Int32(SHUT_RDWR))
    }
}

/// Interrupt moderation for the io_uring wait. Under load, waking once per request makes each
/// request pay a sleep and a wake-up; waiting until a few requests are in pays that once per batch.
/// The batch target follows the load, measured over 1 ms samples: the arrivals expected in one
/// 100 µs window at the sampled rate, at most half the connections that sent in the sample (a
/// closed-loop client with N connections can have at most N requests in flight), at most 16. One
/// client alone, or light traffic, gets a target of 1: no waiting at all. The kernel returns after
/// the window even if the target was not reached (min_wait, 6.12+), so a request waits ≤ 100 µs.
/// Measured (bench, 50 unpipelined clients, pinned): windows of 50/100/200 µs gave 0.89/0.81/0.76×
/// Redis's CPU per request; 100 keeps p50 at Redis's and p99 below it.
struct WakeupCoalescer {
    static let windowMicroseconds = 100
    static let batchMax = 16
    static let sampleMicroseconds: Int64 = 1000
    private(set) var target = 1
    private var sampleStart: Int64 = 0
    private var arrivals = 0
    private var senders = 0
    private var sample: UInt32 = 1

    mutating func arrived(_ connection: Connection) {
        arrivals &+= 1
        if connection.arrivalSample != sample {
            connection.arrivalSample = sample
            senders &+= 1
        }
    }

    mutating func endIteration(now: Int64) {
        let elapsed = now - sampleStart
        guard elapsed >= WakeupCoalescer.sampleMicroseconds else { return }
        let expected = arrivals * WakeupCoalescer.windowMicroseconds / Int(elapsed)
        target = max(1, min(WakeupCoalescer.batchMax, expected, senders / 2))
        sampleStart = now
        arrivals = 0
        senders = 0
        sample &+= 1
    }
}

@inline(__always) func monotonicMicroseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
}
