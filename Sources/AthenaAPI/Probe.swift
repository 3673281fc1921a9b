/// How Kubernetes checks the engine container: exactly one handler (`httpGet`, `grpc` or
/// `exec`) plus timings. Maps one to one onto a core/v1 `Probe`.
public struct Probe: Codable, Sendable, Hashable {
    /// An HTTP GET; healthy on a 2xx/3xx answer.
    public var httpGet: HTTPGetAction?
    /// A `grpc.health.v1` check (the Athena engine protocol serves it).
    public var grpc: GRPCAction?
    /// A command in the container; healthy on exit status 0.
    public var exec: ExecAction?
    /// Seconds before the first check (0–3600, default 0).
    public var initialDelaySeconds: Int?
    /// Seconds between checks (1–3600, default 10).
    public var periodSeconds: Int?
    /// Seconds a check may take (1–3600, default 1).
    public var timeoutSeconds: Int?
    /// Failures before acting (1–1000, default 3; 30 for startup).
    public var failureThreshold: Int?

    public init(
        httpGet: HTTPGetAction? = nil, grpc: GRPCAction? = nil, exec: ExecAction? = nil,
        initialDelaySeconds: Int? = nil, periodSeconds: Int? = nil, timeoutSeconds: Int? = nil,
        failureThreshold: Int? = nil
    ) {
        self.httpGet = httpGet
        self.grpc = grpc
        self.exec = exec
        self.initialDelaySeconds = initialDelaySeconds
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.failureThreshold = failureThreshold
    }
}

/// An HTTP GET probe on the engine.
public struct HTTPGetAction: Codable, Sendable, Hashable {
    /// The request path, starting with `/`.
    public var path: String
    /// Defaults to the engine's `runtime.port`.
    public var port: Int?
    /// `HTTP` (default) or `HTTPS`.
    public var scheme: ProbeScheme?

    public init(path: String, port: Int? = nil, scheme: ProbeScheme? = nil) {
        self.path = path
        self.port = port
        self.scheme = scheme
    }
}

/// The scheme of an HTTP probe.
public enum ProbeScheme: String, Codable, Sendable, Hashable, CaseIterable {
    case http = "HTTP"
    case https = "HTTPS"
}

/// A gRPC health probe (`grpc.health.v1.Health/Check`).
public struct GRPCAction: Codable, Sendable, Hashable {
    /// Defaults to the engine's `runtime.port`.
    public var port: Int?
    /// The service name passed to the health check; empty means the whole server.
    public var service: String?

    public init(port: Int? = nil, service: String? = nil) {
        self.port = port
        self.service = service
    }
}

/// A command probe.
public struct ExecAction: Codable, Sendable, Hashable {
    /// The command and its arguments.
    public var command: [String]

    public init(command: [String]) { self.command = command }
}

/// The three probes of an engine. Startup guards slow model loading; readiness gates traffic;
/// liveness restarts a wedged engine.
public struct HealthSpec: Codable, Sendable, Hashable {
    /// Holds the other probes off until the model has loaded.
    public var startup: Probe?
    /// Gates traffic to the replica.
    public var readiness: Probe?
    /// Restarts a wedged engine.
    public var liveness: Probe?

    public init(startup: Probe? = nil, readiness: Probe? = nil, liveness: Probe? = nil) {
        self.startup = startup
        self.readiness = readiness
        self.liveness = liveness
    }
}
