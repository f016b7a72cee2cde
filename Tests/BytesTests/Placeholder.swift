import XCTest
final class BytesTestsPlaceholder: XCTestCase { func testBuilds() {} }
