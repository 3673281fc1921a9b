/// A routing rule: an expression over the request (ModelArts personalised routing syntax, e.g.
/// `#HEADER_version == '0.0.1'`) choosing a version. Carried as a string here; `RoutingRule`
/// parses it.
public struct RoutingTableRule: Codable, Sendable, Hashable {
    public var match: String
    public var version: String
    /// Headers added to the request sent on when the rule matches.
    public var setHeaders: [String: String]?

    public init(match: String, version: String, setHeaders: [String: String]? = nil) {
        self.match = match
        self.version = version
        self.setHeaders = setHeaders
    }
}

/// Request size and time limits.
public struct RoutingTableLimits: Codable, Sendable, Hashable {
    /// Default 12 MiB, ModelArts' limit for a request body.
    public static let defaultMaxBodyBytes = 12 * 1024 * 1024
    public static let defaultTimeoutSeconds = 40.0

    public var maxBodyBytes: Int
    public var timeoutSeconds: Double

    public init(maxBodyBytes: Int = defaultMaxBodyBytes, timeoutSeconds: Double = defaultTimeoutSeconds) {
        self.maxBodyBytes = maxBodyBytes
        self.timeoutSeconds = timeoutSeconds
    }

    private enum CodingKeys: String, CodingKey { case maxBodyBytes, timeoutSeconds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? Self.defaultMaxBodyBytes
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? Self.defaultTimeoutSeconds
    }
}

/// How callers authenticate (enforced by the auth middleware).
public struct RoutingTableAuth: Codable, Sendable, Hashable {
    public enum Mode: String, Codable, Sendable, Hashable { case none, token, appcode, hmac }

    public var mode: Mode
    /// Where the credentials are: a folder (the mounted Secret: a `tokens`, `appcodes` or
    /// `credentials` file per mode) or one file of them, one per line (`key:secret` for hmac).
    /// Re-read when it changes.
    public var secretFile: String?

    public init(mode: Mode = .none, secretFile: String? = nil) {
        self.mode = mode
        self.secretFile = secretFile
    }

    private enum CodingKeys: String, CodingKey { case mode, secretFile }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .none
        secretFile = try c.decodeIfPresent(String.self, forKey: .secretFile)
    }
}

/// Requests per second per gateway replica; 0 turns it off.
public struct RoutingTableRateLimit: Codable, Sendable, Hashable {
    public var qps: Double
    public var burst: Int?

    public init(qps: Double = 0, burst: Int? = nil) {
        self.qps = qps
        self.burst = burst
    }

    private enum CodingKeys: String, CodingKey { case qps, burst }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        qps = try c.decodeIfPresent(Double.self, forKey: .qps) ?? 0
        burst = try c.decodeIfPresent(Int.self, forKey: .burst)
    }
}

/// How requests spread over one version's endpoints, and when an endpoint is set aside.
public struct RoutingTableLoadBalancing: Codable, Sendable, Hashable {
    public enum Policy: String, Codable, Sendable, Hashable {
        case roundRobin = "round-robin"
        case leastInflight = "least-inflight"
        case consistentHash = "consistent-hash"
    }

    public var policy: Policy
    /// The request header hashed by `consistent-hash`.
    public var header: String?
    /// Consecutive failures (engine unreachable or broken transport) before an endpoint is ejected.
    public var failureThreshold: Int
    /// How long an ejected endpoint rests before one request probes it back.
    public var ejectSeconds: Double
    /// How long a request may wait for a free slot when every endpoint is at `maxConcurrency`.
    public var queueTimeoutMilliseconds: Int

    public init(
        policy: Policy = .leastInflight, header: String? = nil, failureThreshold: Int = 3,
        ejectSeconds: Double = 5, queueTimeoutMilliseconds: Int = 100
    ) {
        self.policy = policy
        self.header = header
        self.failureThreshold = failureThreshold
        self.ejectSeconds = ejectSeconds
        self.queueTimeoutMilliseconds = queueTimeoutMilliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case policy, header, failureThreshold, ejectSeconds, queueTimeoutMilliseconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        policy = try c.decodeIfPresent(Policy.self, forKey: .policy) ?? .leastInflight
        header = try c.decodeIfPresent(String.self, forKey: .header)
        failureThreshold = try c.decodeIfPresent(Int.self, forKey: .failureThreshold) ?? 3
        ejectSeconds = try c.decodeIfPresent(Double.self, forKey: .ejectSeconds) ?? 5
        queueTimeoutMilliseconds = try c.decodeIfPresent(Int.self, forKey: .queueTimeoutMilliseconds) ?? 100
    }
}

/// Which streaming front-ends a service offers; both on unless the OnlineService turns one off
/// (`spec.streaming`).
public struct RoutingTableStreaming: Codable, Sendable, Hashable {
    /// ASE session frames over a WebSocket on the ASE path.
    public var websocket: Bool
    /// Results of an ASE request pushed as server-sent events (`Accept: text/event-stream`).
    public var sse: Bool

    public init(websocket: Bool = true, sse: Bool = true) {
        self.websocket = websocket
        self.sse = sse
    }

    private enum CodingKeys: String, CodingKey { case websocket, sse }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        websocket = try c.decodeIfPresent(Bool.self, forKey: .websocket) ?? true
        sse = try c.decodeIfPresent(Bool.self, forKey: .sse) ?? true
    }
}
