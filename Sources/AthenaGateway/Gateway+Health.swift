import AthenaAPI
import KubeModel
import NIOCore

extension Gateway {
    /// `/healthz`: the process is alive; reports whether the routing-table file in use is the one
    /// on disk (a rejected reload shows here with its reason).
    func healthResponse() -> GatewayHTTPResponse {
        let problem = configProblem.withLock { $0 }
        var w = JSONWriter()
        w.raw("{\"status\":\"ok\",\"config\":{\"valid\":")
        w.raw(problem == nil ? "true" : "false")
        if let problem {
            w.raw(",\"error\":")
            w.string(problem)
        }
        w.raw(",\"services\":")
        w.int(state.services.count)
        w.raw("}}")
        return GatewayHTTPResponse(body: w.buffer)
    }

    /// `/readyz` and `/v2/health/ready`: ready only when every version taking traffic has at
    /// least one endpoint passing its active health check.
    func readyResponse() async -> GatewayHTTPResponse {
        let reasons = await readiness(services: Array(state.services.values))
        var w = JSONWriter()
        w.raw("{\"ready\":")
        w.raw(reasons.isEmpty ? "true" : "false")
        if !reasons.isEmpty {
            w.raw(",\"reasons\":")
            w.value(.array(reasons.map { .string($0) }))
        }
        w.raw("}")
        return GatewayHTTPResponse(status: reasons.isEmpty ? .ok : .serviceUnavailable, body: w.buffer)
    }

    /// Why the services are not ready; empty when they are.
    func readiness(services: [ServiceRuntime]) async -> [String] {
        if services.isEmpty { return ["no service in the routing table"] }
        var reasons: [String] = []
        for service in services.sorted(by: { $0.name < $1.name }) {
            let live = service.versions.filter { $0.route.weight > 0 }
            for version in live.isEmpty ? Array(service.versions.prefix(1)) : live {
                let engines = version.endpoints.engines
                if engines.isEmpty {
                    reasons.append("\(service.name)/\(version.name): no endpoints")
                    continue
                }
                let healthy = await withTaskGroup(of: Bool.self) { group in
                    for (_, engine) in engines { group.addTask { await engine.checkHealth(timeout: .seconds(1)) } }
                    for await ok in group where ok {
                        group.cancelAll()
                        return true
                    }
                    return false
                }
                if !healthy { reasons.append("\(service.name)/\(version.name): no healthy engine endpoint (\(engines.count) checked)") }
            }
        }
        return reasons
    }

    /// `GET /v1/models/{name}` (KServe v1) and `GET /v2/models/{name}` (OIP metadata).
    func modelStatus(name: String, kserve: Bool, sid: String, request: GatewayHTTPRequest) async throws -> GatewayHTTPResponse {
        guard let service = state.services[name] else { throw GatewayError(.notFound, "unknown model \(name)") }
        if let refused = service.auth.refusal(request) { throw refused }
        var w = JSONWriter()
        if kserve {
            let ready = await readiness(services: [service]).isEmpty
            w.raw("{\"name\":")
            w.string(name)
            w.raw(",\"ready\":")
            w.raw(ready ? "true" : "false")
            w.raw("}")
        } else {
            let inputs = Set(service.versions.flatMap { $0.route.schema?.payload?["properties"]?.objectValue?.keys.map { $0 } ?? [] }).sorted()
            let tensors: [JSONValue] = inputs.map { ["name": .string($0), "datatype": "BYTES", "shape": [1]] }
            let doc: JSONValue = [
                "name": .string(name),
                "versions": .array(service.versions.map { .string($0.name) }),
                "platform": "athena",
                "inputs": .array(tensors),
                "outputs": .array([]),
            ]
            w.value(doc)
        }
        return GatewayHTTPResponse(body: w.buffer)
    }
}
