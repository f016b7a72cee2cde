import XCTest
final class KeyspaceTestsPlaceholder: XCTestCase { func testBuilds() {} }
