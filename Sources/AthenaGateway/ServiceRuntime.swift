public import AthenaAPI
import KubeModel
import Synchronization

/// A service of the routing table made ready to serve: its versions with live endpoint sets and
/// compiled schemas. Immutable; a table reload builds new ones (reusing endpoint sets).
public final class ServiceRuntime: Sendable {
    public let route: ServiceRoute
    public let versions: [VersionRuntime]
    /// Who may call it (`auth`).
    let auth: ServiceAuth
    /// `rateLimit.qps`; `nil` without a limit.
    let rateLimiter: RateLimiter?
    private let totalWeight: Int
    /// The table's rules, parsed once; the table was validated on load, so none is dropped here
    /// unless it failed to parse (which validation reports).
    private let rules: [(rule: RoutingRule, version: String, setHeaders: [String: String])]

    init(route: ServiceRoute, versions: [VersionRuntime], auth: ServiceAuth, rateLimiter: RateLimiter?) {
        self.route = route
        self.versions = versions
        self.auth = auth
        self.rateLimiter = rateLimiter
        self.totalWeight = versions.reduce(0) { $0 + max(0, $1.route.weight) }
        self.rules = route.rules.compactMap { spec in
            // Header names lower-cased once: the engine protocol's `headers` map uses lower-case keys.
            let setHeaders = Dictionary((spec.setHeaders ?? [:]).map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
            return (try? RoutingRule(parsing: spec.match)).map { (rule: $0, version: spec.version, setHeaders: setHeaders) }
        }
    }

    /// The version the first matching personalised routing rule (ModelArts `#HEADER_…` syntax)
    /// sends a request with these headers to, and the headers it adds to the request sent on
    /// (`setHeaders`, lower-case names: ModelArts' "custom run parameters" of a personalised
    /// configuration); `nil` when no rule matches.
    public func routeByRules(header: (String) -> String?) -> (version: VersionRuntime, setHeaders: [String: String])? {
        for entry in rules where entry.rule.evaluate(header) {
            if let version = version(named: entry.version) { return (version, entry.setHeaders) }
        }
        return nil
    }

    public var name: String { route.name }

    /// Why `request` is turned away before any work (auth, then the rate limit: a caller without
    /// credentials must not use up the service's budget), or `nil`.
    func refusal(_ request: GatewayHTTPRequest) -> GatewayError? {
        if let denied = auth.refusal(request) { return denied }
        if let limiter = rateLimiter, let wait = limiter.admit() {
            let seconds = max(1, Int(wait.seconds.rounded(.up)))
            return GatewayError(.rateLimited, "rate limit of \(limiter.qps.plainText) requests/s exceeded; retry later",
                                headers: [(name: "retry-after", value: String(seconds))])
        }
        return nil
    }

    /// Where a request goes: the version the URL names (OIP), else the first matching rule's
    /// (with the headers it adds), else one by weight. Once requests and streams alike.
    func destination(_ request: GatewayHTTPRequest, versionNamed name: String? = nil) -> (version: VersionRuntime?, ruleHeaders: [String: String]) {
        if let name { return (version(named: name), [:]) }
        if let matched = routeByRules(header: { request.headers.first(name: $0) }) { return (matched.version, matched.setHeaders) }
        return (pickVersion(), [:])
    }

    /// The value of the consistent-hash header, if the service balances on one.
    func hashKey(_ request: GatewayHTTPRequest) -> String? {
        route.loadBalancing.header.flatMap { request.headers.first(name: $0) }
    }

    /// `limits.timeoutSeconds`: a once request's deadline, a stream's idle timeout.
    var timeout: Duration { .milliseconds(Int64(route.limits.timeoutSeconds * 1000)) }

    /// The version for a request: weighted random among versions (gray release). Rules come first:
    /// see ``routeByRules(header:)``.
    public func pickVersion(random: Int? = nil) -> VersionRuntime? {
        guard !versions.isEmpty else { return nil }
        guard totalWeight > 0, versions.count > 1 else { return versions[0] }
        var ticket = (random ?? Int(truncatingIfNeeded: Self.nextTicket() & UInt64(Int.max))) % totalWeight
        for version in versions {
            let weight = max(0, version.route.weight)
            if ticket < weight { return version }
            ticket -= weight
        }
        return versions[versions.count - 1]
    }

    private static let tickets = Atomic<UInt64>(UInt64.random(in: 0...UInt64.max))

    /// A well-spread number per call without a `getrandom` system call per request (splitmix64
    /// over a shared counter): enough for splitting traffic by weight.
    private static func nextTicket() -> UInt64 {
        var z = tickets.wrappingAdd(0x9e37_79b9_7f4a_7c15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The version called `name`.
    public func version(named name: String) -> VersionRuntime? {
        versions.first { $0.route.name == name }
    }
}

/// One version of a service: endpoints and schemas.
public final class VersionRuntime: Sendable {
    public let route: VersionRoute
    public let endpoints: EndpointSet
    let parameterSchema: APISchema?
    let payloadSchema: APISchema?
    let modelArtsSchema: APISchema?
    /// The kind each payload data id carries, read from the payload schema (`payload.image.image`
    /// → image), so protocols without a kind (KServe, OIP) still send the right frame type.
    let payloadKinds: [String: EngineItem.Kind]

    init(route: VersionRoute, endpoints: EndpointSet) {
        self.route = route
        self.endpoints = endpoints
        parameterSchema = route.schema?.parameter.map(APISchema.init(json:))
        payloadSchema = route.schema?.payload.map(APISchema.init(json:))
        modelArtsSchema = route.schema?.apis?.arrayValue?.first?[path: ["request", "data"]].map(APISchema.init(json:))
        var kinds: [String: EngineItem.Kind] = [:]
        for (dataID, item) in route.schema?.payload?["properties"]?.objectValue ?? [:] {
            let fields = item["properties"]?.objectValue?.keys.compactMap(EngineItem.Kind.init(fieldName:)) ?? []
            if let kind = fields.first { kinds[dataID] = kind }
        }
        payloadKinds = kinds
    }

    public var name: String { route.name }
}
