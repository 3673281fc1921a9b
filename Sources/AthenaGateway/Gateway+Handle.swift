import AthenaAPI
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// The request path, independent of the HTTP server that delivered the request: routing,
/// metrics, access log and errors as ASE responses. Both the NIO HTTP/1.1 handler (production)
/// and the Hummingbird router adapter (tests, `.test(.router)`) call `handle(_:)`.
extension Gateway {
    /// Answers one complete request. Never throws: every failure is an ASE error response.
    public func handle(_ request: GatewayHTTPRequest) async -> GatewayHTTPResponse {
        // A stream is counted as a session when it ends, not as a request (see GatewayMetrics).
        if let streaming = streamingAnswer(request) { return streaming }
        let start = ContinuousClock.now
        metrics.inflight.increment()
        let sid = SessionID.next()
        var response: GatewayHTTPResponse
        do {
            response = try await route(request, sid: sid)
        } catch let error as GatewayError {
            response = .error(error, sid: sid)
        } catch {
            response = .error(GatewayError(.internalError, "internal error: \(error)"), sid: sid)
        }
        return completed(response, request, sid: sid, since: start)
    }

    /// The last step of every request, however it ran: the sid on the answer, metrics, the
    /// access log (balances the `inflight` increment made when the request began).
    /// `consuming`: the answer is moved through, not copied (a copy retains each of its fields).
    func completed(_ response: consuming GatewayHTTPResponse, _ request: GatewayHTTPRequest, sid: String, since start: ContinuousClock.Instant) -> GatewayHTTPResponse {
        response.sid = sid
        metrics.inflight.decrement()
        finished(request, response, since: start)
        return response
    }

    /// Metrics by service/version and one access-log line (never payloads or headers).
    private func finished(_ request: GatewayHTTPRequest, _ response: GatewayHTTPResponse, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let nanoseconds = TimeAmount(elapsed).nanoseconds
        if let service = response.service {
            metrics.requestFinished(
                service: service, version: response.version ?? "", status: response.status.code,
                nanoseconds: nanoseconds, requestBytes: request.body.readableBytes, responseBytes: response.body.readableBytes)
        }
        if options.logger.logLevel <= .info {
            accessLog.record(request, response, nanoseconds: nanoseconds)
        }
    }

    // MARK: - Routing

    /// Every route of the gateway: inference `POST`s (``inferenceTarget(_:parts:)``), then the
    /// operational routes. Unknown paths → 404, known paths with another method → 405, both as
    /// ASE errors.
    func route(_ request: GatewayHTTPRequest, sid: String) async throws -> GatewayHTTPResponse {
        let parts = PathSegments(request.path)
        if let (frontEnd, service) = Self.inferenceTarget(request, parts: parts) {
            return await serve(frontEnd, request, sid: sid, service: service)
        }
        let get = request.method == "GET"
        switch parts.count {
        case 0:
            if get { return GatewayHTTPResponse(contentType: "text/html; charset=utf-8", body: TestPage.render(state.table)) }
        case 1:
            switch parts[0] {
            case "healthz" where get: return healthResponse()
            case "readyz" where get: return await readyResponse()
            case "metrics" where get:
                guard let text = options.metricsText else { throw GatewayError(.notFound, "metrics are not enabled in this process") }
                return GatewayHTTPResponse(contentType: "text/plain; version=0.0.4", body: ByteBuffer(string: text()))
            case "openapi.json" where get: return GatewayHTTPResponse(body: OpenAPIDocument.render(state.table))
            case "v2" where get: return .json("{\"name\":\"athena-gateway\",\"version\":\"1\",\"extensions\":[]}")
            case "healthz", "readyz", "metrics", "openapi.json", "v2": throw methodNotAllowed(request)
            default: break
            }
        case 2:
            if parts[0] == "v1" { throw methodNotAllowed(request) }
        case 3:
            switch (parts[0], parts[1]) {
            case ("v1", "private"), ("v1", "infers"):
                throw methodNotAllowed(request)
            case ("v1", "models"):
                let last = parts[2]
                if last.hasSuffix(":predict") { throw methodNotAllowed(request) }
                if get { return try await modelStatus(name: String(last), kserve: true, sid: sid, request: request) }
                throw methodNotAllowed(request)
            case ("v2", "models"):
                if get { return try await modelStatus(name: String(parts[2]), kserve: false, sid: sid, request: request) }
                throw methodNotAllowed(request)
            case ("v2", "health"):
                if parts[2] == "live" {
                    if get { return .json("{\"live\":true}") }
                    throw methodNotAllowed(request)
                }
                if parts[2] == "ready" {
                    if get { return await readyResponse() }
                    throw methodNotAllowed(request)
                }
            default: break
            }
        case 4 where parts[0] == "v2" && parts[1] == "models":
            if parts[3] == "infer" { throw methodNotAllowed(request) }
            if parts[3] == "ready" {
                if get { return try await modelReady(name: String(parts[2]), request: request) }
                throw methodNotAllowed(request)
            }
        case 6 where parts[0] == "v2" && parts[1] == "models" && parts[3] == "versions" && parts[5] == "infer":
            throw methodNotAllowed(request)
        default:
            break
        }
        throw GatewayError(.notFound, "no route for \(request.method) \(request.path)")
    }

    private func methodNotAllowed(_ request: GatewayHTTPRequest) -> GatewayError {
        GatewayError(.methodNotAllowed, "\(request.method) is not allowed on \(request.path)")
    }

    private func modelReady(name: String, request: GatewayHTTPRequest) async throws -> GatewayHTTPResponse {
        guard let service = state.services[name] else { throw GatewayError(.notFound, "unknown model \(name)") }
        if let refused = service.auth.refusal(request) { throw refused }
        let ready = await readiness(services: [service]).isEmpty
        var w = JSONWriter()
        w.raw("{\"name\":")
        w.string(name)
        w.raw(",\"ready\":")
        w.raw(ready ? "true}" : "false}")
        return GatewayHTTPResponse(status: ready ? .ok : .serviceUnavailable, body: w.buffer)
    }
}
