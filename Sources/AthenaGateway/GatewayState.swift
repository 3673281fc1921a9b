public import AthenaAPI
import Logging

/// Everything a request needs, built from one routing table. Swapped whole on reload, so a
/// request sees one consistent table from start to end.
public final class GatewayState: Sendable {
    public let table: RoutingTable
    public let services: [String: ServiceRuntime]
    /// The largest body any service accepts: the HTTP server stops reading beyond it.
    public let maxBodyBytes: Int

    init(table: RoutingTable, services: [String: ServiceRuntime]) {
        self.table = table
        self.services = services
        self.maxBodyBytes = services.values.map(\.route.limits.maxBodyBytes).max() ?? RoutingTableLimits().maxBodyBytes
    }

    /// Builds the runtime for `table`, reusing endpoint sets (and so engine connections and
    /// health counters) from `previous` where a version's wiring did not change. Returns the
    /// engines no longer used, to shut down.
    static func build(
        table: RoutingTable, previous: GatewayState?, factory: any EngineFactory
    ) throws -> (state: GatewayState, retired: [any Engine]) {
        var services: [String: ServiceRuntime] = [:]
        var reused = Set<ObjectIdentifier>()
        // Credentials first: a table refused for them must not have touched the live endpoint sets.
        let auths = try table.services.map { try ServiceAuth($0.auth) }
        for (service, auth) in zip(table.services, auths) {
            var versions: [VersionRuntime] = []
            for version in service.versions {
                let old = previous?.services[service.name]?.version(named: version.name)
                let endpoints: EndpointSet
                if let old, Self.sameWiring(old.route, version),
                    old.endpoints.balancing == service.loadBalancing
                {
                    endpoints = old.endpoints
                    reused.insert(ObjectIdentifier(endpoints))
                } else {
                    endpoints = EndpointSet(balancing: service.loadBalancing, maxConcurrency: version.maxConcurrency)
                }
                if let list = version.endpoints.static {
                    let addresses = list.compactMap(HostPort.init(parsing:))
                    try endpoints.setEndpoints(addresses) { try factory.makeEngine(endpoint: $0, version: version) }
                }
                versions.append(VersionRuntime(route: version, endpoints: endpoints))
            }
            let limit = service.rateLimit
            var limiter: RateLimiter?
            if limit.qps > 0 {
                // A reload that keeps the limit keeps the bucket: editing weights must not refill it.
                let old = previous?.services[service.name]?.rateLimiter
                limiter = old.flatMap { $0.hasLimits(qps: limit.qps, burst: limit.burst) ? $0 : nil }
                    ?? RateLimiter(qps: limit.qps, burst: limit.burst)
            }
            services[service.name] = ServiceRuntime(route: service, versions: versions, auth: auth, rateLimiter: limiter)
        }
        var retired: [any Engine] = []
        for service in previous?.services.values.map({ $0 }) ?? [] {
            for version in service.versions where !reused.contains(ObjectIdentifier(version.endpoints)) {
                retired += version.endpoints.engines.map(\.1)
            }
        }
        return (GatewayState(table: table, services: services), retired)
    }

    /// Same engines, limits and batching: the endpoint set (connections, health) can be kept.
    private static func sameWiring(_ a: VersionRoute, _ b: VersionRoute) -> Bool {
        a.protocol == b.protocol && a.http == b.http && a.maxConcurrency == b.maxConcurrency && a.batching == b.batching
            && a.endpoints.dns == b.endpoints.dns && (a.endpoints.static == nil) == (b.endpoints.static == nil)
    }
}
