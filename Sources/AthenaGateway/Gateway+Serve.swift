import AthenaAPI
import NIOCore
import NIOHTTP1

/// The inference routes: one protocol front-end each, all converted into engine calls.
extension Gateway {
    /// The client protocol of an inference request.
    enum FrontEnd: Sendable {
        case ase
        case modelArts
        case kserve
        /// Open Inference Protocol v2; `version` when the URL names one.
        case oip(version: String?)
    }

    /// Resolves the service and version (URL → rules → weights), checks the body limit, sets the
    /// deadline, decodes, calls the engine(s) and encodes. Errors become ASE responses labelled
    /// with service and version (for metrics and logs).
    func serve(_ frontEnd: FrontEnd, _ request: GatewayHTTPRequest, sid: String, service name: String) async -> GatewayHTTPResponse {
        guard let service = state.services[name] else {
            return .error(GatewayError(.notFound, "unknown service \(name)"), sid: sid)
        }
        var versionName: String?
        if case .oip(let named) = frontEnd { versionName = named }
        let picked = versionName.map { service.version(named: $0) }
            ?? service.versionByRules(header: { request.headers.first(name: $0) })
            ?? service.pickVersion()
        guard let version = picked else {
            return .error(GatewayError(.notFound, "service \(name) has no version \(versionName ?? "")"), sid: sid, service: name)
        }
        do {
            let limit = service.route.limits.maxBodyBytes
            let body = request.body
            if body.readableBytes > limit {
                throw GatewayError(.bodyTooLarge, "request body of \(body.readableBytes) bytes exceeds the limit of \(limit) bytes")
            }
            let deadline = ContinuousClock.now + .milliseconds(Int64(service.route.limits.timeoutSeconds * 1000))
            var response: GatewayHTTPResponse
            switch frontEnd {
            case .ase:
                let engineRequest = try ASECodec.decode(body, service: name, sid: sid, version: version)
                let answer = try await call(engineRequest, request, service: service, version: version, deadline: deadline)
                response = GatewayHTTPResponse(body: ASECodec.encode(answer, sid: engineRequest.sid))
            case .modelArts:
                let engineRequest = try ModelArtsCodec.decode(
                    body, contentType: request.headers.first(name: "content-type"), service: name, sid: sid, version: version)
                let answer = try await call(engineRequest, request, service: service, version: version, deadline: deadline)
                let (out, type) = ModelArtsCodec.encode(answer)
                response = GatewayHTTPResponse(contentType: type, body: out)
            case .kserve:
                let calls = try KServeCodec.decode(body, service: name, sid: sid, version: version)
                var answers: [EngineResponse] = []
                answers.reserveCapacity(calls.count)
                for engineRequest in calls {
                    answers.append(try await call(engineRequest, request, service: service, version: version, deadline: deadline))
                }
                response = GatewayHTTPResponse(body: KServeCodec.encode(answers))
            case .oip:
                let (engineRequest, id) = try OIPCodec.decode(body, service: name, sid: sid, version: version)
                let answer = try await call(engineRequest, request, service: service, version: version, deadline: deadline)
                response = GatewayHTTPResponse(body: OIPCodec.encode(answer, model: name, version: version.name, id: id ?? sid))
            }
            response.service = name
            response.version = version.name
            response.code = 0
            return response
        } catch let error as GatewayError {
            return .error(error, sid: sid, service: name, version: version.name)
        } catch {
            return .error(GatewayError(.internalError, "internal error: \(error)"), sid: sid, service: name, version: version.name)
        }
    }

    /// Calls the engine; a non-zero wrapper code becomes an error with that code.
    func call(
        _ engineRequest: EngineRequest, _ request: GatewayHTTPRequest, service: ServiceRuntime, version: VersionRuntime,
        deadline: ContinuousClock.Instant
    ) async throws -> EngineResponse {
        let hashKey = service.route.loadBalancing.header.flatMap { request.headers.first(name: $0) }
        let response = try await Dispatcher(metrics: metrics).call(engineRequest, service: service, version: version, hashKey: hashKey, deadline: deadline)
        if response.code != 0 { throw GatewayError(engineCode: response.code, message: response.message) }
        return response
    }
}
