import CLinux
import Glibc

/// A failed system call: which call and errno. One policy for every wrapper in this module:
/// EINTR is retried, EAGAIN is reported as "would block" (nil / false), anything else throws,
/// and EBADF/EFAULT (our bug, never the peer's) trap.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let errno: Int32
    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }
    public var description: String {
        guard let text = strerror(errno) else { return "\(call): errno \(errno)" }
        return "\(call): \(decodeCString(Array(UnsafeBufferPointer(start: text, count: strlen(text) + 1))))"
    }

    /// Throws for the current errno (after a -1 return), trapping on programming errors.
    static func fail(_ call: String) -> SystemError {
        let code = tessera_errno()
        precondition(code != EBADF && code != EFAULT, "\(call) on a bad descriptor or address")
        return SystemError("\(call)", errno: code)
    }
}

@inline(__always)
func currentErrno() -> Int32 { tessera_errno() }
