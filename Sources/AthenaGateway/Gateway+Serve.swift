import AthenaAPI
import NIOCore
import NIOHTTP1

/// The inference routes: one protocol front-end each, all converted into engine calls.
///
/// A request goes through three steps, shared by both ways of running it: ``prepare`` (service
/// and version, body limit, deadline, decoding), the engine call(s), and ``answer`` (encoding).
/// ``serve`` runs them in the request's task; ``handleNow(_:answer:)`` runs them as callbacks
/// on the event loop when the engine call can start at once.
extension Gateway {
    /// The client protocol of an inference request.
    enum FrontEnd: Sendable {
        case ase
        case modelArts
        case kserve
        /// Open Inference Protocol v2; `version` when the URL names one.
        case oip(version: String?)
    }

    /// A decoded inference request: where it goes, what the engine gets, how to answer. A class:
    /// the callbacks of a request without a task share it instead of copying its fields.
    final class InferenceCall: Sendable {
        let frontEnd: FrontEnd
        let sid: String
        let service: ServiceRuntime
        let version: VersionRuntime
        /// One engine call each (KServe `instances` may make several).
        let requests: [EngineRequest]
        let deadline: ContinuousClock.Instant
        /// The value of the consistent-hash header, if the service balances on one.
        let hashKey: String?
        /// OIP: the request `id` to echo.
        let oipID: String?

        init(frontEnd: FrontEnd, sid: String, service: ServiceRuntime, version: VersionRuntime, requests: [EngineRequest],
             deadline: ContinuousClock.Instant, hashKey: String?, oipID: String?) {
            self.frontEnd = frontEnd
            self.sid = sid
            self.service = service
            self.version = version
            self.requests = requests
            self.deadline = deadline
            self.hashKey = hashKey
            self.oipID = oipID
        }

        /// The ASE error answer for this call, labelled with its service and version.
        func failed(_ error: GatewayError) -> GatewayHTTPResponse {
            .error(error, sid: sid, service: service.name, version: version.name)
        }
    }

    /// What ``prepare`` made of a request: the call to make, or the answer already (an error).
    enum Prepared: Sendable {
        case call(InferenceCall)
        case answer(GatewayHTTPResponse)
    }

    /// The inference route a request targets, if any: only `POST`s are inference requests
    /// (other methods on these paths get a 405 from ``route(_:sid:)``).
    static func inferenceTarget(_ request: GatewayHTTPRequest, parts: PathSegments) -> (FrontEnd, String)? {
        guard request.method == "POST" else { return nil }
        switch parts.count {
        case 2 where parts.segment(0, is: "v1"):
            return (.ase, String(parts[1]))
        case 3 where parts.segment(0, is: "v1"):
            if parts.segment(1, is: "private") { return (.ase, String(parts[2])) }
            if parts.segment(1, is: "infers") { return (.modelArts, String(parts[2])) }
            if parts.segment(1, is: "models"), parts[2].hasSuffix(":predict") { return (.kserve, String(parts[2].dropLast(8))) }
            return nil
        case 4 where parts.segment(0, is: "v2") && parts.segment(1, is: "models") && parts.segment(3, is: "infer"):
            return (.oip(version: nil), String(parts[2]))
        case 6 where parts.segment(0, is: "v2") && parts.segment(1, is: "models") && parts.segment(3, is: "versions") && parts.segment(5, is: "infer"):
            return (.oip(version: String(parts[4])), String(parts[2]))
        default:
            return nil
        }
    }

    /// Resolves the service and version (URL → rules → weights), checks the body limit, sets the
    /// deadline and decodes. Errors come back as the ASE response, labelled with service and
    /// version (for metrics and logs).
    func prepare(_ frontEnd: FrontEnd, _ request: GatewayHTTPRequest, sid: String, service name: String, now: ContinuousClock.Instant = .now) -> Prepared {
        guard let service = service(named: name) else {
            return .answer(.error(GatewayError(.notFound, "unknown service \(name)"), sid: sid))
        }
        if let refused = service.refusal(request) {
            return .answer(.error(refused, sid: sid, service: name))
        }
        var versionName: String?
        if case .oip(let named) = frontEnd { versionName = named }
        let (picked, ruleHeaders) = service.destination(request, versionNamed: versionName)
        guard let version = picked else {
            return .answer(.error(GatewayError(.notFound, "service \(name) has no version \(versionName ?? "")"), sid: sid, service: name))
        }
        do {
            let limit = service.route.limits.maxBodyBytes
            let body = request.body
            if body.readableBytes > limit {
                throw GatewayError(.bodyTooLarge, "request body of \(body.readableBytes) bytes exceeds the limit of \(limit) bytes")
            }
            let deadline = now + service.timeout
            var requests: [EngineRequest]
            var oipID: String?
            switch frontEnd {
            case .ase:
                requests = [try ASECodec.decode(body, service: name, sid: sid, version: version)]
            case .modelArts:
                requests = [try ModelArtsCodec.decode(body, contentType: request.headers.first(name: "content-type"), service: name, sid: sid, version: version)]
            case .kserve:
                requests = try KServeCodec.decode(body, service: name, sid: sid, version: version)
            case .oip:
                let (engineRequest, id) = try OIPCodec.decode(body, service: name, sid: sid, version: version)
                requests = [engineRequest]
                oipID = id
            }
            if !ruleHeaders.isEmpty {
                for i in requests.indices { requests[i].addRuleHeaders(ruleHeaders) }
            }
            return .call(InferenceCall(frontEnd: frontEnd, sid: sid, service: service, version: version, requests: requests,
                                       deadline: deadline, hashKey: service.hashKey(request), oipID: oipID))
        } catch let error as GatewayError {
            return .answer(.error(error, sid: sid, service: name, version: version.name))
        } catch {
            return .answer(.error(GatewayError(.internalError, "internal error: \(error)"), sid: sid, service: name, version: version.name))
        }
    }

    /// The client's answer for the engine's responses (one per request of the call, in order);
    /// a non-zero wrapper code becomes the error answer with that code.
    func answer(_ call: InferenceCall, _ responses: some Collection<EngineResponse>) -> GatewayHTTPResponse {
        let name = call.service.name
        if let failed = responses.first(where: { $0.code != 0 }) {
            return call.failed(GatewayError(engineCode: failed.code, message: failed.message))
        }
        let body: ByteBuffer
        var contentType = "application/json"
        switch call.frontEnd {
        case .ase:
            body = ASECodec.encode(responses.first!, sid: call.requests[0].sid)
        case .modelArts:
            (body, contentType) = ModelArtsCodec.encode(responses.first!)
        case .kserve:
            body = KServeCodec.encode(Array(responses))
        case .oip:
            body = OIPCodec.encode(responses.first!, model: name, version: call.version.name, id: call.oipID ?? call.sid)
        }
        return GatewayHTTPResponse(contentType: contentType, body: body, service: name, version: call.version.name, code: 0)
    }

    /// Runs an inference request in its task: prepare, call the engine(s), answer.
    func serve(_ frontEnd: FrontEnd, _ request: GatewayHTTPRequest, sid: String, service name: String) async -> GatewayHTTPResponse {
        switch prepare(frontEnd, request, sid: sid, service: name) {
        case .answer(let response): return response
        case .call(let call): return await run(call)
        }
    }

    /// The engine call(s) of a prepared request, one after the other, and the answer.
    func run(_ call: InferenceCall) async -> GatewayHTTPResponse {
        var responses: [EngineResponse] = []
        responses.reserveCapacity(call.requests.count)
        do {
            for engineRequest in call.requests {
                let response = try await Dispatcher(metrics: metrics).call(
                    engineRequest, service: call.service, version: call.version, hashKey: call.hashKey, deadline: call.deadline)
                // A wrapper error ends the request (the rest of a KServe batch is not sent).
                responses.append(response)
                if response.code != 0 { break }
            }
        } catch let error as GatewayError {
            return call.failed(error)
        } catch {
            return call.failed(GatewayError(.internalError, "internal error: \(error)"))
        }
        return answer(call, responses)
    }

    /// Answers `request` by calling `answer` exactly once; how depends on the request.
    ///
    /// An inference request whose engine call can start at once (a free endpoint whose engine
    /// has a connection ready on this event loop; see ``ImmediateEngine``) runs without a task:
    /// decoding and the start of the call here, the rest in the engine's callback on this loop.
    /// Everything else (other routes, busy or unconnected engines, gRPC engines, a request that
    /// turned out not to have reached an engine) runs in a task started in place, preferring
    /// `executor`, like ``handle(_:)``; nothing is decoded twice.
    public func respond(
        to request: GatewayHTTPRequest, executor: (any TaskExecutor)?, answer: @escaping @Sendable (GatewayHTTPResponse) -> Void
    ) {
        if let streaming = streamingAnswer(request) {
            answer(streaming)
            return
        }
        guard let (frontEnd, name) = Self.inferenceTarget(request, parts: PathSegments(request.path)) else {
            Task.immediate(executorPreference: executor) { answer(await handle(request)) }
            return
        }
        let start = ContinuousClock.now
        metrics.inflight.increment()
        let sid = SessionID.next()
        let call: InferenceCall
        switch prepare(frontEnd, request, sid: sid, service: name, now: start) {
        case .answer(let response):
            answer(completed(response, request, sid: sid, since: start))
            return
        case .call(let prepared):
            call = prepared
        }
        guard call.requests.count == 1 else {
            return finishInTask(call, request, since: start, executor: executor, answer: answer)
        }
        let started = Dispatcher(metrics: metrics).callNow(
            call.requests[0], service: call.service, version: call.version, hashKey: call.hashKey, deadline: call.deadline
        ) { [self] result in
            switch result {
            case .success(let response):
                answer(completed(self.answer(call, CollectionOfOne(response)), request, sid: call.sid, since: start))
            case .failure(let error):
                answer(completed(call.failed(error), request, sid: call.sid, since: start))
            case nil:
                // Not sent (a stale connection, a loading engine): the task path tries again.
                finishInTask(call, request, since: start, executor: executor, answer: answer)
            }
        }
        if started {
            metrics.immediateCalls.add(1, ordering: .relaxed)
        } else {
            finishInTask(call, request, since: start, executor: executor, answer: answer)
        }
    }

    /// The rest of a prepared request in a task started in place (nothing is decoded again).
    private func finishInTask(
        _ call: InferenceCall, _ request: GatewayHTTPRequest, since start: ContinuousClock.Instant, executor: (any TaskExecutor)?,
        answer: @escaping @Sendable (GatewayHTTPResponse) -> Void
    ) {
        Task.immediate(executorPreference: executor) {
            answer(completed(await run(call), request, sid: call.sid, since: start))
        }
    }
}
