import KubeModel

/// An HTTP API over one or more AIApplication versions, with gray-release weights, header
/// routing rules, auth, limits and a NodePort (a ModelArts "real-time service").
public struct OnlineService: KubeObject, Hashable {
    /// Group, version and plural used to build API paths.
    public static let resource = ServingAPI.resource("onlineservices")
    /// The `kind` field value.
    public static let kind = "OnlineService"

    /// Always `serving.athena.dev/v1alpha1` for objects built here.
    public var apiVersion: String?
    /// The kind, as sent by the API server.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state, written by users.
    public var spec: OnlineServiceSpec
    /// The observed state, written by the operator through `/status`.
    public var status: OnlineServiceStatus?

    public init(name: String, namespace: String? = nil, spec: OnlineServiceSpec, status: OnlineServiceStatus? = nil) {
        apiVersion = ServingAPI.apiVersion
        kind = Self.kind
        metadata = ObjectMeta(name: name, namespace: namespace)
        self.spec = spec
        self.status = status
    }
}

/// The desired state of an OnlineService.
public struct OnlineServiceSpec: Codable, Sendable, Hashable {
    /// The versions traffic is split over; weights sum to 100.
    public var versions: [ServiceVersion]
    /// Header rules checked in order before the weights; the first match picks its version.
    public var rules: [RouteRule]?
    /// A fixed node port (30000–32767); allocated by Kubernetes when absent.
    public var nodePort: Int?
    /// Who may call; nobody is checked by default.
    public var auth: AuthSpec?
    /// Requests per second per gateway; unlimited by default.
    public var rateLimit: RateLimitSpec?
    /// Body size and time limits per request.
    public var limits: RequestLimits?
    /// Which streaming transports are offered.
    public var streaming: StreamingSpec?
    /// Stop automatically some time after starting.
    public var autoStop: AutoStopSpec?
    /// Scales every version to zero while keeping the objects (phase `Stopped`).
    public var stopped: Bool?
    /// How long a deploy may take before phase `Failed`; 1200 (20 min) by default.
    public var deployTimeoutSeconds: Int?
    /// The rolling-update budget of each version's Deployment (`1` or `"25%"`).
    public var maxUnavailable: IntOrString?
    /// How a version's engine endpoint is picked.
    public var loadBalancing: LoadBalancingSpec?

    public init(
        versions: [ServiceVersion], rules: [RouteRule]? = nil, nodePort: Int? = nil, auth: AuthSpec? = nil,
        rateLimit: RateLimitSpec? = nil, limits: RequestLimits? = nil, streaming: StreamingSpec? = nil,
        autoStop: AutoStopSpec? = nil, stopped: Bool? = nil, deployTimeoutSeconds: Int? = nil,
        maxUnavailable: IntOrString? = nil, loadBalancing: LoadBalancingSpec? = nil
    ) {
        self.versions = versions
        self.rules = rules
        self.nodePort = nodePort
        self.auth = auth
        self.rateLimit = rateLimit
        self.limits = limits
        self.streaming = streaming
        self.autoStop = autoStop
        self.stopped = stopped
        self.deployTimeoutSeconds = deployTimeoutSeconds
        self.maxUnavailable = maxUnavailable
        self.loadBalancing = loadBalancing
    }
}

/// One version of a service: an AIApplication, its share of traffic and its replicas.
public struct ServiceVersion: Codable, Sendable, Hashable {
    /// The AIApplication's name (same namespace); also the version's name in rules and status.
    public var application: String
    /// Percent of the traffic no rule claims (0–100). Defaults to 100 for a single version.
    public var weight: Int?
    /// Engine replicas; 1 by default, 0 allowed (a version that only rules reach is still
    /// routable once scaled up).
    public var replicas: Int?
    /// Overrides fields of the application's resources.
    public var resources: ResourceSpec?
    /// Extra engine environment, added after the application's.
    public var env: [EnvVar]?

    public init(
        application: String, weight: Int? = nil, replicas: Int? = nil, resources: ResourceSpec? = nil,
        env: [EnvVar]? = nil
    ) {
        self.application = application
        self.weight = weight
        self.replicas = replicas
        self.resources = resources
        self.env = env
    }
}

/// A personalised routing rule (ModelArts syntax), e.g. `#HEADER_version == '0.0.1'`.
public struct RouteRule: Codable, Sendable, Hashable {
    /// The condition; see `RoutingRule` for the grammar.
    public var expression: String
    /// The `versions[].application` that matching requests go to.
    public var version: String
    /// Headers added to matching requests before they reach the engine.
    public var headers: [String: String]?

    public init(expression: String, version: String, headers: [String: String]? = nil) {
        self.expression = expression
        self.version = version
        self.headers = headers
    }
}
