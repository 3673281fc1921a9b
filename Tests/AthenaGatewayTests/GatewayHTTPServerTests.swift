import AthenaAPI
@testable import AthenaGateway
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing

/// The gateway's own HTTP/1.1 handler, through real sockets (the router suites bypass it).
@Suite("Gateway HTTP/1.1 server on a real socket")
struct GatewayHTTPServerTests {
    /// Runs the gateway on 127.0.0.1 with an ephemeral port for the duration of `body`.
    func withGateway(limits: RoutingTableLimits = .init(), _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let port = Mutex(0)
        let options = GatewayOptions(port: 0, engineFactory: FakeEngineFactory(), onServerRunning: { bound in port.withLock { $0 = bound } })
        let gateway = try Gateway(table: Fixtures.table(limits: limits), options: options)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await gateway.run() }
            try await poll { port.withLock { $0 } != 0 }
            defer { group.cancelAll() }
            try await body(port.withLock { $0 })
        }
    }

    @Test("keep-alive: several requests on one connection, x-athena headers on each")
    func keepAlive() async throws {
        try await withGateway { port in
            let pool = HTTPConnectionPool(host: "127.0.0.1", port: port)
            defer { pool.shutdown() }
            var sids = Set<String>()
            for _ in 0..<3 {
                let body = Fixtures.aseBody()
                let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/private/digits?x=1",
                                           headers: ["content-type": "application/json", "content-length": String(body.readableBytes)])
                let reply = try await pool.execute(head, body: body, deadline: .now() + .seconds(10))
                #expect(reply.status == 200)
                #expect(reply.keepAlive)
                let json = try JSONValue.parse(Data(reply.body.readableBytesView))
                #expect(json[path: ["header", "code"]] == .number(0))
                if let sid = json[path: ["header", "sid"]]?.stringValue { sids.insert(sid) }
            }
            #expect(sids.count == 3)
            #expect(pool.idleCount == 1)
            let missing = try await pool.execute(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/nope"), body: ByteBuffer(), deadline: .now() + .seconds(10))
            #expect(missing.status == 404)
            let json = try JSONValue.parse(Data(missing.body.readableBytesView))
            #expect(json[path: ["header", "code"]] == .number(10404))
        }
    }

    @Test("pipelined requests are answered in order, then connection: close is honoured")
    func pipelining() async throws {
        try await withGateway { port in
            let raw = "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\nGET /v2/health/live HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n"
            let answer = try await RawClient.exchange(port: port, bytes: raw)
            let first = try #require(answer.range(of: "\"status\":\"ok\""))
            let second = try #require(answer.range(of: "{\"live\":true}"))
            #expect(first.lowerBound < second.lowerBound)
            #expect(answer.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
            #expect(answer.contains("connection: close"))
        }
    }

    @Test("a body over the limit → 413 with code 10413 and the connection closes")
    func oversize() async throws {
        try await withGateway(limits: RoutingTableLimits(maxBodyBytes: 1000)) { port in
            let body = String(repeating: "x", count: 5000)
            let raw = "POST /v1/private/digits HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
            let answer = try await RawClient.exchange(port: port, bytes: raw)
            #expect(answer.hasPrefix("HTTP/1.1 413"))
            #expect(answer.contains("x-athena-code: 10413"))
            #expect(answer.contains("connection: close"))
            // A large body without content-length (chunked): refused as soon as it crosses the limit.
            let chunk = String(repeating: "y", count: 64 * 1024)
            var chunked = "POST /v1/private/digits HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
            for _ in 0..<5 { chunked += String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n" }
            chunked += "0\r\n\r\n"
            let refused = try await RawClient.exchange(port: port, bytes: chunked)
            #expect(refused.hasPrefix("HTTP/1.1 413"))
            // Waiting for 100-continue with a declared oversize body: 413 at once, no 100.
            let waiting = try await RawClient.exchange(port: port, bytes: "POST /v1/private/digits HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: 5000\r\n\r\n")
            #expect(waiting.hasPrefix("HTTP/1.1 413"))
        }
    }

    @Test("expect: 100-continue is answered before the body is read")
    func expectContinue() async throws {
        try await withGateway { port in
            let body = String(buffer: Fixtures.aseBody())
            let raw = "POST /v1/private/digits HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nexpect: 100-continue\r\nconnection: close\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
            let answer = try await RawClient.exchange(port: port, bytes: raw)
            #expect(answer.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"))
        }
    }

    @Test("a client that half-closes after its requests gets every answer whole, then the close")
    func halfClose() async throws {
        // The answers are flushed at the end of the loop pass (LoopFlusher) and the end of the
        // client's input arrives in the same pass: closing then must not drop them.
        try await withGateway { port in
            let body = String(buffer: Fixtures.aseBody())
            let post = "POST /v1/private/digits HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
            for _ in 0..<20 {
                let answer = try await RawClient.exchange(port: port, bytes: "GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n" + post, halfClose: true)
                #expect(answer.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
                #expect(answer.hasSuffix("}"))
                #expect(answer.contains("\"code\":0"))
            }
        }
    }

    @Test("bytes that are not HTTP → 400 and close, the server keeps serving")
    func garbage() async throws {
        try await withGateway { port in
            let answer = try await RawClient.exchange(port: port, bytes: "NOT HTTP AT ALL\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            let ok = try await RawClient.exchange(port: port, bytes: "GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            #expect(ok.hasPrefix("HTTP/1.1 200"))
        }
    }
}

extension GatewayHTTPServerTests {
    @Test("graceful shutdown: the request in flight is answered, then the server stops")
    func gracefulShutdown() async throws {
        let port = Mutex(0)
        let factory = FakeEngineFactory(initial: { _ in .slow(.milliseconds(600)) })
        let options = GatewayOptions(port: 0, engineFactory: factory, onServerRunning: { bound in port.withLock { $0 = bound } })
        let gateway = try Gateway(table: Fixtures.table(), options: options)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: gateway.makeApplication())], gracefulShutdownSignals: [], cancellationSignals: [], logger: options.logger))
        let running = Task { try await group.run() }
        try await poll { port.withLock { $0 } != 0 }
        let bound = port.withLock { $0 }
        let inFlight = Task { () -> Int in
            let pool = HTTPConnectionPool(host: "127.0.0.1", port: bound)
            defer { pool.shutdown() }
            let body = Fixtures.aseBody()
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/private/digits",
                                       headers: ["content-type": "application/json", "content-length": String(body.readableBytes)])
            return try await pool.execute(head, body: body, deadline: .now() + .seconds(10)).status
        }
        try await poll { factory["10.0.0.1:9000"].calls.load(ordering: .relaxed) == 1 }
        await group.triggerGracefulShutdown()
        #expect(try await inFlight.value == 200)
        let start = ContinuousClock.now
        try await running.value
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}

/// Writes raw bytes on a fresh connection and reads until the server closes it (10 s at most).
enum RawClient {
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex(ByteBuffer())
        let done: EventLoopPromise<Void>
        init(done: EventLoopPromise<Void>) { self.done = done }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var chunk = unwrapInboundIn(data)
            received.withLock { $0.writeBuffer(&chunk) }
        }
        func channelInactive(context: ChannelHandlerContext) { done.succeed() }
    }

    /// Sends `bytes`, then (with `halfClose`) shuts the socket's sending side, and returns all
    /// that comes back until the server closes.
    static func exchange(port: Int, bytes: String, halfClose: Bool = false) async throws -> String {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: Void.self)
        let collector = Collector(done: done)
        let channel = try await ClientBootstrap(group: loop)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) } }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: bytes))
        if halfClose { try await channel.close(mode: .output) }
        let timeout = loop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        try await done.futureResult.get()
        timeout.cancel()
        return collector.received.withLock { String(buffer: $0) }
    }
}

@Suite("Path segments")
struct PathSegmentTests {
    @Test("split on '/', empty segments dropped, non-ASCII kept whole")
    func segments() {
        #expect(Array(PathSegments("/v1/private/digits")) == ["v1", "private", "digits"])
        #expect(Array(PathSegments("//v2//models/x/")) == ["v2", "models", "x"])
        #expect(Array(PathSegments("/")) == [])
        #expect(Array(PathSegments("")) == [])
        #expect(Array(PathSegments("/v1/infers/数字")) == ["v1", "infers", "数字"])
        #expect(Array(PathSegments("/v1/models/iris:predict")) == ["v1", "models", "iris:predict"])
        #expect(Array(PathSegments("/v2/models/m/versions/2/infer")) == ["v2", "models", "m", "versions", "2", "infer"])
    }

    @Test("a path longer than any route keeps seven segments and matches no route")
    func longPath() {
        let long = PathSegments("/v2/models/m/versions/2/infer/a/b/c")
        #expect(long.count == PathSegments.capacity)
        #expect(Array(long) == ["v2", "models", "m", "versions", "2", "infer", "a"])
        let request = GatewayHTTPRequest(method: "POST", path: "/v2/models/m/versions/2/infer/extra")
        #expect(Gateway.inferenceTarget(request, parts: PathSegments(request.path)) == nil)
    }

    @Test("segment(_:is:) compares whole segments byte for byte (case and length count)")
    func segmentIs() {
        let parts = PathSegments("/v1/infers/数字x/Models")
        #expect(parts.segment(0, is: "v1"))
        #expect(!parts.segment(0, is: "v"))
        #expect(!parts.segment(0, is: "v12"))
        #expect(parts.segment(1, is: "infers"))
        #expect(parts.segment(2, is: "数字x"))
        #expect(!parts.segment(3, is: "models"))
        #expect(parts.segment(3, is: "Models"))
    }

    @Test("inference routes: each front end, other methods and near misses")
    func inferenceTargets() {
        func target(_ method: String, _ path: String) -> String? {
            let request = GatewayHTTPRequest(method: method, path: path)
            guard let (frontEnd, service) = Gateway.inferenceTarget(request, parts: PathSegments(path)) else { return nil }
            return "\(frontEnd) \(service)"
        }
        #expect(target("POST", "/v1/digits") == "ase digits")
        #expect(target("POST", "/v1/private/digits") == "ase digits")
        #expect(target("POST", "/v1/infers/iris") == "modelArts iris")
        #expect(target("POST", "/v1/models/iris:predict") == "kserve iris")
        #expect(target("POST", "/v2/models/iris/infer") == "oip(version: nil) iris")
        #expect(target("POST", "/v2/models/iris/versions/2/infer") == "oip(version: Optional(\"2\")) iris")
        #expect(target("GET", "/v1/private/digits") == nil)
        #expect(target("POST", "/v1/models/iris") == nil)
        #expect(target("POST", "/v1/Infers/iris") == nil)
        #expect(target("POST", "/v2/models/iris/infers") == nil)
        #expect(target("POST", "/v3/models/iris/infer") == nil)
    }
}

@Suite("Session ids")
struct SessionIDTests {
    @Test("ath + 16 hex digits of this process + @ + a hex counter: unique, in order")
    func format() throws {
        let ids = (0..<300).map { _ in SessionID.next() }
        #expect(Set(ids).count == ids.count)
        let parts = ids.map { $0.split(separator: "@") }
        #expect(parts.allSatisfy { $0.count == 2 && $0[0].count == 19 && $0[0].hasPrefix("ath") })
        #expect(Set(parts.map { $0[0] }).count == 1)
        let counters = try parts.map { try #require(UInt64($0[1], radix: 16)) }
        #expect(zip(counters, counters.dropFirst()).allSatisfy { $0 < $1 })
        #expect(ids.allSatisfy { $0.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || $0 == 64 } })
    }
}
