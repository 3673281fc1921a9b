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

    /// `prefix` + the counter in hex, built in place (one allocation: the sid is longer than
    /// a small string, and `+` would make the hex digits a string first).
    static func next() -> String {
        var n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var digits: (UInt64, UInt64) = (0, 0)  // up to 16 hex digits, least significant first
        var count = 0
        withUnsafeMutableBytes(of: &digits) { out in
            repeat {
                let d = UInt8(truncatingIfNeeded: n & 15)
                out[count] = d < 10 ? 48 + d : 87 + d
                count += 1
                n >>= 4
            } while n > 0
        }
        var head = prefix
        return head.withUTF8 { head in
            String(unsafeUninitializedCapacity: head.count + count) { buffer in
                _ = buffer.initialize(fromContentsOf: head)
                withUnsafeBytes(of: digits) { digits in
                    for i in 0..<count { buffer[head.count + i] = digits[count - 1 - i] }
                }
                return head.count + count
            }
        }
    }
}
