import Bytes
import Commands
import Glibc
import Keyspace
import Networking
import RESP
import Synchronization

/// One event loop on its own thread: accepts on the shared listeners, owns its connections and
/// runs their commands inline, and expires the keys of the shards it owns. Everything here is
/// confined to the worker's thread; other threads reach it only through `wakeup`. Members the
/// io_uring engine (Worker+Ring.swift) shares are internal rather than private.
final class Worker: @unchecked Sendable {
    let index: Int
    /// The server outlives its workers (it joins their threads before it goes), so no reference
    /// counting: a checked `unowned` cost a swift_unownedRetainStrong + release on every access,
    /// several per loop iteration.
    unowned(unsafe) let server: TesseraServer
    /// The loop's engine, created on its own thread when it starts (the ring is single-issuer):
    /// io_uring in `ring`, or else epoll in `selector`. Exactly one is set while the loop runs.
    var ring: Ring?
    private(set) var selector: Selector?
    let wakeup: Wakeup
    let stats = WorkerStats()
    /// Pub/sub deliveries for this loop's subscribers, posted by any thread.
    let mailbox: Mailbox
    /// Connection slot by client id, for mailbox deliveries.
    private var slotsByClientID: [Int: Int] = [:]
    private let ownedShards: [Shard]
    private var connections: [Connection?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    var nextHousekeeping: Int64 = 0
    private var nextIdleCheck: Int64 = 0
    private var nextMetricsSample: Int64 = 0
    var expiryBacklog = false
    /// Connections that used their turn with requests left in their input (see commandsPerTurnMax);
    /// they continue after the next batch of events.
    var unfinished: [Connection] = []
    /// Last iteration's `unfinished`, being served in this one. The two arrays swap buffers every
    /// iteration; copying one and clearing the original allocated a new buffer per iteration.
    var carried: [Connection] = []
    /// Connections holding a request back because of CLIENT PAUSE (retried every housekeeping tick).
    private var postponed: [Connection] = []
    /// appendfsync always: connections whose replies wait for their AOF records to be durable.
    private var awaitingSync: [Connection] = []
    private var syncTarget: Int64 = 0
    /// Connections whose replies are written once the current batch of events is handled.
    var pendingFlush: [Connection] = []

    static let listenerTag: UInt64 = 1 << 63
    static let wakeupTag: UInt64 = 1 << 62
    /// Housekeeping (wheel advance) period: the precision promise for active expiry.
    static let housekeepingPeriodMilliseconds: Int64 = 10
    /// Keys one housekeeping pass may expire over all the loop's shards before serving clients again
    /// (while there is a backlog the next pass runs at once, without waiting for the timer).
    static let expiredKeysPerTickMax = 16_384
    /// Table slots one housekeeping pass migrates in the background, over all the loop's shards
    /// (lookups and inserts migrate as they go, too, which is what finishes a migration under
    /// load). 1024 per shard stalled a loop owning 64 shards 2–5 ms every 10 ms while tables grew;
    /// 4096 per loop still made 15 % of the passes during a bulk load take 0.3–0.5 ms.
    static let migratedEntriesPerTickMax = 1024
    /// The two budgets above split over this loop's shards.
    private let expiredKeysPerShard: Int
    private let migratedEntriesPerShard: Int
    private static let acceptsPerEventMax = 64
    /// Requests one connection runs per turn. A 16 KiB read of a bulk load is ~190 SETs; without a
    /// turn, a client on the same loop waited behind up to two such reads (p99.9 ~4 ms while
    /// 2M keys were loaded through `redis-cli --pipe`); with turns of 64 its p99 was still 0.4 ms,
    /// with 16 it is 0.15 ms. Pipelines of up to 16 run in one turn; deeper ones pay one more
    /// (non-blocking) epoll_wait per 16 requests.
    static let commandsPerTurnMax = 16

    init(index: Int, server: TesseraServer, ownedShards: [Shard]) throws {
        self.index = index
        self.server = server
        self.ownedShards = ownedShards
        expiredKeysPerShard = max(64, Worker.expiredKeysPerTickMax / max(1, ownedShards.count))
        migratedEntriesPerShard = max(16, Worker.migratedEntriesPerTickMax / max(1, ownedShards.count))
        let wakeup = try Wakeup()
        self.wakeup = wakeup
        mailbox = Mailbox { wakeup.signal() }
    }

    // MARK: Loop

    func run(listeners: [Listener]) {
        if server.ioEngine == .ioUring {
            do { ring = try Ring() } catch {
                server.logger.warning("Worker \(index): io_uring setup failed (\(error)); this loop uses epoll")
            }
        }
        if let ring {
            runRing(ring, listeners: listeners)
            closeAll()
            return
        }
        let selector: Selector
        do {
            selector = try Selector(capacity: 512)
            self.selector = selector
            for (i, listener) in listeners.enumerated() {
                try selector.register(listener.fd, interest: [.readable, .exclusive], token: Worker.listenerTag | UInt64(i))
            }
            try selector.register(wakeup.fd, interest: .readable, token: Worker.wakeupTag)
        } catch {
            server.logger.warning("Worker \(index) cannot start: \(error)")
            server.requestShutdown(saved: false)
            return
        }
        while !server.isStopping {
            let timeout: Int32 = expiryBacklog || !unfinished.isEmpty ? 0 : Int32(Worker.housekeepingPeriodMilliseconds)
            swap(&carried, &unfinished)
            let ready: Int
            do { ready = try selector.wait(timeoutMilliseconds: timeout) } catch {
                server.logger.warning("epoll_wait failed: \(error)")
                break
            }
            for i in 0..<ready {
                let token = selector.token(at: i)
                let readiness = selector.readiness(at: i)
                if token & Worker.listenerTag != 0 {
                    accept(from: listeners[Int(token & 0xFFFF)])
                } else if token & Worker.wakeupTag != 0 {
                    wakeup.drain()
                    deliverMail()
                    closeKilledClients()
                } else if let connection = connection(for: token) {
                    if readiness.isWritable && connection.waitingForWritable { onWritable(connection) }
                    if readiness.isReadable && !connection.closed && !connection.readingPaused { onReadable(connection) }
                }
            }
            finishIteration()
            housekeep()
        }
        closeAll()
    }

    /// The rest of an iteration, after its events (both engines): the turns carried over from the
    /// last one, the group commit, pub/sub mail and the batch's replies. When bulk turns are
    /// carried (a loader's next 16 requests), the replies of this batch's requests leave before
    /// them, not after (on io_uring, submitted at once).
    func finishIteration() {
        if !carried.isEmpty && !pendingFlush.isEmpty {
            if server.aof.isActive { finishBatch(server.aof) }
            flushPending()
            if let ring { submitQueued(ring) }
        }
        for connection in carried where !connection.closed {
            connection.hasUnprocessedInput = false
            if !connection.readingPaused { process(connection) }
        }
        carried.removeAll(keepingCapacity: true)
        if server.aof.isActive { finishBatch(server.aof) }
        if mailbox.hasPending { deliverMail() }
        if !pendingFlush.isEmpty { flushPending() }
    }

    func connection(for token: UInt64) -> Connection? {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < connections.count, UInt64(generations[slot]) == token >> 32,
              let connection = connections[slot] else { return nil }
        return connection
    }

    // MARK: Accept

    /// Accepts up to acceptsPerEventMax connections; true if more may be waiting (the io_uring
    /// engine's poll reports a listener once per new arrival, not while it stays readable).
    @discardableResult
    func accept(from listener: Listener) -> Bool {
        for _ in 0..<Worker.acceptsPerEventMax {
            let accepted: Int32?
            do { accepted = try Socket.accept(listener.fd) } catch {
                server.logger.warning("Accepting client connection: \(error)")
                return false
            }
            guard let fd = accepted else { return false }
            stats.connectionsReceived.bump()
            guard server.admitClient() else {
                stats.rejectedConnections.bump()
                let message: StaticString = "-ERR max number of clients reached\r\n"
                _ = Socket.write(fd, from: message.utf8Start, count: message.utf8CodeUnitCount)
                Glibc.close(fd)
                continue
            }
            let settings = server.currentSettings
            if server.refusedByProtectedMode(fd: fd, listener: listener, settings: settings) {
                Glibc.close(fd)
                server.releaseClient(nil)
                continue
            }
            if !listener.isUnix { Socket.configureAccepted(fd, keepaliveSeconds: settings.tcpKeepaliveSeconds) }
            addConnection(fd: fd, listener: listener, settings: settings)
        }
        return true
    }

    private func addConnection(fd: Int32, listener: Listener, settings: Settings) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else {
            slot = connections.count
            connections.append(nil)
            generations.append(0)
        }
        generations[slot] &+= 1
        let token = UInt64(generations[slot]) << 32 | UInt64(slot)
        let now = server.clock.nowMilliseconds()
        let info = ClientInfo(id: server.context.makeClientID(),
                              address: Socket.address(of: fd, peer: true, unixPath: listener.unixPath),
                              localAddress: Socket.address(of: fd, peer: false, unixPath: listener.unixPath),
                              fd: fd, createdAt: now)
        let client = Client(context: server.context, info: info, stats: stats, mailbox: mailbox)
        var limits = ParserLimits()
        limits.maxBulkLength = settings.protoMaxBulkLength
        let connection = Connection(fd: fd, slot: slot, token: token, client: client, limits: limits)
        do {
            if let ring {
                try armReceive(connection, ring)
            } else if let selector {
                try selector.register(fd, interest: .readable, token: token)
            }
        } catch {
            server.logger.warning("Registering client: \(error)")
            Glibc.close(fd)
            freeSlots.append(slot)
            server.releaseClient(nil)
            return
        }
        connections[slot] = connection
        slotsByClientID[info.id] = slot
        server.register(info, worker: self)
        server.logger.debug("Accepted \(String(decoding: info.address, as: UTF8.self))")
    }

    // MARK: Reading and executing

    private func onReadable(_ connection: Connection) {
        // Requests already buffered run first (in their turn); reading more now would only grow
        // the buffer. Level-triggered epoll reports the socket again.
        if connection.hasUnprocessedInput { return }
        // Room for a read of at least 4 KiB, as long as one more byte stays within the limit.
        guard makeInputRoom(connection, count: 4096, incoming: 1) else { return }
        switch Socket.read(connection.fd, into: connection.input.writePointer, count: connection.input.writableBytes) {
        case .success(.bytes(let count)):
            connection.input.commitWritten(count)
            stats.inputBytes.bump(count)
            process(connection)
        case .success(.wouldBlock):
            return
        case .success(.endOfFile), .failure:
            close(connection)
        }
    }

    /// Makes room for `count` more input bytes (compacting before growing), unless the query buffer
    /// with `incoming` more bytes would pass client-query-buffer-limit: then the client is closed
    /// (false). Both engines' reads go through here.
    func makeInputRoom(_ connection: Connection, count: Int, incoming: Int) -> Bool {
        guard connection.input.writableBytes < count else { return true }
        if connection.input.readerIndex > 0 { connection.input.compact() }
        guard connection.input.writableBytes < count else { return true }
        if connection.input.readableBytes + incoming > server.currentSettings.clientQueryBufferLimit {
            server.logger.warning("Closing client that reached max query buffer length: id=\(connection.client.id)")
            close(connection)
            return false
        }
        connection.input.reserveWritable(max(count, connection.input.capacity))
        return true
    }

    /// Executes every complete request in the input buffer, then flushes the replies once.
    func process(_ connection: Connection) {
        let client = connection.client
        var turn = 0
        let now = client.readClock()
        if connection.input.readableBytes >= Worker.prefetchInputMinBytes { prefetchTurn(connection) }
        requests: while connection.input.readableBytes > 0 && !client.closeAfterReply {
            if turn == Worker.commandsPerTurnMax {
                // Fairness: a client with a long pipeline (a bulk loader) yields to the others ready
                // in this batch of events and continues in the next one.
                connection.hasUnprocessedInput = true
                connection.receiveOneAtATime = true
                unfinished.append(connection)
                break requests
            }
            turn &+= 1
            if client.reply.buffer.readableBytes >= Connection.outputHighWaterBytes {
                makeDurable(connection)
                guard flush(connection) else { return }
                if client.reply.buffer.readableBytes >= Connection.outputHighWaterBytes {
                    pauseReading(connection)
                    break requests
                }
            }
            // Before AUTH, Redis allows only small requests (see Client.requiresAuthentication).
            connection.parser.limits.unauthenticated = client.requiresAuthentication
            let readable = UnsafeMutableRawBufferPointer(start: connection.input.base + connection.input.readerIndex,
                                                         count: connection.input.readableBytes)
            switch connection.parser.parse(readable, into: &connection.arguments) {
            case .incomplete:
                break requests
            case .error(let error):
                client.reply.error(error)
                client.closeAfterReply = true
                connection.input.clear()
                break requests
            case .command(let consumed):
                if connection.arguments.count > 0 {
                    client.args = connection.arguments.arguments(base: UnsafeRawPointer(readable.baseAddress!))
                    if client.context.pause.mayBeActive && Dispatcher.mustPostpone(client) {
                        // CLIENT PAUSE: leave the request unconsumed; housekeeping retries it.
                        postpone(connection)
                        break requests
                    }
                    Dispatcher.execute(client, now: now)
                }
                connection.input.consume(consumed)
            }
        }
        client.args = Arguments.empty
        if connection.input.readableBytes == 0 {
            connection.input.clear()
            connection.input.shrinkIfEmpty(to: Connection.initialInputCapacity)
        }
        client.info.lastInteraction.store(client.now, ordering: .relaxed)
        if let aof = server.aof, aof.holdsReplies, client.durableTarget > aof.durableOffset.load(ordering: .acquiring) {
            // Acknowledged only once on disk: the reply waits for this iteration's group commit
            // (finishBatch), which runs before the batch's replies are written (flushPending).
            if !connection.awaitingSync {
                connection.awaitingSync = true
                awaitingSync.append(connection)
            }
            syncTarget = max(syncTarget, client.durableTarget)
        }
        if !connection.flushQueued {
            connection.flushQueued = true
            pendingFlush.append(connection)
        }
        if ring != nil { ringReadInterest(connection) }
    }

    private func postpone(_ connection: Connection) {
        guard !connection.postponed else { return }
        connection.postponed = true
        postponed.append(connection)
    }

    /// Runs the held-back requests again; those still paused come back to the list.
    private func resumePostponed() {
        let waiting = postponed
        postponed.removeAll(keepingCapacity: true)
        for connection in waiting where !connection.closed {
            connection.postponed = false
            process(connection)
        }
    }

    /// appendfsync always, mid-batch (output high-water): sync now before letting replies out.
    private func makeDurable(_ connection: Connection) {
        guard let aof = server.aof, aof.holdsReplies else { return }
        aof.ensureDurable(connection.client.durableTarget)
        connection.awaitingSync = false
    }

    /// End of a batch of events, before its replies are written: one write (+ fdatasync under
    /// always) covers every connection served in it; then flushPending lets their replies out.
    func finishBatch(_ aof: AppendOnlyFile) {
        if awaitingSync.isEmpty {
            aof.writeIfPending()
            return
        }
        aof.ensureDurable(syncTarget)
        syncTarget = 0
        for connection in awaitingSync { connection.awaitingSync = false }
        awaitingSync.removeAll(keepingCapacity: true)
    }

    // MARK: Closing

    func close(_ connection: Connection) {
        guard !connection.closed else { return }
        connection.closed = true
        if let ring { ringForget(connection, ring) } else { selector?.deregister(connection.fd) }
        Glibc.close(connection.fd)
        connections[connection.slot] = nil
        slotsByClientID[connection.client.id] = nil
        freeSlots.append(connection.slot)
        connection.client.releaseSessionState()
        server.releaseClient(connection.client.info)
    }

    /// Writes pub/sub messages posted for this loop's subscribers and flushes them.
    func deliverMail() {
        var touched: [Connection] = []
        for delivery in mailbox.drain() {
            guard let slot = slotsByClientID[delivery.clientID], let connection = connections[slot] else { continue }
            PubSubFamily.writeDelivery(delivery, to: connection.client)
            if touched.last !== connection { touched.append(connection) }
        }
        for connection in touched where !connection.closed { flush(connection) }
    }

    func closeKilledClients() {
        for case let connection? in connections where connection.client.info.killRequested.load(ordering: .relaxed) {
            close(connection)
        }
    }

    func closeAll() {
        // Replies still waiting for a group commit go out once their records are durable.
        if !awaitingSync.isEmpty { finishBatch(server.aof) }
        for case let connection? in connections {
            _ = flush(connection)
            close(connection)
        }
    }

    // MARK: Housekeeping

    /// Advances the timing wheels of this worker's shards (active expiry) and closes idle clients.
    func housekeep() {
        let now = server.clock.nowMilliseconds()
        guard now >= nextHousekeeping || expiryBacklog else { return }
        nextHousekeeping = now + Worker.housekeepingPeriodMilliseconds
        var backlog = false
        // Nothing expires while the dataset loads (Redis's rule): an AOF replay must see the keys
        // its later commands touch.
        for shard in ownedShards where !server.context.isLoading {
            shard.lock()
            let removed = shard.expireDue(now: now, budget: expiredKeysPerShard, migrationBudget: migratedEntriesPerShard)
            shard.unlock()
            if removed >= expiredKeysPerShard { backlog = true }
        }
        expiryBacklog = backlog
        if !postponed.isEmpty { resumePostponed() }
        if index == 0 && now >= nextMetricsSample {
            nextMetricsSample = now + 100
            server.sampleInstantaneousMetrics(now: now)
            server.snapshotCron(now: now)
        }
        if now >= nextIdleCheck {
            nextIdleCheck = now + 1000
            closeIdleClients(now: now)
        }
    }

    private func closeIdleClients(now: Int64) {
        let timeout = Int64(server.currentSettings.timeoutSeconds) * 1000
        guard timeout > 0 else { return }
        // Subscribers wait for messages, not requests: Redis exempts them from the idle timeout.
        for case let connection? in connections where !connection.client.isSubscribed
            && now - connection.client.info.lastInteraction.load(ordering: .relaxed) > timeout {
            server.logger.verbose("Closing idle client")
            close(connection)
        }
    }
}

/// A listening socket shared by all workers.
struct Listener: Sendable {
    let fd: Int32
    let isUnix: Bool
    let unixPath: String?
}
