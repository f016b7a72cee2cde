import XCTest
@testable import Bytes

final class ByteBufferTests: XCTestCase {
    func contents(_ b: borrowing ByteBuffer) -> String {
        String(decoding: b.readableView, as: UTF8.self)
    }

    func testWriteAndGrow() {
        var b = ByteBuffer(capacity: 16)
        XCTAssertGreaterThanOrEqual(b.capacity, 16)
        for i in 0..<1000 { b.writeDecimal(i % 10) }
        XCTAssertEqual(b.readableBytes, 1000)
        XCTAssertGreaterThanOrEqual(b.capacity, 1000)
        b.write("hello" as StaticString)
        b.write(byte: UInt8(ascii: "!"))
        XCTAssertTrue(contents(b).hasSuffix("789hello!"))
        withBytes("xyz") { b.write($0) }
        XCTAssertTrue(contents(b).hasSuffix("hello!xyz"))
    }

    func testWriteDecimalEdges() {
        for v in [0, 1, -1, 9, 10, 99, 100, 400, 999, 1000, -9, -10, -999, 12345, -12345, 9999, 10000, Int.max, Int.min] {
            var b = ByteBuffer(capacity: 4)
            b.writeDecimal(v)
            XCTAssertEqual(contents(b), String(v))
        }
    }

    func testConsumeCompactClear() {
        var b = ByteBuffer(capacity: 32)
        b.write("abcdefgh" as StaticString)
        b.consume(3)
        XCTAssertEqual(b.readerIndex, 3)
        XCTAssertEqual(contents(b), "defgh")
        b.compact()
        XCTAssertEqual(b.readerIndex, 0)
        XCTAssertEqual(b.writerIndex, 5)
        XCTAssertEqual(contents(b), "defgh")
        b.consume(5)
        // Fully consumed: indices reset so the next write starts at the front.
        XCTAssertEqual(b.readerIndex, 0)
        XCTAssertEqual(b.writerIndex, 0)
        b.write("zz" as StaticString)
        b.clear()
        XCTAssertEqual(b.readableBytes, 0)
    }

    func testReserveAndCommit() {
        var b = ByteBuffer(capacity: 16)
        b.reserveWritable(100)
        XCTAssertGreaterThanOrEqual(b.writableBytes, 100)
        b.writePointer.storeBytes(of: UInt8(ascii: "Q"), as: UInt8.self)
        b.commitWritten(1)
        XCTAssertEqual(contents(b), "Q")
    }

    func testGrowthPreservesReaderIndex() {
        var b = ByteBuffer(capacity: 16)
        b.write("0123456789" as StaticString)
        b.consume(4)
        for _ in 0..<100 { b.write("x" as StaticString) }
        XCTAssertEqual(b.readerIndex, 4)
        XCTAssertTrue(contents(b).hasPrefix("456789xxx"))
        XCTAssertEqual(b.readableBytes, 106)
    }

    func testShrinkIfEmpty() {
        var b = ByteBuffer(capacity: 16)
        b.reserveWritable(100_000)
        b.write("abc" as StaticString)
        b.shrinkIfEmpty(to: 64)
        XCTAssertGreaterThanOrEqual(b.capacity, 100_000, "not empty: must not shrink")
        b.consume(3)
        b.shrinkIfEmpty(to: 64)
        XCTAssertEqual(b.capacity, 64)
        b.write("still works" as StaticString)
        XCTAssertEqual(contents(b), "still works")
    }
}
