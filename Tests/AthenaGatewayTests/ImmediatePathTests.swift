import AthenaAPI
@testable import AthenaGateway
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

/// An engine whose immediate calls (`inferNow`) follow a script; its async calls (`infer`) echo.
final class ScriptedImmediateEngine: ImmediateEngine {
    enum Step: Sendable {
        /// Start, and answer with the request's items.
        case echo
        /// Start, and report that the request did not go out.
        case notSent
        /// Start, and fail.
        case fail(EngineError)
        /// Start, and answer with a wrapper error code.
        case wrapperError(Int)
        /// Do not start (no connection ready).
        case decline
    }

    let step: Mutex<Step>
    let nowCalls = Atomic<Int>(0)
    let asyncCalls = Atomic<Int>(0)

    init(_ step: Step) { self.step = Mutex(step) }

    func inferNow(_ request: EngineRequest, deadline: ContinuousClock.Instant, completion: @escaping @Sendable (ImmediateOutcome) -> Void) -> Bool {
        let step = self.step.withLock { $0 }
        if case .decline = step { return false }
        nowCalls.add(1, ordering: .relaxed)
        switch step {
        case .echo: completion(.answered(EngineResponse(items: request.items)))
        case .notSent: completion(.notSent)
        case .fail(let error): completion(.failed(error))
        case .wrapperError(let code): completion(.answered(EngineResponse(code: code, message: "wrapper said no", items: [])))
        case .decline: break
        }
        return true
    }

    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        asyncCalls.add(1, ordering: .relaxed)
        return EngineResponse(items: request.items)
    }

    func checkHealth(timeout: Duration) async -> Bool { true }
}

struct ScriptedImmediateFactory: EngineFactory {
    let engine: ScriptedImmediateEngine
    func makeEngine(endpoint: HostPort, version: VersionRoute) throws -> any Engine { engine }
}

@Suite("Requests without a task (ImmediateEngine): the same answers as the task path")
struct ImmediatePathTests {
    func gateway(_ step: ScriptedImmediateEngine.Step) throws -> (Gateway, ScriptedImmediateEngine) {
        let engine = ScriptedImmediateEngine(step)
        let table = Fixtures.table(schema: nil)
        return (try Gateway(table: table, options: GatewayOptions(port: 0, engineFactory: ScriptedImmediateFactory(engine: engine))), engine)
    }

    static func request(_ body: String = #"{"data":{"x":[1,2]}}"#, path: String = "/v1/infers/digits") -> GatewayHTTPRequest {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        return GatewayHTTPRequest(method: "POST", path: path, headers: headers, body: ByteBuffer(string: body))
    }

    /// Runs `respond` and waits for its one answer; counts answers to catch a second one.
    func respond(_ gateway: Gateway, _ request: GatewayHTTPRequest = request()) async throws -> GatewayHTTPResponse {
        let answers = Mutex<[GatewayHTTPResponse]>([])
        let response = await withCheckedContinuation { (continuation: CheckedContinuation<GatewayHTTPResponse, Never>) in
            gateway.respond(to: request, executor: nil) { response in
                let first = answers.withLock { $0.append(response); return $0.count == 1 }
                if first { continuation.resume(returning: response) }
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        #expect(answers.withLock { $0.count } == 1, "answered exactly once")
        return response
    }

    @Test("a call that can start at once runs without a task; answer, headers and labels equal the task path's")
    func sameAnswer() async throws {
        let (gateway, engine) = try gateway(.echo)
        let now = try await respond(gateway)
        let viaTask = await gateway.handle(Self.request())
        #expect(engine.nowCalls.load(ordering: .relaxed) == 1)
        #expect(engine.asyncCalls.load(ordering: .relaxed) == 1)  // handle() took the task path
        #expect(gateway.metrics.immediateCalls.load(ordering: .relaxed) == 1)
        #expect(now.status == .ok && viaTask.status == .ok)
        #expect(String(buffer: now.body) == #"{"data":{"x":[1,2]}}"#)
        #expect(now.body == viaTask.body && now.contentType == viaTask.contentType)
        #expect(now.service == "digits" && now.version == "v1" && now.code == 0)
        #expect(now.sid.hasPrefix("ath") && now.sid != viaTask.sid)
    }

    @Test("a request that did not go out (stale connection) is sent again by the task path and answered once")
    func notSent() async throws {
        let (gateway, engine) = try gateway(.notSent)
        let response = try await respond(gateway)
        #expect(response.status == .ok && String(buffer: response.body) == #"{"data":{"x":[1,2]}}"#)
        #expect(engine.nowCalls.load(ordering: .relaxed) == 1)
        #expect(engine.asyncCalls.load(ordering: .relaxed) == 1)
    }

    @Test("an engine that cannot start at once gets the call through the task path")
    func declined() async throws {
        let (gateway, engine) = try gateway(.decline)
        let response = try await respond(gateway)
        #expect(response.status == .ok)
        #expect(engine.asyncCalls.load(ordering: .relaxed) == 1)
        #expect(gateway.metrics.immediateCalls.load(ordering: .relaxed) == 0)
    }

    @Test("failures map as on the task path: timeout → 504/10114, broken connection → 502/10222, wrapper code kept")
    func failures() async throws {
        let cases: [(ScriptedImmediateEngine.Step, Int, Int)] = [
            (.fail(EngineError(.timeout, "late")), 504, GatewayErrorCode.timeout.rawValue),
            (.fail(EngineError(.transport, "reset")), 502, GatewayErrorCode.engineUnreachable.rawValue),
            (.fail(EngineError(.badResponse, "garbage")), 500, GatewayErrorCode.engineError.rawValue),
        ]
        for (step, status, code) in cases {
            let (gateway, engine) = try gateway(step)
            let response = try await respond(gateway)
            #expect(Int(response.status.code) == status)
            #expect(response.code == code && response.service == "digits" && response.version == "v1")
            let json = try JSONValue.parse(Data(response.body.readableBytesView))
            #expect(json[path: ["header", "code"]]?.intValue == code)
            #expect(json[path: ["header", "sid"]]?.stringValue == response.sid)
            #expect(engine.asyncCalls.load(ordering: .relaxed) == 0, "not sent twice")
        }
        let (gateway, _) = try gateway(.wrapperError(30402))
        let viaNow = try await respond(gateway)
        #expect(viaNow.code == 30402 && Int(viaNow.status.code) == 400)
    }

    @Test("a broken connection counts against the endpoint's health, like on the task path")
    func health() async throws {
        let (gateway, _) = try gateway(.fail(EngineError(.transport, "reset")))
        for _ in 0..<5 { _ = try await respond(gateway) }
        let slots = try #require(gateway.state.services["digits"]?.versions.first?.endpoints.snapshot())
        #expect(slots.allSatisfy { $0.ejected })
    }

    @Test("bad input is answered at once, the engine never called; other routes take the task path")
    func badInput() async throws {
        let (gateway, engine) = try gateway(.echo)
        let malformed = try await respond(gateway, Self.request("{not json"))
        #expect(malformed.status == .badRequest && malformed.code == GatewayErrorCode.malformedJSON.rawValue)
        let unknown = try await respond(gateway, Self.request(path: "/v1/infers/nope"))
        #expect(unknown.status == .notFound)
        let health = try await respond(gateway, GatewayHTTPRequest(method: "GET", path: "/healthz"))
        #expect(health.status == .ok)
        let wrongMethod = try await respond(gateway, GatewayHTTPRequest(method: "GET", path: "/v1/infers/digits"))
        #expect(wrongMethod.status == .methodNotAllowed)
        #expect(engine.nowCalls.load(ordering: .relaxed) == 0 && engine.asyncCalls.load(ordering: .relaxed) == 0)
    }

    /// The gateway on a real socket in front of a `ScriptedHTTPServer` whose `path` serves
    /// service `echo`; `body` gets the gateway's port and a keep-alive client to it.
    func withRealGateway(path: String = "/echo", timeoutSeconds: Double = 40,
                         _ body: @escaping @Sendable (Gateway, HTTPConnectionPool) async throws -> Void) async throws {
        let engine = try await ScriptedHTTPServer.start()
        defer { Task { await engine.stop() } }
        let table = RoutingTable(services: [ServiceRoute(name: "echo", versions: [
            VersionRoute(name: "v1", protocol: .http, endpoints: .init(static: ["127.0.0.1:\(engine.port)"]),
                         http: HTTPEngineShape(path: path, contentType: "application/json")),
        ], limits: RoutingTableLimits(timeoutSeconds: timeoutSeconds))])
        try await withLiveGateway(table, body)
    }

    static func post(_ client: HTTPConnectionPool, _ body: String) async throws -> HTTPEngineReply {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/infers/echo", headers: ["content-type": "application/json", "host": "gw"])
        return try await client.execute(head, body: ByteBuffer(string: body), deadline: .now() + .seconds(20))
    }

    @Test("over a real socket, keep-alive requests to a plain HTTP engine go out without a task")
    func realSocket() async throws {
        try await withRealGateway { gateway, client in
            for i in 0..<20 {
                let reply = try await Self.post(client, "{\"i\":\(i)}")
                #expect(reply.status == 200 && String(buffer: reply.body) == "{\"i\":\(i)}")
            }
            // The first request connects to the engine (task path); the rest find the connection idle.
            #expect(gateway.metrics.immediateCalls.load(ordering: .relaxed) >= 15)
        }
    }

    @Test("over a real socket: an engine too slow for the service timeout → 504/10114 on time; the next request gets a fresh connection")
    func realSocketTimeout() async throws {
        try await withRealGateway(timeoutSeconds: 1) { gateway, client in
            #expect(try await Self.post(client, #"{"warm":1}"#).status == 200)
            let before = gateway.metrics.immediateCalls.load(ordering: .relaxed)
            let started = ContinuousClock.now
            let late = try await Self.post(client, #"{"sleep":1}"#)
            let took = ContinuousClock.now - started
            #expect(gateway.metrics.immediateCalls.load(ordering: .relaxed) == before + 1, "the slow request took the immediate path")
            #expect(late.status == 504)
            let json = try JSONValue.parse(Data(late.body.readableBytesView))
            #expect(json[path: ["header", "code"]]?.intValue == GatewayErrorCode.timeout.rawValue)
            #expect(took >= .milliseconds(900) && took < .seconds(5))
            #expect(try await Self.post(client, #"{"after":1}"#).status == 200)
        }
    }

    @Test("over a real socket: an engine that closes idle connections — every request still answered")
    func realSocketEngineCloses() async throws {
        try await withRealGateway(path: "/drop") { _, client in
            for i in 0..<6 {
                let reply = try await Self.post(client, "{\"i\":\(i)}")
                #expect(reply.status == 200 && String(buffer: reply.body) == "{\"i\":\(i)}")
                if i % 2 == 1 { try await Task.sleep(for: .milliseconds(60)) }  // past the engine's 20 ms keep-alive
            }
        }
    }
}
