import AthenaAPI
@testable import AthenaGateway
import EngineProtocol
import Foundation
import GRPCCore
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization
import Testing

/// What the session engine saw, for the tests to check the engine side of a session.
final class SessionLog: Sendable {
    let opened = Atomic<Int>(0)
    /// Sessions that ran to their last frame.
    let completed = Atomic<Int>(0)
    /// Sessions whose client stream ended or broke before the last frame (reset, half-close).
    let abandoned = Atomic<Int>(0)
    let params = Mutex<[String: String]>([:])
    /// Results the engine wrote (after each `write` returned) and frames it read.
    let written = Atomic<Int>(0)
    let framesRead = Atomic<Int>(0)
    /// `hold=1` sessions stop reading after the first message until the test sets this.
    let released = Atomic<Bool>(false)
    let headers = Mutex<[String: String]>([:])
}

/// A native engine with sessions over real gRPC (grpc-swift): every frame comes back upper-cased
/// as a result with status CONTINUE; after a message with an END or ONCE frame, a last result
/// with status END and no data. Parameters: `fail=CODE` answers that wrapper error at the first
/// message; `hang=1` reads frames and never answers; `hold=1` stops reading after answering the
/// first message until the test releases it; `flood=N` answers the first message with N results
/// of 512 KiB.
struct SessionEngineService: Athena_Engine_V1_Engine.SimpleServiceProtocol {
    let log: SessionLog

    func infer(request: Athena_Engine_V1_InferRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferResponse {
        var response = Athena_Engine_V1_InferResponse()
        response.data = request.data.map(Self.upper)
        response.status = .once
        return response
    }

    func inferBatch(request: Athena_Engine_V1_InferBatchRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferBatchResponse {
        var response = Athena_Engine_V1_InferBatchResponse()
        for one in request.requests { response.responses.append(try await infer(request: one, context: context)) }
        return response
    }

    func session(
        request: RPCAsyncSequence<Athena_Engine_V1_InferRequest, any Error>, response: RPCWriter<Athena_Engine_V1_InferResponse>,
        context: ServerContext
    ) async throws {
        log.opened.add(1, ordering: .relaxed)
        var params: [String: String]?
        do {
            for try await message in request {
                log.framesRead.add(message.data.count, ordering: .relaxed)
                if params == nil {
                    params = message.params
                    log.params.withLock { $0 = message.params }
                    log.headers.withLock { $0 = message.headers }
                    if let flood = params?["flood"].flatMap(Int.init) {
                        for i in 0..<flood {
                            var out = Athena_Engine_V1_InferResponse()
                            var frame = Athena_Engine_V1_GeneralData()
                            frame.dataID = "upper"
                            frame.data = Data(repeating: UInt8(ascii: "a") + UInt8(i % 26), count: 512 << 10)
                            out.data = [frame]
                            out.status = i == flood - 1 ? .end : .continue
                            try await response.write(out)
                            log.written.add(1, ordering: .relaxed)
                        }
                        log.completed.add(1, ordering: .relaxed)
                        return
                    }
                }
                if let code = params?["fail"].flatMap(Int32.init) {
                    var out = Athena_Engine_V1_InferResponse()
                    out.code = code
                    out.message = "wrapper refused the session"
                    out.status = .end
                    try await response.write(out)
                    log.completed.add(1, ordering: .relaxed)
                    return
                }
                if params?["hang"] == "1" { continue }
                for frame in message.data {
                    var out = Athena_Engine_V1_InferResponse()
                    out.data = [Self.upper(frame)]
                    out.status = .continue
                    try await response.write(out)
                }
                if params?["hold"] == "1", log.framesRead.load(ordering: .relaxed) == message.data.count {
                    // After answering the first message: read nothing more until released (30 s at most).
                    for _ in 0..<3000 where !log.released.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(10)) }
                }
                if message.data.contains(where: { $0.status == .end || $0.status == .once }) {
                    var last = Athena_Engine_V1_InferResponse()
                    last.status = .end
                    try await response.write(last)
                    log.completed.add(1, ordering: .relaxed)
                    return
                }
            }
            log.abandoned.add(1, ordering: .relaxed)
        } catch {
            log.abandoned.add(1, ordering: .relaxed)
            throw error
        }
    }

    func describe(request: Athena_Engine_V1_DescribeRequest, context: ServerContext) async throws -> Athena_Engine_V1_DescribeResponse {
        var response = Athena_Engine_V1_DescribeResponse()
        response.supportsSession = true
        return response
    }

    static func upper(_ frame: Athena_Engine_V1_GeneralData) -> Athena_Engine_V1_GeneralData {
        var out = frame
        out.dataID = "upper"
        out.data = Data(String(decoding: frame.data, as: UTF8.self).uppercased().utf8)
        return out
    }
}

/// An ASE message with one text frame.
func aseFrame(_ text: String, status: Int, parameter: [String: String]? = nil, header: [String: String] = [:]) -> String {
    var body: [String: JSONValue] = [
        "header": .object(header.mapValues { .string($0) }.merging(["status": .number(Double(status))]) { a, _ in a }),
        "payload": ["text": ["encoding": "utf8", "status": .number(Double(status)), "text": .string(Data(text.utf8).base64EncodedString())]],
    ]
    if let parameter { body["parameter"] = .object(parameter.mapValues { .string($0) }) }
    return String(decoding: try! JSONValue.object(body).serialized(), as: UTF8.self)
}

/// A decoded ASE result: header.code, header.status and the text of `payload.upper` (or of the
/// first result), if any.
struct ASEResult: Equatable {
    var code: Int
    var status: Int
    var text: String?

    init(_ json: String) throws {
        let value = try JSONValue.parse(Data(json.utf8))
        code = Int(value[path: ["header", "code"]]?.doubleValue ?? -1)
        status = Int(value[path: ["header", "status"]]?.doubleValue ?? -1)
        let payload = value[path: ["payload"]]?.objectValue ?? [:]
        let first = payload["upper"] ?? payload.values.first
        text = first?[path: ["text"]]?.stringValue.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    init(code: Int, status: Int, text: String?) {
        self.code = code
        self.status = status
        self.text = text
    }
}

/// The text messages of a WebSocket until the server's close, and the close code.
func drain(_ ws: WebSocketClient) async throws -> (results: [ASEResult], close: Int?) {
    var results: [ASEResult] = []
    while let message = try await ws.receive() {
        switch message {
        case .text(let json): results.append(try ASEResult(json))
        case .close(let code, _): return (results, code)
        case .binary, .pong: continue
        }
    }
    return (results, nil)
}

/// One raw HTTP/1.1 exchange on a fresh connection: sends `request`, reads until the server
/// closes or `done` says the answer is complete; returns what was read.
func rawHTTP(port: Int, _ request: String, done: @escaping @Sendable (String) -> Bool) async throws -> String {
    let (stream, input) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RawCollector(input)) }
        }
        .connect(host: "127.0.0.1", port: port).get()
    defer { channel.close(promise: nil) }
    try await channel.writeAndFlush(ByteBuffer(string: request))
    var text = ""
    for try await chunk in stream {
        text += String(decoding: chunk.readableBytesView, as: UTF8.self)
        if done(text) { break }
    }
    return text
}

private final class RawCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let input: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    init(_ input: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) { self.input = input }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { input.yield(unwrapInboundIn(data)) }
    func channelInactive(context: ChannelHandlerContext) { input.finish() }
}

/// The `data:` events of a chunked `text/event-stream` answer, decoded.
func sseResults(_ raw: String) throws -> [ASEResult] {
    // "\r\n" is one Character in Swift: split on both.
    try raw.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).filter { $0.hasPrefix("data: ") }.map { try ASEResult(String($0.dropFirst(6))) }
}

@Suite("Streaming: WebSocket sessions and server-sent events")
struct StreamingTests {
    static func table(endpoints: [String], limits: RoutingTableLimits = .init(), streaming: RoutingTableStreaming = .init(),
                      auth: RoutingTableAuth = .init()) -> RoutingTable {
        RoutingTable(services: [
            ServiceRoute(name: "upper", versions: [VersionRoute(name: "v1", application: "upper-v1", endpoints: .init(static: endpoints))],
                         limits: limits, auth: auth, streaming: streaming)
        ])
    }

    /// A session engine (grpc-swift, real gRPC) and a gateway on real sockets in front of it.
    func withSessionGateway(
        limits: RoutingTableLimits = .init(), streaming: RoutingTableStreaming = .init(), auth: RoutingTableAuth = .init(),
        _ body: @escaping @Sendable (Int, SessionLog, Gateway) async throws -> Void
    ) async throws {
        let log = SessionLog()
        try await withGRPCServer([SessionEngineService(log: log), ServingHealthService()]) { enginePort in
            let table = Self.table(endpoints: ["127.0.0.1:\(enginePort)"], limits: limits, streaming: streaming, auth: auth)
            try await Self.withGateway(table, factory: nil) { port, gateway in try await body(port, log, gateway) }
        }
    }

    static func withGateway(_ table: RoutingTable, factory: (any EngineFactory)?, _ body: @escaping @Sendable (Int, Gateway) async throws -> Void) async throws {
        let port = Mutex(0)
        let gateway = try Gateway(table: table, options: GatewayOptions(port: 0, engineFactory: factory, onServerRunning: { bound in port.withLock { $0 = bound } }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await gateway.run() }
            try await poll { port.withLock { $0 } != 0 }
            defer { group.cancelAll() }
            try await body(port.withLock { $0 }, gateway)
        }
    }

    // MARK: - WebSocket

    @Test("a WebSocket session: frames status 0, 1, 2 in; results as they come, the last with status 2; close 1000")
    func webSocketSession() async throws {
        try await withSessionGateway { port, log, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper",
                                                       headers: [(name: "X-Trace", value: "t-1")])
            #expect(ws.handshakeHeaders.contains { $0.name == "x-athena-service" && $0.value == "upper" })
            try await ws.send(text: aseFrame("hello", status: 0, parameter: ["lang": "en"], header: ["sid": "client-sid-1"]))
            guard case .text(let first)? = try await ws.receive() else { Issue.record("no first result"); return }
            #expect(try ASEResult(first) == ASEResult(code: 0, status: 1, text: "HELLO"))
            #expect(first.contains("\"sid\":\"client-sid-1\""))
            try await ws.send(text: aseFrame(" big", status: 1))
            try await ws.send(text: aseFrame(" world", status: 2))
            let (rest, close) = try await drain(ws)
            #expect(rest == [ASEResult(code: 0, status: 1, text: " BIG"), ASEResult(code: 0, status: 1, text: " WORLD"),
                             ASEResult(code: 0, status: 2, text: nil)])
            #expect(close == 1000)
            #expect(log.params.withLock { $0 } == ["lang": "en"])
            #expect(log.completed.load(ordering: .relaxed) == 1)
            await ws.disconnect()
        }
    }

    @Test("a message cut into WebSocket fragments is one message; pings are answered with the same data")
    func fragmentsAndPing() async throws {
        try await withSessionGateway { port, _, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/upper")
            try await ws.send(opcode: .ping, data: [1, 2, 3])
            #expect(try await ws.receive() == .pong([1, 2, 3]))
            let text = Array(aseFrame("split", status: 2).utf8)
            try await ws.send(opcode: .text, data: Array(text[..<10]), fin: false)
            try await ws.send(opcode: .continuation, data: Array(text[10...]), fin: true)
            let (results, close) = try await drain(ws)
            #expect(results == [ASEResult(code: 0, status: 1, text: "SPLIT"), ASEResult(code: 0, status: 2, text: nil)])
            #expect(close == 1000)
        }
    }

    @Test("refused upgrades are plain HTTP answers with the ASE error: unknown service, WebSocket turned off, no key")
    func refusedUpgrades() async throws {
        try await withSessionGateway(streaming: RoutingTableStreaming(websocket: false, sse: true)) { port, log, _ in
            await #expect {
                _ = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/nope")
            } throws: { error in
                guard let refused = error as? WebSocketClient.HandshakeRefused else { return false }
                return refused.status == 404 && refused.body.contains("10404") && refused.body.contains("unknown service nope")
            }
            await #expect {
                _ = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            } throws: { error in
                guard let refused = error as? WebSocketClient.HandshakeRefused else { return false }
                return refused.status == 400 && refused.body.contains("10106") && refused.body.contains("spec.streaming.websocket is false")
            }
            let raw = try await rawHTTP(port: port, "GET /v1/private/upper HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n") { _ in false }
            #expect(raw.hasPrefix("HTTP/1.1 400"))
            #expect(raw.lowercased().contains("sec-websocket-version: 13"))
            #expect(raw.contains("10106"))
            #expect(log.opened.load(ordering: .relaxed) == 0)
        }
    }

    @Test("auth applies to the upgrade: 401 without the token, a session with it")
    func authenticatedUpgrade() async throws {
        try await AuthAndRateLimitTests.withSecretFolder(["tokens": "stream-token\n"]) { folder in
            try await withSessionGateway(auth: .init(mode: .token, secretFile: folder)) { port, _, _ in
                await #expect {
                    _ = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
                } throws: { error in
                    guard let refused = error as? WebSocketClient.HandshakeRefused else { return false }
                    return refused.status == 401 && refused.body.contains("10105") && refused.header("www-authenticate") != nil
                }
                let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper",
                                                           headers: [(name: "Authorization", value: "Bearer stream-token")])
                try await ws.send(text: aseFrame("ok", status: 2))
                let (results, close) = try await drain(ws)
                #expect(results.first == ASEResult(code: 0, status: 1, text: "OK"))
                #expect(close == 1000)
            }
        }
    }

    @Test("a bad message ends the session with its ASE error (status 2) and a close; an engine error likewise")
    func errorsEndTheSession() async throws {
        try await withSessionGateway { port, log, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await ws.send(text: "{\"payload\": {")
            let (results, close) = try await drain(ws)
            #expect(results.map(\.code) == [10160])
            #expect(results.map(\.status) == [2])
            #expect(close == 1000)

            let second = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await second.send(text: aseFrame("x", status: 0, parameter: ["fail": "30450"]))
            let (failed, _) = try await drain(second)
            #expect(failed.map(\.code) == [30450])

            let third = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await third.send(text: aseFrame("a", status: 0))
            _ = try await third.receive()
            try await third.send(text: "[1, 2]")
            let (broken, _) = try await drain(third)
            #expect(broken.map(\.code) == [10163])
            // The engine's session ended (reset) with it.
            try await poll { log.abandoned.load(ordering: .relaxed) == 1 }
        }
    }

    @Test("a client that leaves mid-session ends the engine session")
    func clientLeaves() async throws {
        try await withSessionGateway { port, log, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await ws.send(text: aseFrame("first", status: 0))
            guard case .text(let first)? = try await ws.receive() else { Issue.record("no first result"); return }
            #expect(try ASEResult(first) == ASEResult(code: 0, status: 1, text: "FIRST"))
            try await ws.close(code: 1001)
            #expect(try await ws.receive() == .close(code: 1001, reason: ""))
            try await poll { log.abandoned.load(ordering: .relaxed) == 1 }

            let dropped = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await dropped.send(text: aseFrame("again", status: 0))
            _ = try await dropped.receive()
            await dropped.disconnect()  // TCP gone without a close frame
            try await poll { log.abandoned.load(ordering: .relaxed) == 2 }
            #expect(log.completed.load(ordering: .relaxed) == 0)
        }
    }

    @Test("no activity for the service timeout ends the session with code 10114")
    func idleTimeout() async throws {
        try await withSessionGateway(limits: RoutingTableLimits(timeoutSeconds: 0.4)) { port, log, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            let start = ContinuousClock.now
            try await ws.send(text: aseFrame("zzz", status: 0, parameter: ["hang": "1"]))
            let (results, close) = try await drain(ws)
            #expect(results.map(\.code) == [10114])
            #expect(close == 1000)
            #expect(ContinuousClock.now - start >= .milliseconds(350))
            // Nothing is left running in the engine: a session it started was reset. (On a loaded
            // machine the reset can reach grpc-swift before it started the handler: then none ran.)
            try await poll {
                let (opened, abandoned) = (log.opened.load(ordering: .relaxed), log.abandoned.load(ordering: .relaxed))
                return opened <= 1 && opened == abandoned
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(log.opened.load(ordering: .relaxed) == log.abandoned.load(ordering: .relaxed))
            #expect(log.completed.load(ordering: .relaxed) == 0)
        }
    }

    @Test("closed WebSocket connections free their handler and session (no retain cycle)")
    func handlersAreFreed() async throws {
        try await withSessionGateway { port, _, gateway in
            for i in 0..<20 {
                let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
                if i % 2 == 0 {
                    try await ws.send(text: aseFrame("x", status: 3))
                    _ = try await drain(ws)
                } else {
                    try await ws.close()
                    _ = try await ws.receive()
                }
                await ws.disconnect()
            }
            try await poll { gateway.metrics.liveWebSocketHandlers.load(ordering: .relaxed) == 0 }
        }
    }

    @Test("a client that upgrades and then sends nothing is timed out too (10114)")
    func idleBeforeTheFirstMessage() async throws {
        try await withSessionGateway(limits: RoutingTableLimits(timeoutSeconds: 0.3)) { port, log, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            let (results, close) = try await drain(ws)
            #expect(results.map(\.code) == [10114])
            #expect(close == 1000)
            #expect(log.opened.load(ordering: .relaxed) == 0)
        }
    }

    @Test("RFC 6455: a close with a code that must not be sent (1005) or a reserved opcode is answered 1002")
    func protocolViolations() async throws {
        try await withSessionGateway { port, _, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await ws.close(code: 1005)
            #expect(try await ws.receive() == .close(code: 1002, reason: ""))

            let reserved = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await reserved.send(opcode: try #require(WebSocketOpcode(encodedWebSocketOpcode: 3)), data: [])
            #expect(try await reserved.receive() == .close(code: 1002, reason: ""))

            let fine = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await fine.close(code: 4001)
            #expect(try await fine.receive() == .close(code: 4001, reason: ""))
        }
    }

    @Test("a WebSocket message over limits.maxBodyBytes ends the session with 10413")
    func oversizeMessage() async throws {
        try await withSessionGateway(limits: RoutingTableLimits(maxBodyBytes: 2048)) { port, log, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await ws.send(text: aseFrame(String(repeating: "a", count: 4096), status: 0))
            let (results, _) = try await drain(ws)
            #expect(results.map(\.code) == [10413])
            #expect(log.opened.load(ordering: .relaxed) == 0)
        }
    }

    @Test("an engine without sessions: a once frame gets one result (status 3); a real session gets 30401")
    func engineWithoutSessions() async throws {
        let table = Self.table(endpoints: ["10.0.0.1:9000"])
        try await Self.withGateway(table, factory: FakeEngineFactory()) { port, _ in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await ws.send(text: aseFrame("once", status: 3))
            let (results, close) = try await drain(ws)
            #expect(results == [ASEResult(code: 0, status: 3, text: "once")])
            #expect(close == 1000)

            let session = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await session.send(text: aseFrame("begin", status: 0))
            let (refused, _) = try await drain(session)
            #expect(refused.map(\.code) == [30401])
        }
    }

    // MARK: - Flow control

    @Test("a client faster than its engine: the gateway stops reading it (bounded memory), then every frame arrives")
    func clientFasterThanEngine() async throws {
        try await withSessionGateway(limits: RoutingTableLimits(maxBodyBytes: 64 << 10)) { port, log, gateway in
            let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
            try await ws.send(text: aseFrame("go", status: 0, parameter: ["hold": "1"]))
            guard case .text? = try await ws.receive() else { Issue.record("no first result"); return }
            // ~8 MB while the engine reads nothing: more than grpc-swift buffers and its 64 KiB
            // window take, so the gateway's budget (1 MiB here) runs out and it stops reading. The
            // sender then blocks on its own socket: it runs apart until the engine is released.
            let count = 150
            let sender = Task {
                let chunk = String(repeating: "x", count: 40 << 10)
                for i in 0..<count { try await ws.send(text: aseFrame(chunk, status: i == count - 1 ? 2 : 1)) }
            }
            try await poll { gateway.metrics.sessionReadPauses.load(ordering: .relaxed) >= 1 }
            log.released.store(true, ordering: .relaxed)
            try await sender.value
            let (results, close) = try await drain(ws)
            #expect(close == 1000)
            #expect(results.last?.status == 2)
            #expect(results.filter { $0.code == 0 }.count == count + 1, "\(results.count) results")
            #expect(log.framesRead.load(ordering: .relaxed) == count + 1)
        }
    }

    @Test("an engine faster than its consumer: acknowledgements wait for the consumer, so the engine is held back")
    func engineFasterThanConsumer() async throws {
        let log = SessionLog()
        try await withGRPCServer([SessionEngineService(log: log)]) { port in
            let engine = try GRPCEngine(endpoint: HostPort(host: "127.0.0.1", port: port), logger: .init(label: "test"))
            let first = EngineItem(dataID: "text", kind: .text, status: .once, data: Data("go".utf8))
            let session = try await engine.openSession(EngineRequest(sid: "s", service: "upper", parameters: ["flood": "80"], items: [first]),
                                                       deadline: ContinuousClock.now + .seconds(30))
            let grpcSession = try #require(session as? GRPCEngineSession)
            // 80 results of 512 KiB: without flow control all 40 MiB would arrive; with it, the
            // backlog (4 MiB) plus one stream window (8 MiB) at most. Wait until delivery stops.
            var held = 0
            var steady = 0
            for _ in 0..<200 where steady < 5 {
                try await Task.sleep(for: .milliseconds(100))
                let now = grpcSession.unacknowledged
                steady = now == held && now > 0 ? steady + 1 : 0
                held = now
            }
            #expect(held > 0 && held <= 26, "\(held) results delivered while nothing was consumed")
            var count = 0
            for try await response in session.responses {
                count += 1
                session.acknowledge()
                if response.status == .end { break }
            }
            #expect(count == 80)
            await engine.shutdown()
        }
    }

    // MARK: - Server-sent events

    @Test("SSE: the results of one request as data events, chunked, the last with status 2; the connection serves on")
    func serverSentEvents() async throws {
        try await withSessionGateway { port, log, _ in
            let body = aseFrame("stream me", status: 2)
            let request = "POST /v1/private/upper HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            // A request pipelined behind the stream is answered after its end, on the same connection.
            let raw = try await rawHTTP(port: port, request + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") {
                $0.contains("\r\n0\r\n\r\nHTTP/1.1 200 OK") && $0.hasSuffix("}")
            }
            #expect(raw.hasPrefix("HTTP/1.1 200 OK"))
            #expect(raw.contains("\"status\":\"ok\""))
            #expect(raw.contains("content-type: text/event-stream"))
            #expect(raw.contains("transfer-encoding: chunked"))
            #expect(!raw.components(separatedBy: "\r\n0\r\n\r\n")[0].contains("content-length"))
            #expect(try sseResults(raw) == [ASEResult(code: 0, status: 1, text: "STREAM ME"), ASEResult(code: 0, status: 2, text: nil)])
            #expect(log.completed.load(ordering: .relaxed) == 1)
        }
    }

    @Test("SSE: refused before the stream starts → plain JSON error; an engine without sessions → one once event")
    func serverSentEventErrorsAndFallback() async throws {
        let table = Self.table(endpoints: ["10.0.0.1:9000"], streaming: RoutingTableStreaming(websocket: true, sse: true))
        try await Self.withGateway(table, factory: FakeEngineFactory()) { port, _ in
            let bad = "{\"payload\":"
            let raw = try await rawHTTP(port: port, "POST /v1/private/upper HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nContent-Length: \(bad.utf8.count)\r\n\r\n\(bad)") {
                $0.contains("}")
            }
            #expect(raw.hasPrefix("HTTP/1.1 400"))
            #expect(raw.contains("content-type: application/json"))
            #expect(raw.contains("10160"))

            let body = aseFrame("plain", status: 3)
            let once = try await rawHTTP(port: port, "POST /v1/private/upper HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)") {
                $0.hasSuffix("\r\n0\r\n\r\n")
            }
            #expect(try sseResults(once) == [ASEResult(code: 0, status: 3, text: "plain")])

            // One body is the whole input: a session's first frame (status 0) is refused up front.
            let begin = aseFrame("begin", status: 0)
            let refused = try await rawHTTP(port: port, "POST /v1/private/upper HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nContent-Length: \(begin.utf8.count)\r\n\r\n\(begin)") {
                $0.contains("}")
            }
            #expect(refused.hasPrefix("HTTP/1.1 400"))
            #expect(refused.contains("10106") && refused.contains("status 2 or 3"))
        }
        let off = Self.table(endpoints: ["10.0.0.1:9000"], streaming: RoutingTableStreaming(websocket: true, sse: false))
        let gateway = try Fixtures.gateway(off, factory: FakeEngineFactory())
        try await gateway.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/private/upper", method: .post, headers: [.accept: "text/event-stream"],
                                                    body: ByteBuffer(string: aseFrame("x", status: 3)))
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains("spec.streaming.sse is false"))
        }
    }

    @Test("SSE through the Hummingbird router (the test path) streams the same events")
    func serverSentEventsThroughRouter() async throws {
        let gateway = try Fixtures.gateway(Self.table(endpoints: ["10.0.0.1:9000"]), factory: FakeEngineFactory())
        try await gateway.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/upper", method: .post, headers: [.accept: "text/event-stream"],
                                                    body: ByteBuffer(string: aseFrame("routed", status: 3)))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(try sseResults(String(buffer: response.body)) == [ASEResult(code: 0, status: 3, text: "routed")])
        }
    }

    // MARK: - The engine side

    @Test("GRPCEngine sessions against grpc-swift: frames in order, results as they come; an unreachable engine fails the open")
    func grpcEngineSession() async throws {
        let log = SessionLog()
        try await withGRPCServer([SessionEngineService(log: log)]) { port in
            let engine = try GRPCEngine(endpoint: HostPort(host: "127.0.0.1", port: port), logger: .init(label: "test"))
            let deadline = ContinuousClock.now + .seconds(10)
            let first = EngineItem(dataID: "text", kind: .text, status: .begin, data: Data("a".utf8))
            let session = try await engine.openSession(EngineRequest(sid: "s1", service: "upper", parameters: ["k": "v"], headers: ["x-h": "1"], items: [first]),
                                                       deadline: deadline)
            try await session.send([EngineItem(dataID: "text", kind: .text, status: .continue, data: Data("b".utf8))])
            try await session.send([EngineItem(dataID: "text", kind: .text, status: .end, data: Data("c".utf8))])
            var texts: [String] = []
            var statuses: [EngineItem.Status] = []
            for try await response in session.responses {
                texts.append(response.items.map { String(decoding: $0.data, as: UTF8.self) }.joined())
                statuses.append(response.status)
            }
            #expect(texts == ["A", "B", "C", ""])
            #expect(statuses == [.continue, .continue, .continue, .end])
            #expect(log.params.withLock { $0 } == ["k": "v"])
            #expect(log.headers.withLock { $0 } == ["x-h": "1"])
            await engine.shutdown()
        }
        let closed = try GRPCEngine(endpoint: HostPort(host: "127.0.0.1", port: 1), logger: .init(label: "test"))
        await #expect {
            _ = try await closed.openSession(EngineRequest(sid: "s", service: "upper", items: []), deadline: ContinuousClock.now + .seconds(5))
        } throws: { error in
            (error as? EngineError)?.kind == .unreachable
        }
        await closed.shutdown()
    }
}
