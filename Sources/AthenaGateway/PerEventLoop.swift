import NIOCore
import Synchronization

/// One object per event loop, made on first use and kept for the life of the process (the
/// loops of a gateway are few and live as long as it does). Handlers look theirs up once, when
/// they are added to a pipeline, so the lock is not on the request path.
final class PerEventLoop<Value: AnyObject & Sendable>: Sendable {
    private let values = Mutex<[ObjectIdentifier: Value]>([:])
    private let make: @Sendable (any EventLoop) -> Value

    init(_ make: @escaping @Sendable (any EventLoop) -> Value) {
        self.make = make
    }

    /// The object of `eventLoop`.
    func on(_ eventLoop: any EventLoop) -> Value {
        values.withLock { values in
            let key = ObjectIdentifier(eventLoop)
            if let value = values[key] { return value }
            let value = make(eventLoop)
            values[key] = value
            return value
        }
    }
}
