import Bytes
import Commands
import Keyspace
import Networking
import RESP

extension Worker {
    /// Pipelines shorter than this many bytes are not worth the look ahead (an unpipelined
    /// request, or two tiny ones: a GET is ~35 bytes).
    static let prefetchInputMinBytes = 96

    /// At most this many of a wait's receives are looked ahead (a wait asks for ≤ 16 arrivals).
    static let prefetchArrivalsMax = 32

    /// Starts loading, together, what the turn's requests will read one after another: first every
    /// key's home slot, then the entry each slot points to (see `RequestPeek` for why). A hint:
    /// a key that is not a key (PING's argument, MSET's value) only wastes a prefetch.
    func prefetchTurn(_ connection: Connection) {
        let input = UnsafeRawBufferPointer(start: connection.input.base + connection.input.readerIndex,
                                           count: connection.input.readableBytes)
        let keyspace = connection.client.keyspace
        let database = connection.client.database
        withUnsafeTemporaryAllocation(of: KeyHint.self, capacity: Worker.commandsPerTurnMax) { hints in
            var count = 0
            RequestPeek.keys(input, limit: Worker.commandsPerTurnMax) { key in
                hints.initializeElement(at: count, to: KeyHint(hash: keyspace.hash(key), database: database))
                count &+= 1
            }
            prefetch(hints, count: count, keyspace: keyspace)
        }
    }

    /// The same across connections, for unpipelined clients: a wait returns several receives of
    /// one request each (the coalescer asks for them), and their lookups, run one after another,
    /// each waited for its slot and entry (4–5 % of an unpipelined request's CPU: the kernel's
    /// network work between two requests evicts the table from the caches). Only receives that
    /// start a request (the connection holds no partial input) are looked at, and only their
    /// first request.
    func prefetchArrivals(_ ring: Ring, first: UInt32, count: UInt32) {
        guard count >= 2 else { return }
        let keyspace = server.keyspace
        withUnsafeTemporaryAllocation(of: KeyHint.self, capacity: Worker.prefetchArrivalsMax) { hints in
            var found = 0
            var offset: UInt32 = 0
            while offset < count && found < Worker.prefetchArrivalsMax {
                let completion = ring.completion(at: first &+ offset)
                offset &+= 1
                guard completion.userData & Worker.anyTag == 0, completion.result > 0, let id = completion.bufferID,
                      let connection = connection(for: completion.userData),
                      connection.input.readableBytes == 0 else { continue }
                let bytes = UnsafeRawBufferPointer(start: ring.buffer(id), count: Int(completion.result))
                let client = connection.client
                RequestPeek.keys(bytes, limit: 1) { key in
                    hints.initializeElement(at: found, to: KeyHint(hash: keyspace.hash(key), database: client.database))
                    found &+= 1
                }
            }
            prefetch(hints, count: found, keyspace: keyspace)
        }
    }

    /// Two passes, so the loads overlap: every home slot, then (once those have had time to
    /// arrive) the entry each slot points to. Both take the shard lock: another loop resizing the
    /// table could otherwise free the slot array under the read.
    private func prefetch(_ hints: UnsafeMutableBufferPointer<KeyHint>, count: Int, keyspace: Keyspace) {
        guard count >= 2 else { return }      // one request has nothing to overlap with
        for i in 0..<count {
            keyspace.withShard(hash: hints[i].hash) { shard in
                shard.lock()
                shard.prefetchSlot(database: hints[i].database, hash: hints[i].hash)
                shard.unlock()
            }
        }
        for i in 0..<count {
            keyspace.withShard(hash: hints[i].hash) { shard in
                shard.lock()
                shard.prefetchEntry(database: hints[i].database, hash: hints[i].hash)
                shard.unlock()
            }
        }
    }
}

/// A key a request is about to look up: its hash and database.
struct KeyHint {
    var hash: UInt64
    var database: Int
}
