import AthenaAPI
import Hummingbird
import HTTPTypes
import NIOCore

extension Gateway {
    typealias Context = GatewayRequestContext

    /// All routes: protocol front-ends, health, metrics, OpenAPI and the test page. Middleware
    /// order: access log/metrics (outermost) → [auth, rate limit: next] → errors as ASE responses.
    public func makeRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: AccessLogMiddleware(metrics: metrics, logger: options.logger))
        router.add(middleware: ErrorMiddleware())

        // ASE
        router.post("/v1/private/:service") { request, context in
            try await self.serveASE(request, context: context, service: context.parameters.require("service"))
        }
        router.post("/v1/:service") { request, context in
            try await self.serveASE(request, context: context, service: context.parameters.require("service"))
        }
        // ModelArts
        router.post("/v1/infers/:service") { request, context in
            let name = try context.parameters.require("service")
            return await self.serve(request, context: context, service: name) { service, version, body, deadline in
                let engineRequest = try ModelArtsCodec.decode(body, contentType: request.headers[.contentType], service: name, sid: context.sid, version: version)
                let response = try await self.call(engineRequest, request: request, service: service, version: version, deadline: deadline)
                let (out, type) = ModelArtsCodec.encode(response)
                return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: out))
            }
        }
        // KServe v1
        router.post("/v1/models/{name}:predict") { request, context in
            let name = try context.parameters.require("name")
            return await self.serve(request, context: context, service: name) { service, version, body, deadline in
                let calls = try KServeCodec.decode(body, service: name, sid: context.sid, version: version)
                var responses: [EngineResponse] = []
                for call in calls {
                    responses.append(try await self.call(call, request: request, service: service, version: version, deadline: deadline))
                }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: KServeCodec.encode(responses)))
            }
        }
        router.get("/v1/models/:name") { request, context in
            try await self.modelStatus(context: context, name: context.parameters.require("name"), kserve: true)
        }
        // Open Inference Protocol v2
        router.post("/v2/models/:name/infer") { request, context in
            try await self.serveOIP(request, context: context, name: context.parameters.require("name"), version: nil)
        }
        router.post("/v2/models/:name/versions/:version/infer") { request, context in
            try await self.serveOIP(request, context: context, name: context.parameters.require("name"), version: context.parameters.require("version"))
        }
        router.get("/v2/models/:name") { request, context in
            try await self.modelStatus(context: context, name: context.parameters.require("name"), kserve: false)
        }
        router.get("/v2/models/:name/ready") { request, context in
            let name = try context.parameters.require("name")
            guard let service = self.state.services[name] else { throw GatewayError(.notFound, "unknown model \(name)") }
            let ready = await self.readiness(services: [service]).isEmpty
            return Response(status: ready ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: "{\"name\":\"\(name)\",\"ready\":\(ready)}")))
        }
        router.get("/v2/health/live") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"live\":true}"))) }
        router.get("/v2/health/ready") { _, _ in await self.readyResponse() }
        router.get("/v2") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{\"name\":\"athena-gateway\",\"version\":\"1\",\"extensions\":[]}")))
        }
        // Operations
        router.get("/healthz") { _, _ in self.healthResponse() }
        router.get("/readyz") { _, _ in await self.readyResponse() }
        router.get("/metrics") { _, _ in
            guard let text = self.options.metricsText else { throw GatewayError(.notFound, "metrics are not enabled in this process") }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text())))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: OpenAPIDocument.render(self.state.table)))
        }
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: TestPage.render(self.state.table)))
        }
        return router
    }

    // MARK: - Shared request path

    /// Resolves the service and version, reads the body within the limit and answers errors as
    /// ASE responses labelled with service and version (for metrics and logs).
    func serve(
        _ request: Request, context: Context, service name: String, versionName: String? = nil,
        _ handler: (ServiceRuntime, VersionRuntime, ByteBuffer, ContinuousClock.Instant) async throws -> Response
    ) async -> Response {
        guard let service = state.services[name] else {
            return ErrorMiddleware.response(GatewayError(.notFound, "unknown service \(name)"), sid: context.sid)
        }
        let picked = versionName.map { service.version(named: $0) }
            ?? service.versionByRules(header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } })
            ?? service.pickVersion()
        guard let version = picked else {
            return ErrorMiddleware.response(GatewayError(.notFound, "service \(name) has no version \(versionName ?? "")"), sid: context.sid, service: name)
        }
        do {
            let limit = service.route.limits.maxBodyBytes
            if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
                throw GatewayError(.bodyTooLarge, "request body of \(length) bytes exceeds the limit of \(limit) bytes")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limit)
            } catch is NIOTooManyBytesError {
                throw GatewayError(.bodyTooLarge, "request body exceeds the limit of \(limit) bytes")
            }
            let timeout = Duration.milliseconds(Int64(service.route.limits.timeoutSeconds * 1000))
            var response = try await handler(service, version, body, .now + timeout)
            response.headers[GatewayHeaders.sid] = context.sid
            response.headers[GatewayHeaders.service] = name
            response.headers[GatewayHeaders.version] = version.name
            response.headers[GatewayHeaders.code] = "0"
            return response
        } catch let error as GatewayError {
            return ErrorMiddleware.response(error, sid: context.sid, service: name, version: version.name)
        } catch {
            return ErrorMiddleware.response(GatewayError(.internalError, "internal error: \(error)"), sid: context.sid, service: name, version: version.name)
        }
    }

    /// Calls the engine; a non-zero wrapper code becomes an error with that code.
    func call(
        _ engineRequest: EngineRequest, request: Request, service: ServiceRuntime, version: VersionRuntime,
        deadline: ContinuousClock.Instant
    ) async throws -> EngineResponse {
        let hashKey = service.route.loadBalancing.header.flatMap { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
        let response = try await Dispatcher(metrics: metrics).call(engineRequest, service: service, version: version, hashKey: hashKey, deadline: deadline)
        if response.code != 0 { throw GatewayError(engineCode: response.code, message: response.message) }
        return response
    }

    private func serveASE(_ request: Request, context: Context, service name: String) async throws -> Response {
        await serve(request, context: context, service: name) { service, version, body, deadline in
            let engineRequest = try ASECodec.decode(body, service: name, sid: context.sid, version: version)
            let response = try await self.call(engineRequest, request: request, service: service, version: version, deadline: deadline)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ASECodec.encode(response, sid: engineRequest.sid)))
        }
    }

    private func serveOIP(_ request: Request, context: Context, name: String, version versionName: String?) async throws -> Response {
        await serve(request, context: context, service: name, versionName: versionName) { service, version, body, deadline in
            let (engineRequest, id) = try OIPCodec.decode(body, service: name, sid: context.sid, version: version)
            let response = try await self.call(engineRequest, request: request, service: service, version: version, deadline: deadline)
            let out = OIPCodec.encode(response, model: name, version: version.name, id: id ?? context.sid)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: out))
        }
    }
}
