public import Hummingbird
import Synchronization

/// The per-request context: Hummingbird's core storage plus the ASE `sid` every response and
/// log line carries.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Session id of this request, echoed in `header.sid` and the `x-athena-sid` header.
    public var sid: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        sid = SessionID.next()
    }
}

/// Session ids: a per-process random prefix and a counter, unique without a random call per request.
enum SessionID {
    private static let prefix: String = {
        let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "ath" + String(repeating: "0", count: 16 - hex.count) + hex
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return prefix + "@" + String(n, radix: 16)
    }
}
