import CLinux
import Foundation
import Glibc
import Networking
import XCTest

/// The io_uring wrapper against real sockets: multishot receive into provided buffers, sends that
/// never wait, cancel, and a wait for several completions bounded by min_wait.
final class RingTests: XCTestCase {
    private func makeRing() throws -> Ring {
        guard let ring = try Ring(entries: 64, bufferCount: 8, bufferSize: 4096) else {
            throw XCTSkip("io_uring is not available on this kernel")
        }
        return ring
    }

    private func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds), 0)
        return (fds[0], fds[1])
    }

    /// Waits for at least one completion and returns every ready one.
    private func completions(_ ring: Ring, min: Int = 1) throws -> [Ring.Completion] {
        try ring.wait(minComplete: min, minWaitMicroseconds: 0, timeoutMilliseconds: 2000)
        let (first, count) = ring.ready()
        let all = (0..<count).map { ring.completion(at: first &+ $0) }
        ring.advance(count)
        return all
    }

    func testMultishotReceiveDeliversEachChunkIntoAProvidedBuffer() throws {
        let ring = try makeRing()
        let (a, b) = try socketPair()
        defer { close(a); close(b) }
        try ring.receive(a, userData: 7)
        for word in ["hello", "world!"] {
            XCTAssertEqual(write(b, word, word.utf8.count), word.utf8.count)
            let done = try completions(ring)
            XCTAssertEqual(done.count, 1)
            XCTAssertEqual(done[0].userData, 7)
            XCTAssertTrue(done[0].more, "a multishot receive stays armed")
            XCTAssertEqual(Int(done[0].result), word.utf8.count)
            let id = try XCTUnwrap(done[0].bufferID)
            XCTAssertEqual(String(decoding: UnsafeBufferPointer(start: ring.buffer(id), count: Int(done[0].result)), as: UTF8.self), word)
            ring.recycle(id)
            ring.publishBuffers()
        }
        XCTAssertEqual(shutdown(b, Int32(SHUT_WR)), 0)
        let end = try completions(ring)
        XCTAssertEqual(end.first?.result, 0, "end of file")
        XCTAssertFalse(end.first?.more ?? true)
    }

    func testReceivesWithoutAFreeBufferEndWithENOBUFS() throws {
        let ring = try makeRing()        // 8 provided buffers
        let pairs = try (0..<12).map { _ in try socketPair() }
        defer { for (a, b) in pairs { close(a); close(b) } }
        for (i, (a, _)) in pairs.enumerated() { try ring.receive(a, userData: UInt64(i)) }
        try ring.wait(minComplete: 0, minWaitMicroseconds: 0, timeoutMilliseconds: 0)
        for (_, b) in pairs { XCTAssertEqual(write(b, "x", 1), 1) }
        var results: [Int32] = []
        while results.count < 12 { results += try completions(ring).map { c in
            if c.result == -ENOBUFS { XCTAssertFalse(c.more, "the receive ends; the loop re-arms it") }
            return c.result
        } }
        XCTAssertEqual(results.filter { $0 == 1 }.count, 8)
        XCTAssertEqual(results.filter { $0 == -ENOBUFS }.count, 4)
    }

    func testCancelEndsAnArmedReceive() throws {
        let ring = try makeRing()
        let (a, b) = try socketPair()
        defer { close(a); close(b) }
        try ring.receive(a, userData: 7)
        try ring.wait(minComplete: 0, minWaitMicroseconds: 0, timeoutMilliseconds: 0)
        try ring.cancel(7, userData: 9)
        var seen: [UInt64: Ring.Completion] = [:]
        while seen.count < 2 { for c in try completions(ring) { seen[c.userData] = c } }
        XCTAssertEqual(seen[7]?.result, -ECANCELED)
        XCTAssertEqual(seen[7]?.more, false)
        XCTAssertEqual(seen[9]?.result, 0)
    }

    func testSendsNeverWaitAndReportAFullSocket() throws {
        let ring = try makeRing()
        let (a, b) = try socketPair()
        defer { close(a); close(b) }
        let chunk = [UInt8](repeating: 0x78, count: 64 * 1024)
        var sent = 0
        var sawFull = false
        for _ in 0..<256 where !sawFull {
            try chunk.withUnsafeBytes { try ring.send(a, from: $0.baseAddress!, count: chunk.count, userData: 3) }
            let done = try completions(ring, min: 0)
            XCTAssertEqual(done.count, 1, "the send completes within the submitting call")
            if done[0].result == -EAGAIN { sawFull = true } else {
                XCTAssertGreaterThan(done[0].result, 0)
                sent += Int(done[0].result)
            }
        }
        XCTAssertTrue(sawFull, "nobody reads b: the socket fills and the send says so instead of waiting")
        var drained = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(b, &buffer, buffer.count)
            if n <= 0 { break }
            XCTAssertTrue(buffer[0..<n].allSatisfy { $0 == 0x78 })
            drained += n
        }
        XCTAssertEqual(drained, sent)
    }

    func testWaitForSeveralReturnsAfterMinWaitWithFewer() throws {
        let ring = try makeRing()
        guard ring.canCoalesce else { throw XCTSkip("kernel without min_wait (6.12+)") }
        let (a, b) = try socketPair()
        defer { close(a); close(b) }
        try ring.receive(a, userData: 7)
        XCTAssertEqual(write(b, "x", 1), 1)
        let start = DispatchTime.now().uptimeNanoseconds
        // Asks for 8 but one arrives: min_wait (1 ms) ends the wait, not the 5 s timeout.
        try ring.wait(minComplete: 8, minWaitMicroseconds: 1000, timeoutMilliseconds: 5000)
        let waited = DispatchTime.now().uptimeNanoseconds - start
        XCTAssertEqual(ring.ready().count, 1)
        XCTAssertLessThan(waited, 2_500_000_000, "returned at min_wait, long before the timeout")
    }

    /// The loop waits for N arrivals right after queueing the iteration's sends. Their completions
    /// are posted while submitting: counted, they satisfied the wait at once (every other wait
    /// returned with only sends). Here the send must not end a wait for one arrival before
    /// min_wait (20 ms) has passed; the receive that then arrives ends the next wait at once.
    func testThisCallsSendsDoNotCountTowardsTheWait() throws {
        let ring = try makeRing()
        guard ring.canCoalesce else { throw XCTSkip("kernel without min_wait (6.12+)") }
        let (a, b) = try socketPair()
        defer { close(a); close(b) }
        try ring.receive(a, userData: 7)
        try ring.send(a, from: "ping", count: 4, userData: 3)
        let start = DispatchTime.now().uptimeNanoseconds
        try ring.wait(minComplete: 1, minWaitMicroseconds: 20_000, timeoutMilliseconds: 5000)
        let waited = DispatchTime.now().uptimeNanoseconds - start
        XCTAssertGreaterThanOrEqual(waited, 15_000_000, "the send's completion did not end the wait")
        var done = try completions(ring, min: 0)
        XCTAssertEqual(done.map(\.userData), [3])
        XCTAssertEqual(write(b, "x", 1), 1)
        done = try completions(ring)
        XCTAssertEqual(done.map(\.userData), [7])
    }
}
