public import Hummingbird
import Synchronization

/// Hummingbird's per-request context for the router adapter (tests, `.test(.router)`). The
/// gateway's own state per request (sid, service, version) lives in ``GatewayHTTPResponse``.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// Session ids: a per-process random prefix and a counter, unique without a random call per request.
enum SessionID {
    private static let prefix: String = {
        let hex = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "ath" + String(repeating: "0", count: 16 - hex.count) + hex + "@"
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return prefix + String(n, radix: 16)
    }
}
