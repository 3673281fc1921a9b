/// Who may call the service.
public struct AuthSpec: Codable, Sendable, Hashable {
    /// `none` by default.
    public var mode: AuthMode?
    /// The Secret holding the credentials (tokens, app codes, HMAC keys); required unless `none`.
    public var secretRef: SecretReference?

    public init(mode: AuthMode? = nil, secretRef: SecretReference? = nil) {
        self.mode = mode
        self.secretRef = secretRef
    }
}

/// How callers authenticate.
public enum AuthMode: String, Codable, Sendable, Hashable, CaseIterable {
    /// Anyone may call.
    case none
    /// `Authorization: Bearer <token>` or `X-Auth-Token`.
    case token
    /// ModelArts-style `X-Apig-AppCode`.
    case appcode
    /// An HMAC signature of the request (ASE style: host, date, request line).
    case hmac
}

/// Requests per second accepted by each gateway replica; excess gets 429.
public struct RateLimitSpec: Codable, Sendable, Hashable {
    /// Requests per second.
    public var qps: Int

    public init(qps: Int) { self.qps = qps }
}

/// Per-request limits enforced by the gateway.
public struct RequestLimits: Codable, Sendable, Hashable {
    /// Largest accepted request body; 12 MiB by default (larger gets 413).
    public var maxBodyBytes: Int?
    /// How long an engine call may take; 40 s by default (longer gets 504).
    public var timeoutSeconds: Int?

    /// 12 MiB.
    public static let defaultMaxBodyBytes = 12_582_912
    /// 40 seconds.
    public static let defaultTimeoutSeconds = 40

    public init(maxBodyBytes: Int? = nil, timeoutSeconds: Int? = nil) {
        self.maxBodyBytes = maxBodyBytes
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Which streaming transports the gateway offers.
public struct StreamingSpec: Codable, Sendable, Hashable {
    /// Session frames over WebSocket on the request path; on by default.
    public var websocket: Bool?
    /// Server-sent events for `Accept: text/event-stream`; on by default.
    public var sse: Bool?

    public init(websocket: Bool? = nil, sse: Bool? = nil) {
        self.websocket = websocket
        self.sse = sse
    }
}

/// Stops the service automatically some time after it starts running (ModelArts auto-stop).
public struct AutoStopSpec: Codable, Sendable, Hashable {
    /// A duration such as `1h`, `30m` or `1h30m` (units h, m, s).
    public var after: String

    public init(after: String) { self.after = after }

    /// The longest `after` accepted: one year (8760h).
    public static let maxSeconds: Double = 8760 * 3600

    /// `after` in seconds, or `nil` when it does not parse.
    public var seconds: Double? { try? DurationText.parseSeconds(after) }
}

/// How a gateway picks an engine endpoint within the chosen version.
public struct LoadBalancingSpec: Codable, Sendable, Hashable {
    /// `round-robin` by default.
    public var policy: LoadBalancingPolicy?
    /// The request header whose value is hashed; required for `consistent-hash`.
    public var hashHeader: String?

    public init(policy: LoadBalancingPolicy? = nil, hashHeader: String? = nil) {
        self.policy = policy
        self.hashHeader = hashHeader
    }
}

/// A load-balancing policy.
public enum LoadBalancingPolicy: String, Codable, Sendable, Hashable, CaseIterable {
    case roundRobin = "round-robin"
    /// The endpoint with the fewest requests in flight.
    case leastInflight = "least-inflight"
    /// The same `hashHeader` value always reaches the same endpoint (sessions, caches).
    case consistentHash = "consistent-hash"
}
