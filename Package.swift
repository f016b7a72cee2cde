// swift-tools-version:6.0
// Tessera: a Redis-protocol session server. No package dependencies by design:
// stdlib, Glibc, Synchronization and our own C shim only.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // Release builds drop the *dynamic* exclusivity checks (the static ones stay): profiling showed
    // swift_beginAccess and its thread-local bookkeeping at ~35% of all instructions on the request
    // path, because every reply write goes through a class property. Debug builds and tests keep them.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "Tessera",
    products: [
        .executable(name: "tessera", targets: ["tessera"]),
    ],
    targets: [
        // epoll, eventfd, timerfd, socket helpers and malloc introspection that Glibc's module omits.
        .target(name: "CLinux"),
        // One byte type end to end: ByteBuffer, byte-string comparison, number parsing/formatting, hashing.
        .target(name: "Bytes", swiftSettings: strict),
        // RESP request parser (argv, incremental, bounded) and reply writer (RESP2/RESP3).
        .target(name: "RESP", dependencies: ["Bytes"], swiftSettings: strict),
        // Sharded hash tables with per-shard timing wheels; values are bytes.
        .target(name: "Keyspace", dependencies: ["Bytes", "CLinux"], swiftSettings: strict),
        // Typed syscalls, sockets and the epoll event loop.
        .target(name: "Networking", dependencies: ["CLinux"], swiftSettings: strict),
        // Command table, dispatcher and one file per command family. Never sees a socket.
        .target(name: "Commands", dependencies: ["Bytes", "RESP", "Keyspace"], swiftSettings: strict),
        // Composition root: configuration, connections, housekeeping, INFO.
        .target(name: "Server", dependencies: ["Bytes", "RESP", "Keyspace", "Networking", "Commands", "Persistence", "CLinux"],
                swiftSettings: strict),
        // RDB and AOF formats on a neutral value model (no Keyspace/Commands): the server streams into it.
        .target(name: "Persistence", dependencies: ["Bytes", "CLinux"], swiftSettings: strict),
        .executableTarget(name: "tessera", dependencies: ["Server", "Commands", "CLinux"], swiftSettings: strict),

        .testTarget(name: "BytesTests", dependencies: ["Bytes"], swiftSettings: strict),
        .testTarget(name: "RESPTests", dependencies: ["RESP", "Bytes"], swiftSettings: strict),
        .testTarget(name: "KeyspaceTests", dependencies: ["Keyspace", "Bytes"], swiftSettings: strict),
        .testTarget(name: "CommandsTests", dependencies: ["Commands", "RESP", "Keyspace", "Bytes"],
                    swiftSettings: strict),
        .testTarget(name: "PersistenceTests", dependencies: ["Persistence", "Bytes"], swiftSettings: strict),
        .testTarget(name: "IntegrationTests", dependencies: ["Networking", "CLinux"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
