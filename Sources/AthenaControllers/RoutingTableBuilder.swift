import Foundation
import AthenaAPI

/// Builds the gateway's routing table (G2's `RoutingTable`) for one OnlineService and the ConfigMap
/// holding it. Every gateway of the service gets the same table: versions with their weights, each
/// version's engines reached through the DNS name of its headless Service, so any pod can route to
/// any version.
enum RoutingTableBuilder {
    static let dnsRefreshSeconds = 10.0

    /// The application's batching over the routing table's defaults.
    static func batching(_ spec: BatchingSpec?) -> EngineBatching {
        var batching = EngineBatching()
        if let size = spec?.maxBatchSize { batching.maxBatchSize = size }
        if let calls = spec?.maxCallsInFlight { batching.maxCallsInFlight = calls }
        if let delay = spec?.maxDelayMicroseconds { batching.maxDelayMicroseconds = delay }
        return batching
    }

    static func table(_ plans: [VersionPlan], service: OnlineService, options: BuildOptions) -> RoutingTable {
        let spec = service.spec
        let name = service.metadata.name ?? ""
        let namespace = service.metadata.namespace ?? "default"
        let versions = plans.map { plan in
            let engineService = ChildNames.engineService(service: name, application: plan.applicationName)
            return VersionRoute(
                name: plan.applicationName,
                application: plan.applicationName,
                weight: plan.version.weight ?? (plans.count == 1 ? 100 : 0),
                protocol: plan.engineProtocol == .http ? .http : .grpc,
                endpoints: RoutingTableEndpoints(dns: .init(
                    name: "\(engineService).\(namespace).svc.\(options.clusterDomain)",
                    port: plan.enginePort, refreshSeconds: dnsRefreshSeconds)),
                http: plan.engineProtocol == .http ? httpShape(plan) : nil,
                schema: plan.spec.apis.flatMap { apis in JSON.encode(apis).map { RoutingTableSchema(apis: $0) } },
                batching: batching(plan.spec.runtime?.batching)
            )
        }
        let rules = (spec.rules ?? []).map {
            RoutingTableRule(match: $0.expression, version: $0.version, setHeaders: $0.headers)
        }
        var limits = RoutingTableLimits()
        if let maxBody = spec.limits?.maxBodyBytes { limits.maxBodyBytes = maxBody }
        if let timeout = spec.limits?.timeoutSeconds { limits.timeoutSeconds = Double(timeout) }
        var auth = RoutingTableAuth()
        if let mode = spec.auth?.mode { auth.mode = RoutingTableAuth.Mode(rawValue: mode.rawValue) ?? .none }
        if spec.auth?.secretRef != nil { auth.secretFile = ChildNames.authMountPath }
        var loadBalancing = RoutingTableLoadBalancing()
        if let policy = spec.loadBalancing?.policy {
            loadBalancing.policy = RoutingTableLoadBalancing.Policy(rawValue: policy.rawValue) ?? .leastInflight
        }
        loadBalancing.header = spec.loadBalancing?.hashHeader
        let route = ServiceRoute(
            name: name, versions: versions, rules: rules, limits: limits, auth: auth,
            rateLimit: RoutingTableRateLimit(qps: Double(spec.rateLimit?.qps ?? 0)), loadBalancing: loadBalancing,
            streaming: RoutingTableStreaming(websocket: spec.streaming?.websocket ?? true, sse: spec.streaming?.sse ?? true)
        )
        return RoutingTable(services: [route])
    }

    /// For HTTP engines: where to POST (the application's first API) and the health path (its readiness probe).
    static func httpShape(_ plan: VersionPlan) -> HTTPEngineShape {
        let api = plan.spec.apis?.first
        return HTTPEngineShape(
            path: api?.url ?? ModelAPI.defaultURL,
            method: api?.method ?? ModelAPI.defaultMethod,
            contentType: api?.request?.contentType ?? ModelAPIMessage.defaultContentType,
            healthPath: plan.spec.health?.readiness?.httpGet?.path
        )
    }

    /// The table as pretty JSON (a YAML subset, so the file keeps its `routing.yaml` name) with
    /// sorted keys, so an unchanged table always gives the same bytes. JSON rather than Yams output
    /// because Yams writes a `Double` such as 40 as `4e+1`, which YAML 1.1 readers take for a string.
    static func yaml(_ table: RoutingTable) throws(BuildError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(table), as: UTF8.self) + "\n"
        } catch {
            throw BuildError("cannot encode the routing table: \(error)")
        }
    }

    static func configMap(_ plans: [VersionPlan], service: OnlineService, owner: Owner, options: BuildOptions) throws(BuildError) -> JSONValue {
        let name = service.metadata.name ?? ""
        let text = try yaml(table(plans, service: service, options: options))
        return [
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": owner.metadata(
                name: ChildNames.routingConfigMap(service: name),
                labels: ChildNames.labels(service: name, component: "routing")),
            "data": .object([ChildNames.routingFile: .string(text)]),
        ]
    }
}
