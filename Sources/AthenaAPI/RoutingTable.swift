import KubeModel

/// The routing table a gateway serves: which services exist, which engine versions back them and
/// how requests reach those engines.
///
/// The OnlineService reconciler writes it (one file per service, mounted into the gateway sidecar);
/// `athena serve` builds one in memory. Versioned so an old gateway can refuse a file it does not
/// understand instead of silently misrouting.
public struct RoutingTable: Codable, Sendable, Hashable {
    /// The only format version this build understands.
    public static let currentAPIVersion = "athena.dev/routing/v1"

    public var apiVersion: String
    public var services: [ServiceRoute]

    public init(apiVersion: String = RoutingTable.currentAPIVersion, services: [ServiceRoute]) {
        self.apiVersion = apiVersion
        self.services = services
    }

    /// The service named `name`, if any.
    public func service(named name: String) -> ServiceRoute? {
        services.first { $0.name == name }
    }
}

/// One HTTP API over one or more engine versions.
public struct ServiceRoute: Codable, Sendable, Hashable {
    /// The name in the URL (`/v1/private/{name}`, `/v1/infers/{name}`, `/v2/models/{name}/infer`).
    public var name: String
    public var versions: [VersionRoute]
    /// Personalised routing rules, evaluated in order; carried as expression strings.
    public var rules: [RoutingTableRule]
    public var limits: RoutingTableLimits
    public var auth: RoutingTableAuth
    public var rateLimit: RoutingTableRateLimit
    public var loadBalancing: RoutingTableLoadBalancing
    /// Which streaming front-ends the gateway offers (WebSocket sessions, SSE results).
    public var streaming: RoutingTableStreaming

    public init(
        name: String, versions: [VersionRoute], rules: [RoutingTableRule] = [],
        limits: RoutingTableLimits = .init(), auth: RoutingTableAuth = .init(),
        rateLimit: RoutingTableRateLimit = .init(), loadBalancing: RoutingTableLoadBalancing = .init(),
        streaming: RoutingTableStreaming = .init()
    ) {
        self.name = name
        self.versions = versions
        self.rules = rules
        self.limits = limits
        self.auth = auth
        self.rateLimit = rateLimit
        self.loadBalancing = loadBalancing
        self.streaming = streaming
    }

    private enum CodingKeys: String, CodingKey {
        case name, versions, rules, limits, auth, rateLimit, loadBalancing, streaming
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        versions = try c.decode([VersionRoute].self, forKey: .versions)
        rules = try c.decodeIfPresent([RoutingTableRule].self, forKey: .rules) ?? []
        limits = try c.decodeIfPresent(RoutingTableLimits.self, forKey: .limits) ?? .init()
        auth = try c.decodeIfPresent(RoutingTableAuth.self, forKey: .auth) ?? .init()
        rateLimit = try c.decodeIfPresent(RoutingTableRateLimit.self, forKey: .rateLimit) ?? .init()
        loadBalancing = try c.decodeIfPresent(RoutingTableLoadBalancing.self, forKey: .loadBalancing) ?? .init()
        streaming = try c.decodeIfPresent(RoutingTableStreaming.self, forKey: .streaming) ?? .init()
    }
}

// MARK: - Validation

extension RoutingTable {
    /// Semantic problems a decoder cannot see (wrong apiVersion, duplicate names, no endpoints…),
    /// each a sentence naming the field. Empty when the table is usable.
    public func problems() -> [String] {
        var problems: [String] = []
        if apiVersion != Self.currentAPIVersion {
            problems.append("apiVersion: expected \(Self.currentAPIVersion), got \(apiVersion)")
        }
        var seen = Set<String>()
        for (i, service) in services.enumerated() {
            let at = "services[\(i)]"
            if service.name.isEmpty { problems.append("\(at).name: must not be empty") }
            if !seen.insert(service.name).inserted { problems.append("\(at).name: duplicate service \(service.name)") }
            if service.versions.isEmpty { problems.append("\(at).versions: at least one version is required") }
            var versionNames = Set<String>()
            for (j, version) in service.versions.enumerated() {
                let vat = "\(at).versions[\(j)]"
                if !versionNames.insert(version.name).inserted {
                    problems.append("\(vat).name: duplicate version \(version.name)")
                }
                if version.weight < 0 { problems.append("\(vat).weight: must be >= 0") }
                problems += version.endpoints.problems(at: "\(vat).endpoints")
                problems += version.batching.problems(at: "\(vat).batching")
            }
            for (k, rule) in service.rules.enumerated() {
                if !versionNames.contains(rule.version) {
                    problems.append("\(at).rules[\(k)].version: unknown version \(rule.version)")
                }
                do {
                    _ = try RoutingRule(parsing: rule.match)
                } catch {
                    problems.append("\(at).rules[\(k)].match: \(error)")
                }
                for (name, value) in (rule.setHeaders ?? [:]).sorted(by: { $0.key < $1.key }) {
                    if let problem = NameRules.headerName(name) {
                        problems.append("\(at).rules[\(k)].setHeaders.\(name): \(problem)")
                    } else if value.utf8.contains(where: { $0 == 13 || $0 == 10 }) {
                        problems.append("\(at).rules[\(k)].setHeaders.\(name): must not contain line breaks")
                    }
                }
            }
            if service.limits.maxBodyBytes <= 0 { problems.append("\(at).limits.maxBodyBytes: must be > 0") }
            if service.limits.timeoutSeconds <= 0 { problems.append("\(at).limits.timeoutSeconds: must be > 0") }
            if service.loadBalancing.policy == .consistentHash, (service.loadBalancing.header ?? "").isEmpty {
                problems.append("\(at).loadBalancing.header: required for consistent-hash")
            }
            if service.auth.mode != .none, (service.auth.secretFile ?? "").isEmpty {
                problems.append("\(at).auth.secretFile: required when auth.mode is \(service.auth.mode.rawValue)")
            }
            let qps = service.rateLimit.qps
            if !(qps == 0 || (qps >= 0.001 && qps <= 1e9)) {
                problems.append("\(at).rateLimit.qps: must be 0 (no limit) or a number from 0.001 to 1000000000")
            }
            if let burst = service.rateLimit.burst, burst < 1 { problems.append("\(at).rateLimit.burst: must be >= 1") }
        }
        return problems
    }
}
