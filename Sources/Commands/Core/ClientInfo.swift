import Synchronization

/// The part of a client that other threads may read (CLIENT LIST, INFO) or signal (CLIENT KILL).
/// The owning event loop writes it; everything here is atomic or locked.
public final class ClientInfo: Sendable {
    public let id: Int
    /// "ip:port" of the peer and of our socket ("/path:0" style for unix sockets, as Redis).
    public let address: [UInt8]
    public let localAddress: [UInt8]
    public let fd: Int32
    public let createdAt: Int64
    public let database = Atomic<Int>(0)
    public let protocolVersion = Atomic<Int>(2)
    public let lastInteraction: Atomic<Int64>
    /// The last command's `Command` object (static table entries live forever), as its address.
    public let lastCommand = Atomic<UInt>(0)
    public let killRequested = Atomic<Bool>(false)
    /// CLIENT LIST sub= / psub= / multi= (-1 outside MULTI).
    public let subscriptionCount = Atomic<Int>(0)
    public let patternCount = Atomic<Int>(0)
    public let multiCount = Atomic<Int>(-1)
    /// Query buffer and output buffer sizes after the last batch (CLIENT LIST qbuf / omem).
    public let queryBufferBytes = Atomic<Int>(0)
    public let outputBufferBytes = Atomic<Int>(0)
    private let names = Mutex<Names>(Names())

    struct Names: Sendable {
        var name: [UInt8] = []
        var libraryName: [UInt8] = []
        var libraryVersion: [UInt8] = []
        var userName: [UInt8] = Array("default".utf8)
    }

    public init(id: Int, address: [UInt8], localAddress: [UInt8], fd: Int32, createdAt: Int64) {
        self.id = id
        self.address = address
        self.localAddress = localAddress
        self.fd = fd
        self.createdAt = createdAt
        self.lastInteraction = Atomic(createdAt)
    }

    public var name: [UInt8] {
        get { names.withLock { $0.name } }
        set { names.withLock { $0.name = newValue } }
    }
    public var libraryName: [UInt8] {
        get { names.withLock { $0.libraryName } }
        set { names.withLock { $0.libraryName = newValue } }
    }
    public var libraryVersion: [UInt8] {
        get { names.withLock { $0.libraryVersion } }
        set { names.withLock { $0.libraryVersion = newValue } }
    }

    /// The authenticated user's name (CLIENT LIST "user=").
    public var userName: [UInt8] {
        get { names.withLock { $0.userName } }
        set { names.withLock { $0.userName = newValue } }
    }

    public func recordCommand(_ command: Command) {
        lastCommand.store(UInt(bitPattern: Unmanaged.passUnretained(command).toOpaque()), ordering: .relaxed)
    }

    /// The full name of the last command ("client|list"), or "NULL" as Redis prints before any.
    public var lastCommandName: [UInt8] {
        let bits = lastCommand.load(ordering: .relaxed)
        guard bits != 0, let pointer = UnsafeRawPointer(bitPattern: bits) else { return Array("NULL".utf8) }
        return Unmanaged<Command>.fromOpaque(pointer).takeUnretainedValue().fullName
    }
}
