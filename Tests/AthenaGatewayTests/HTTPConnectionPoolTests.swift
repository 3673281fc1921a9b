import AthenaAPI
import Foundation
@testable import AthenaGateway
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@Suite("Keep-alive connection pool to plain HTTP engines")
struct HTTPConnectionPoolTests {
    func head(_ path: String) -> HTTPRequestHead {
        HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: ["host": "engine", "content-type": "application/json", "content-length": "7"])
    }

    @Test("sequential requests reuse one connection")
    func reuse() async throws {
        let server = try await ScriptedHTTPServer.start()
        let pool = HTTPConnectionPool(host: "127.0.0.1", port: server.port)
        for i in 0..<5 {
            let reply = try await pool.execute(head("/echo"), body: ByteBuffer(string: "{\"i\":\(i)}"), deadline: .now() + .seconds(5))
            #expect(reply.status == 200)
            #expect(String(buffer: reply.body) == "{\"i\":\(i)}")
            #expect(reply.contentType == "application/json")
        }
        #expect(server.connections == 1)
        #expect(pool.idleCount == 1)
        pool.shutdown()
        await server.stop()
    }

    @Test("a request on an event loop uses that loop's connections, never another loop's")
    func loopLocal() async throws {
        let server = try await ScriptedHTTPServer.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pool = HTTPConnectionPool(host: "127.0.0.1", port: server.port, group: group)
        let loops = Array(group.makeIterator())
        // Requests as the gateway makes them: from a task running on the loop's own executor.
        func call(on loop: any EventLoop, _ i: Int) async throws -> HTTPEngineReply {
            try await Task(executorPreference: EventLoopTaskExecutor.on(loop)) {
                #expect(MultiThreadedEventLoopGroup.currentEventLoop === loop)
                return try await pool.execute(head("/echo"), body: ByteBuffer(string: "{\"i\":\(i)}"), deadline: .now() + .seconds(5))
            }.value
        }
        _ = try await call(on: loops[0], 0)
        #expect(pool.idleCount(on: loops[0]) == 1)
        // Loop 1 finds only loop 0's idle connection: it opens its own instead of borrowing it.
        let reply = try await call(on: loops[1], 1)
        #expect(String(buffer: reply.body) == "{\"i\":1}")
        #expect(server.connections == 2)
        #expect(pool.idleCount(on: loops[0]) == 1 && pool.idleCount(on: loops[1]) == 1)
        // And from then on each loop reuses its own.
        _ = try await call(on: loops[0], 2)
        _ = try await call(on: loops[1], 3)
        #expect(server.connections == 2)
        pool.shutdown()
        await server.stop()
        try await group.shutdownGracefully()
    }

    @Test("an answer with connection: close is not pooled; the next request opens a new connection")
    func connectionClose() async throws {
        let server = try await ScriptedHTTPServer.start()
        let pool = HTTPConnectionPool(host: "127.0.0.1", port: server.port)
        let first = try await pool.execute(head("/bye"), body: ByteBuffer(string: "{\"a\":1}"), deadline: .now() + .seconds(5))
        #expect(first.status == 200 && !first.keepAlive)
        #expect(pool.idleCount == 0)
        let second = try await pool.execute(head("/echo"), body: ByteBuffer(string: "{\"a\":2}"), deadline: .now() + .seconds(5))
        #expect(String(buffer: second.body) == "{\"a\":2}")
        #expect(server.connections == 2)
        pool.shutdown()
        await server.stop()
    }

    @Test("an idle connection the engine closed is replaced, the request succeeds")
    func upstreamClosesIdle() async throws {
        let server = try await ScriptedHTTPServer.start()
        let pool = HTTPConnectionPool(host: "127.0.0.1", port: server.port)
        _ = try await pool.execute(head("/drop"), body: ByteBuffer(string: "{\"a\":1}"), deadline: .now() + .seconds(5))
        try await poll { server.connections == 1 }
        try await Task.sleep(for: .milliseconds(100))  // the engine's keep-alive timeout (20 ms) has passed
        let reply = try await pool.execute(head("/echo"), body: ByteBuffer(string: "{\"a\":2}"), deadline: .now() + .seconds(5))
        #expect(String(buffer: reply.body) == "{\"a\":2}")
        #expect(server.connections == 2)
        pool.shutdown()
        await server.stop()
    }

    @Test("the deadline fails the call with a timeout and drops the connection")
    func timeout() async throws {
        let server = try await ScriptedHTTPServer.start()
        let pool = HTTPConnectionPool(host: "127.0.0.1", port: server.port)
        let start = ContinuousClock.now
        await #expect(throws: HTTPEngineConnectionError.timeout) {
            _ = try await pool.execute(head("/slow"), body: ByteBuffer(string: "{\"a\":1}"), deadline: .now() + .milliseconds(200))
        }
        // Well before the engine's 10 s answer; generous for a loaded 2-core machine.
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(pool.idleCount == 0)
        pool.shutdown()
        await server.stop()
    }

    @Test("an engine hanging up without an answer is a transport error, not retried as unreached")
    func hangup() async throws {
        let server = try await ScriptedHTTPServer.start()
        let engine = HTTPEngine(endpoint: HostPort(host: "127.0.0.1", port: server.port), shape: HTTPEngineShape(path: "/hangup"))
        let request = EngineRequest(sid: "s1", service: "svc", items: [EngineItem(dataID: "body", data: Data("{}".utf8))])
        do {
            _ = try await engine.infer(request, deadline: .now + .seconds(5))
            Issue.record("expected an error")
        } catch let error as EngineError {
            #expect(error.kind == .transport)
        }
        await engine.shutdown()
        await server.stop()
    }

    @Test("connect refused is 'unreachable' (retryable)")
    func connectRefused() async throws {
        let port = try await unusedPort()
        let engine = HTTPEngine(endpoint: HostPort(host: "127.0.0.1", port: port), shape: HTTPEngineShape(path: "/echo"))
        let request = EngineRequest(sid: "s1", service: "svc", items: [EngineItem(dataID: "body", data: Data("{}".utf8))])
        do {
            _ = try await engine.infer(request, deadline: .now + .seconds(5))
            Issue.record("expected an error")
        } catch let error as EngineError {
            #expect(error.kind == .unreachable)
        }
        #expect(await engine.checkHealth(timeout: .seconds(1)) == false)
    }

    @Test("64 concurrent requests all answered, connections bounded by concurrency")
    func concurrent() async throws {
        let server = try await ScriptedHTTPServer.start()
        let pool = HTTPConnectionPool(host: "127.0.0.1", port: server.port)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let body = "{\"n\":\(i % 10)}"
                    let reply = try await pool.execute(self.head("/echo"), body: ByteBuffer(string: body), deadline: .now() + .seconds(10))
                    return String(buffer: reply.body) == body
                }
            }
            var ok = 0
            for try await answered in group where answered { ok += 1 }
            #expect(ok == 64)
        }
        #expect(server.connections <= 64)
        #expect(pool.idleCount == server.connections)
        pool.shutdown()
        await server.stop()
    }
}

/// A port nobody listens on: bind, read it back, close.
func unusedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 1
    try await channel.close()
    return port
}
