import XCTest
final class RESPTestsPlaceholder: XCTestCase { func testBuilds() {} }
