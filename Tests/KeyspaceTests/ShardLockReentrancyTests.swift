import Keyspace
import XCTest

final class ShardLockReentrancyTests: XCTestCase {
    /// EXEC locks every shard and then runs handlers that lock their own shards again.
    func testOwnerMayRelockAndOthersWait() {
        let keyspace = Keyspace(shardCount: 4, databaseCount: 1, hashSeed: 7)
        keyspace.lockAll()
        let shard = keyspace.shards[2]
        shard.lock()
        shard.lock()
        shard.unlock()
        shard.unlock()
        XCTAssertEqual(keyspace.count(database: 0), 0, "counting while holding every shard does not deadlock")
        let acquired = expectation(description: "another thread acquires after the outermost unlock")
        let thread = Thread {
            shard.lock()
            shard.unlock()
            acquired.fulfill()
        }
        thread.start()
        usleep(50_000)
        keyspace.unlockAll()
        wait(for: [acquired], timeout: 5)
    }
}
