import CLinux
import Glibc

/// Socket system calls with the module's error policy. Descriptors are plain Int32s owned by
/// whoever created them; every socket here is non-blocking and close-on-exec.
public enum Socket {
    public enum ReadResult: Equatable { case bytes(Int), wouldBlock, endOfFile }

    /// A listening TCP socket on `host` (IPv4 or IPv6 literal, "*" = any IPv4, "::*" = any IPv6).
    public static func listenTCP(host: String, port: Int, backlog: Int32) throws -> Int32 {
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        if host == "*" || host == "0.0.0.0" || !host.contains(":") {
            family = AF_INET
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            if host == "*" {
                address.sin_addr.s_addr = INADDR_ANY
            } else if inet_pton(AF_INET, host, &address.sin_addr) != 1 {
                throw SystemError("inet_pton(\(host))", errno: EINVAL)
            }
            withUnsafeBytes(of: &address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else {
            family = AF_INET6
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            let literal = host == "::*" ? "::" : host
            if inet_pton(AF_INET6, literal, &address.sin6_addr) != 1 {
                throw SystemError("inet_pton(\(host))", errno: EINVAL)
            }
            withUnsafeBytes(of: &address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.fail("socket") }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        if family == AF_INET6 { setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1) }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let error = SystemError.fail("bind(\(host):\(port))")
            close(fd)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = SystemError.fail("listen")
            close(fd)
            throw error
        }
        return fd
    }

    /// A listening Unix domain socket at `path` (an existing socket file is replaced), with `mode`.
    public static func listenUnix(path: String, mode: mode_t?, backlog: Int32) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else { throw SystemError("unixsocket path too long", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.fail("socket(AF_UNIX)") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let error = SystemError.fail("bind/listen(\(path))")
            close(fd)
            throw error
        }
        if let mode { chmod(path, mode) }
        return fd
    }

    /// Accepts one connection (non-blocking, close-on-exec), or nil when none is pending.
    /// Errors that concern only the aborted peer (ECONNABORTED, EPROTO…) also return nil.
    public static func accept(_ listener: Int32) throws -> Int32? {
        while true {
            let fd = tessera_accept4(listener, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            if fd >= 0 { return fd }
            switch currentErrno() {
            case EINTR: continue
            case EAGAIN, ECONNABORTED, EPROTO, EPERM: return nil
            default: throw SystemError.fail("accept4")
            }
        }
    }

    /// TCP_NODELAY and keepalive for an accepted TCP connection (harmless no-ops on Unix sockets).
    public static func configureAccepted(_ fd: Int32, keepaliveSeconds: Int) {
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        if keepaliveSeconds > 0 {
            setOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
            setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, Int32(keepaliveSeconds))
            setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, Int32(max(1, keepaliveSeconds / 3)))
            setOption(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, 3)
        }
    }

    /// Reads what is there (one call; the loop is level-triggered). `recv` rather than `read`:
    /// it goes straight to the socket layer, skipping the VFS read path (fdget_pos,
    /// rw_verify_area, fsnotify), about 3 % of the server's CPU per unpipelined request (perf).
    @inline(__always)
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Result<ReadResult, SystemError> {
        while true {
            let n = recv(fd, buffer, count, 0)
            if n > 0 { return .success(.bytes(n)) }
            if n == 0 { return .success(.endOfFile) }
            let code = currentErrno()
            if code == EINTR { continue }
            if code == EAGAIN { return .success(.wouldBlock) }
            if code == ENOTSOCK { return readFile(fd, into: buffer, count: count) }
            return .failure(SystemError("recv", errno: code))
        }
    }

    /// Not a socket (a pipe in tests): plain read.
    static func readFile(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int) -> Result<ReadResult, SystemError> {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n > 0 { return .success(.bytes(n)) }
            if n == 0 { return .success(.endOfFile) }
            let code = currentErrno()
            if code == EINTR { continue }
            if code == EAGAIN { return .success(.wouldBlock) }
            return .failure(SystemError("read", errno: code))
        }
    }

    /// Writes as much as the socket takes; returns bytes written (0 = would block).
    @inline(__always)
    public static func write(_ fd: Int32, from buffer: UnsafeRawPointer, count: Int) -> Result<Int, SystemError> {
        while true {
            let n = send(fd, buffer, count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .success(n) }
            let code = currentErrno()
            if code == EINTR { continue }
            if code == EAGAIN { return .success(0) }
            if code == ENOTSOCK {
                // Not a socket (a pipe in tests): plain write.
                let w = Glibc.write(fd, buffer, count)
                return w >= 0 ? .success(w) : .failure(SystemError("write", errno: currentErrno()))
            }
            return .failure(SystemError("send", errno: code))
        }
    }

    /// "ip:port" of the peer (or of our side), Redis's format: IPv6 in brackets, Unix as "path:0".
    public static func address(of fd: Int32, peer: Bool, unixPath: String?) -> [UInt8] {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard result == 0 else { return Array("?:0".utf8) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var addr = address.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                    return Array(decodeCString(text).utf8) + Array(":\(UInt16(bigEndian: address.pointee.sin_port))".utf8)
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var addr = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    return Array("[\(decodeCString(text))]:\(UInt16(bigEndian: address.pointee.sin6_port))".utf8)
                }
            }
        default:
            return Array("\(unixPath ?? ""):0".utf8)
        }
    }

    /// Whether the peer of `fd` is a loopback or Unix-socket client (protected mode).
    public static func isLocalPeer(_ fd: Int32) -> Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        } == 0
        guard ok else { return false }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt32(bigEndian: $0.pointee.sin_addr.s_addr) >> 24 == 127
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var loopback = in6addr_loopback
                    var addr = address.pointee.sin6_addr
                    return memcmp(&addr, &loopback, MemoryLayout<in6_addr>.size) == 0
                }
            }
        default:
            return true
        }
    }

    /// The port a listening socket is bound to (for `port 0`).
    public static func boundPort(_ fd: Int32) -> Int {
        let text = address(of: fd, peer: false, unixPath: nil)
        guard let colon = text.lastIndex(of: UInt8(ascii: ":")) else { return 0 }
        return Int(String(decoding: text[(colon + 1)...], as: UTF8.self)) ?? 0
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}

func decodeCString(_ text: [CChar]) -> String {
    let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
