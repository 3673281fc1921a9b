import AthenaAPI
@testable import AthenaGateway
import EngineProtocol
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Testing

/// An engine whose behaviour is chosen per request by parameters: `grpc-status` answers that gRPC
/// error, `sleep-ms` waits first, otherwise one `echo` item per request item.
struct ScriptedEngineService: Athena_Engine_V1_Engine.SimpleServiceProtocol {
    func infer(request: Athena_Engine_V1_InferRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferResponse {
        if let ms = request.params["sleep-ms"].flatMap(Int.init) { try await Task.sleep(for: .milliseconds(ms)) }
        if let code = request.params["grpc-status"].flatMap(Int.init) {
            let codes: [Int: RPCError.Code] = [4: .deadlineExceeded, 12: .unimplemented, 13: .internalError, 14: .unavailable]
            throw RPCError(code: codes[code] ?? .unknown, message: "scripted: état \(code)")
        }
        var response = Athena_Engine_V1_InferResponse()
        response.requestID = request.requestID
        response.data = request.data.map { var out = $0; out.dataID = "echo_" + $0.dataID; return out }
        return response
    }

    func inferBatch(request: Athena_Engine_V1_InferBatchRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferBatchResponse {
        throw RPCError(code: .unimplemented, message: "no batches")
    }

    func session(request: RPCAsyncSequence<Athena_Engine_V1_InferRequest, any Error>, response: RPCWriter<Athena_Engine_V1_InferResponse>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "no sessions")
    }

    func describe(request: Athena_Engine_V1_DescribeRequest, context: ServerContext) async throws -> Athena_Engine_V1_DescribeResponse {
        Athena_Engine_V1_DescribeResponse()
    }
}

/// A TCP server that reads whatever arrives and then drops the connection: an engine that dies
/// in the middle of a call.
final class DroppingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.close(promise: nil)
    }
}

@Suite("Lean gRPC client (GRPCConnection) against real servers on 127.0.0.1")
struct GRPCConnectionTests {
    func withEngine(_ body: @Sendable (Int) async throws -> Void) async throws {
        try await withGRPCServer([ScriptedEngineService(), ServingHealthService()], body)
    }

    func engine(_ port: Int) throws -> GRPCEngine {
        try GRPCEngine(endpoint: HostPort(host: "127.0.0.1", port: port), logger: Logger(label: "test"))
    }

    func request(_ params: [String: String] = [:]) -> EngineRequest {
        EngineRequest(sid: "s1", service: "svc", parameters: params, items: [EngineItem(dataID: "image", kind: .image, data: Data([1, 2, 3]))])
    }

    @Test("unary calls, concurrent on one connection, and the health check")
    func unary() async throws {
        try await withEngine { port in
            let engine = try engine(port)
            #expect(await engine.checkHealth(timeout: .seconds(5)))
            try await withThrowingTaskGroup(of: EngineResponse.self) { group in
                for _ in 0..<50 { group.addTask { try await engine.infer(request(), deadline: .now + .seconds(10)) } }
                for try await response in group {
                    #expect(response.code == 0)
                    #expect(response.items == [EngineItem(dataID: "echo_image", kind: .image, status: .once, data: Data([1, 2, 3]))])
                }
            }
            await engine.shutdown()
        }
    }

    @Test("gRPC error statuses map to engine error kinds", arguments: [
        (13, EngineError.Kind.badResponse), (14, .unreachable), (12, .unsupported), (4, .timeout),
    ])
    func statuses(_ status: Int, _ kind: EngineError.Kind) async throws {
        try await withEngine { port in
            let engine = try engine(port)
            do {
                _ = try await engine.infer(request(["grpc-status": "\(status)"]), deadline: .now + .seconds(10))
                Issue.record("expected an error")
            } catch let error as EngineError {
                #expect(error.kind == kind)
                if kind == .badResponse { #expect(error.message.contains("scripted: état 13"), "\(error.message)") }
            }
            await engine.shutdown()
        }
    }

    @Test("deadline: the call fails on time with .timeout and the connection stays usable")
    func deadline() async throws {
        try await withEngine { port in
            let engine = try engine(port)
            let start = ContinuousClock.now
            await #expect(throws: EngineError.self) { try await engine.infer(request(["sleep-ms": "10000"]), deadline: .now + .milliseconds(200)) }
            // Well before the engine's 10 s answer; generous for a loaded 2-core machine.
            #expect(ContinuousClock.now - start < .seconds(5))
            do {
                _ = try await engine.infer(request(["sleep-ms": "10000"]), deadline: .now + .milliseconds(200))
            } catch let error as EngineError {
                #expect(error.kind == .timeout)
            }
            #expect(try await engine.infer(request(), deadline: .now + .seconds(10)).items.count == 1)
            await engine.shutdown()
        }
    }

    @Test("cancelling the calling task fails the call at once")
    func cancellation() async throws {
        try await withEngine { port in
            let engine = try engine(port)
            let task = Task { try await engine.infer(request(["sleep-ms": "10000"]), deadline: .now + .seconds(20)) }
            try await Task.sleep(for: .milliseconds(100))
            let start = ContinuousClock.now
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            // Far sooner than the engine's 10 s answer or the 20 s deadline.
            #expect(ContinuousClock.now - start < .seconds(4))
            await engine.shutdown()
        }
    }

    @Test("nothing listening: .unreachable at once")
    func refused() async throws {
        let port = try await Self.unusedPort()
        let engine = try engine(port)
        let start = ContinuousClock.now
        do {
            _ = try await engine.infer(request(), deadline: .now + .seconds(20))
            Issue.record("expected an error")
        } catch let error as EngineError {
            #expect(error.kind == .unreachable)
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(await engine.checkHealth(timeout: .seconds(1)) == false)
    }

    @Test("engine drops the connection mid-call → 502 with code 10222 through the gateway")
    func droppedMidCall() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(DroppingHandler()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let engine = try engine(port)
        do {
            _ = try await engine.infer(request(), deadline: .now + .seconds(10))
            Issue.record("expected an error")
        } catch let error as EngineError {
            #expect(error.kind == .transport || error.kind == .unreachable, "\(error)")
        }
        let gateway = try Gateway(table: Fixtures.table(endpoints: ["127.0.0.1:\(port)"]), options: GatewayOptions(port: 0))
        try await gateway.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
            #expect(response.status == .badGateway)
            #expect(try Fixtures.json(response)[path: ["header", "code"]] == 10222)
        }
        try await server.close()
    }

    @Test("engine errors through the gateway: deadline → 504/10114, UNAVAILABLE → 502")
    func gatewayStatuses() async throws {
        try await withEngine { port in
            let gateway = try Gateway(table: Fixtures.table(endpoints: ["127.0.0.1:\(port)"], limits: .init(timeoutSeconds: 2)), options: GatewayOptions(port: 0))
            try await gateway.makeApplication().test(.router) { client in
                let slow = #"{"parameter":{"digits":{"sleep-ms":"10000"}},"payload":{"image":{"image":"AA=="}}}"#
                let timedOut = try await client.execute(uri: "/v1/private/digits", method: .post, body: ByteBuffer(string: slow))
                #expect(timedOut.status == .gatewayTimeout)
                #expect(try Fixtures.json(timedOut)[path: ["header", "code"]] == 10114)
                let unavailable = #"{"parameter":{"digits":{"grpc-status":"14"}},"payload":{"image":{"image":"AA=="}}}"#
                let down = try await client.execute(uri: "/v1/private/digits", method: .post, body: ByteBuffer(string: unavailable))
                #expect(down.status == .badGateway)
                #expect(try Fixtures.json(down)[path: ["header", "code"]] == 10222)
            }
        }
    }

    static func unusedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }
}
