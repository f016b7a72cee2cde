import CLinux
import Glibc

/// A joinable OS thread running `body` (event loops are pinned to their own threads; no Dispatch
/// queue hops on the request path).
public final class OSThread: Sendable {
    private let handle: pthread_t

    private final class Box {
        let body: @Sendable () -> Void
        let name: String
        init(_ name: String, _ body: @escaping @Sendable () -> Void) { self.name = String(name.prefix(15)); self.body = body }
    }

    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(name, body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.name.withCString { _ = tessera_set_thread_name($0) }
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        handle = thread
    }

    public func join() {
        _ = pthread_join(handle, nil)
    }
}
