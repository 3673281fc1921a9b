import AthenaAPI
import NIOCore

/// The streaming front-ends' entry: the checks a WebSocket upgrade or an SSE request passes
/// before any frame is read, shared by both (``StreamingSession`` runs what follows).
extension Gateway {
    /// A streaming transport of the ASE protocol.
    enum StreamTransport: String, Sendable {
        /// Session frames over a WebSocket on the ASE path (`GET` + `Upgrade: websocket`).
        case websocket
        /// The results of one ASE request as server-sent events (`POST` + `Accept: text/event-stream`).
        case sse
    }

    /// Where a stream goes, decided from the request that opens it (the upgrade request's
    /// headers for a WebSocket): service, version, the headers a routing rule adds, the hash key.
    struct StreamTarget: Sendable {
        let transport: StreamTransport
        /// The request path (for the access log).
        let path: String
        let sid: String
        let service: ServiceRuntime
        let version: VersionRuntime
        let ruleHeaders: [String: String]
        let hashKey: String?
        /// The service timeout: a stream that shows no activity either way for this long ends.
        let idleTimeout: Duration
    }

    /// What the checks before a stream made of its opening request.
    enum StreamStart: Sendable {
        case target(StreamTarget)
        /// The answer instead of a stream (an ASE error).
        case refused(GatewayHTTPResponse)
    }

    /// Whether `request` asks for a WebSocket (RFC 6455 §4.2.1: a `GET` with `Upgrade: websocket`
    /// and `Connection: upgrade`).
    static func isWebSocketUpgrade(_ request: GatewayHTTPRequest) -> Bool {
        guard request.method == "GET" else { return false }
        let upgrade = request.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
        let connection = request.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
        return upgrade && connection
    }

    /// Whether an ASE `POST` asks for its results as server-sent events (`Accept` starting with
    /// `text/event-stream`). On every POST's path: no allocation unless it does.
    static func wantsEventStream(_ request: GatewayHTTPRequest) -> Bool {
        guard let accept = request.headers.first(name: "accept") else { return false }
        return ASCIIBytes.hasPrefix(accept, lowercase: "text/event-stream")
    }

    /// The ASE service a streaming request targets (`/v1/private/{service}` or `/v1/{service}`).
    static func streamService(path: String) -> String? {
        let parts = PathSegments(path)
        switch parts.count {
        case 2 where parts.segment(0, is: "v1"): return String(parts[1])
        case 3 where parts.segment(0, is: "v1") && parts.segment(1, is: "private"): return String(parts[2])
        default: return nil
        }
    }

    /// The checks before a stream starts, in the order a once request meets them: the service,
    /// whether it offers this transport, auth and the rate limit (a stream counts as one
    /// request), the version (URL → rules → weights). An error is the ASE answer to send
    /// instead (as an HTTP response: the WebSocket is not open yet).
    func streamTarget(_ transport: StreamTransport, _ request: GatewayHTTPRequest, sid: String) -> StreamStart {
        guard let name = Self.streamService(path: request.path) else {
            return .refused(.error(GatewayError(.notFound, "no streaming route \(request.path): sessions use /v1/private/{service}"), sid: sid))
        }
        guard let service = service(named: name) else {
            return .refused(.error(GatewayError(.notFound, "unknown service \(name)"), sid: sid))
        }
        let offered = transport == .websocket ? service.route.streaming.websocket : service.route.streaming.sse
        guard offered else {
            let what = transport == .websocket ? "WebSocket sessions" : "server-sent events"
            return .refused(.error(GatewayError(.invalidRequest, "service \(name) does not offer \(what) (spec.streaming.\(transport.rawValue) is false)"),
                                   sid: sid, service: name))
        }
        if let refused = service.refusal(request) {
            return .refused(.error(refused, sid: sid, service: name))
        }
        let (picked, ruleHeaders) = service.destination(request)
        guard let version = picked else {
            return .refused(.error(GatewayError(.notFound, "service \(name) has no version"), sid: sid, service: name))
        }
        return .target(StreamTarget(
            transport: transport, path: request.path, sid: sid, service: service, version: version, ruleHeaders: ruleHeaders,
            hashKey: service.hashKey(request), idleTimeout: service.timeout))
    }

    /// The answer to a request for a stream (an ASE `POST` asking for server-sent events), or
    /// `nil` for any other request. WebSocket upgrades are taken by the HTTP server before this.
    func streamingAnswer(_ request: GatewayHTTPRequest) -> GatewayHTTPResponse? {
        guard request.method == "POST", Self.wantsEventStream(request), Self.streamService(path: request.path) != nil else { return nil }
        return eventStream(request, sid: SessionID.next())
    }

    /// An ASE request whose results go out as server-sent events, one `data:` event per result
    /// (the ASE response JSON; `header.status` 2 or 3 on the last), as the engine session
    /// produces them. A request refused before the stream starts (unknown service, auth, bad
    /// body) gets its ASE error as a plain HTTP answer, like a once request.
    func eventStream(_ request: GatewayHTTPRequest, sid: String) -> GatewayHTTPResponse {
        let target: StreamTarget
        switch streamTarget(.sse, request, sid: sid) {
        case .refused(let response): return response
        case .target(let found): target = found
        }
        let name = target.service.name, version = target.version.name
        let limit = target.service.route.limits.maxBodyBytes
        guard request.body.readableBytes <= limit else {
            return .error(GatewayError(.bodyTooLarge, "request body of \(request.body.readableBytes) bytes exceeds the limit of \(limit) bytes"),
                          sid: sid, service: name, version: version)
        }
        let opening: EngineRequest
        do {
            opening = try StreamingSession.opening(request.body, target: target)
        } catch let error as GatewayError {
            return .error(error, sid: sid, service: name, version: version)
        } catch {
            return .error(GatewayError(.internalError, "internal error: \(error)"), sid: sid, service: name, version: version)
        }
        // One body is the whole input: its frames must be final, or the engine would wait for more.
        guard !opening.items.isEmpty, opening.items.allSatisfy(\.status.isFinal) else {
            return .error(GatewayError(.invalidRequest, "a server-sent events request carries the whole input: payload frames with "
                                       + "status 2 or 3 (a session with status 0 and 1 frames runs over a WebSocket)"),
                          sid: sid, service: name, version: version)
        }
        let stream = GatewayBodyStream()
        let session = StreamingSession(gateway: self, target: target) { body, last in
            await stream.write(Self.serverSentEvent(body))
            if last { stream.finish() }
        }
        stream.onCancel { session.clientGone() }
        var response = GatewayHTTPResponse(contentType: "text/event-stream", body: ByteBuffer(), sid: sid, service: name, version: version, code: 0)
        response.headers = [(name: "cache-control", value: "no-cache")]
        response.stream = stream
        session.start(opening)
        return response
    }

    /// `data: <json>` and the blank line that ends an event (the JSON has no raw newlines).
    static func serverSentEvent(_ json: ByteBuffer) -> ByteBuffer {
        var event = ByteBuffer()
        event.reserveCapacity(json.readableBytes + 8)
        event.writeStaticString("data: ")
        var json = json
        event.writeBuffer(&json)
        event.writeStaticString("\n\n")
        return event
    }
}
