import Bytes
import Commands
import Keyspace
import RESP

extension Worker {
    /// Pipelines shorter than this many bytes are not worth the look ahead (an unpipelined
    /// request, or two tiny ones: a GET is ~35 bytes).
    static let prefetchInputMinBytes = 96

    /// Starts loading, together, what the turn's requests will read one after another: first every
    /// key's home slot, then the entry each slot points to (see `RequestPeek` for why). A hint:
    /// a key that is not a key (PING's argument, MSET's value) only wastes a prefetch.
    func prefetchTurn(_ connection: Connection) {
        let input = UnsafeRawBufferPointer(start: connection.input.base + connection.input.readerIndex,
                                           count: connection.input.readableBytes)
        let client = connection.client
        let keyspace = client.keyspace
        let database = client.database
        withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: Worker.commandsPerTurnMax) { keys in
            var count = 0
            RequestPeek.keys(input, limit: Worker.commandsPerTurnMax) { key in
                keys.initializeElement(at: count, to: key)
                count &+= 1
            }
            guard count >= 2 else { return }      // one request has nothing to overlap with
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: count) { hashes in
                for i in 0..<count {
                    let hash = keyspace.hash(keys[i])
                    hashes[i] = hash
                    keyspace.withShard(hash: hash) { shard in
                        shard.lock()
                        shard.prefetchSlot(database: database, hash: hash)
                        shard.unlock()
                    }
                }
                for i in 0..<count {
                    keyspace.withShard(hash: hashes[i]) { shard in
                        shard.lock()
                        shard.prefetchEntry(database: database, hash: hashes[i])
                        shard.unlock()
                    }
                }
            }
        }
    }
}
