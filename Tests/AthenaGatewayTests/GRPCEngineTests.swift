import AthenaAPI
@testable import AthenaGateway
import EngineProtocol
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

/// A native engine over real gRPC: echoes frames as `result_<id>`, answers wrapper errors when
/// asked through a parameter, and serves grpc.health.v1.
struct EchoEngineService: Athena_Engine_V1_Engine.SimpleServiceProtocol {
    func infer(request: Athena_Engine_V1_InferRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferResponse {
        var response = Athena_Engine_V1_InferResponse()
        response.requestID = request.requestID
        if let code = request.params["fail"].flatMap(Int32.init) {
            response.code = code
            response.message = "wrapper said no"
            return response
        }
        response.data = request.data.map { frame in
            var out = frame
            out.dataID = "result_" + frame.dataID
            out.descArgs["service"] = request.serviceID
            out.descArgs["top_k"] = request.params["top_k"] ?? ""
            return out
        }
        response.status = .once
        return response
    }

    func inferBatch(request: Athena_Engine_V1_InferBatchRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferBatchResponse {
        var response = Athena_Engine_V1_InferBatchResponse()
        for one in request.requests { response.responses.append(try await infer(request: one, context: context)) }
        return response
    }

    func session(request: RPCAsyncSequence<Athena_Engine_V1_InferRequest, any Error>, response: RPCWriter<Athena_Engine_V1_InferResponse>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "no sessions")
    }

    func describe(request: Athena_Engine_V1_DescribeRequest, context: ServerContext) async throws -> Athena_Engine_V1_DescribeResponse {
        var response = Athena_Engine_V1_DescribeResponse()
        response.serviceID = "echo"
        return response
    }

}

/// grpc.health.v1 answering SERVING.
struct ServingHealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = .serving
        return response
    }

    func watch(request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "no watch")
    }
}

@Suite("Real gRPC engine (in-process server on 127.0.0.1)")
struct GRPCEngineTests {
    /// Runs an echo engine on an ephemeral port for the duration of `body`.
    func withEngine(_ body: @Sendable (Int) async throws -> Void) async throws {
        try await withGRPCServer([EchoEngineService(), ServingHealthService()], body)
    }

    @Test("ASE request through the gateway to a gRPC engine and back; readiness via grpc.health")
    func aseOverGRPC() async throws {
        try await withEngine { port in
            let table = Fixtures.table(endpoints: ["127.0.0.1:\(port)"])
            let gateway = try Gateway(table: table, options: GatewayOptions(port: 0))
            try await gateway.makeApplication().test(.router) { client in
                let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody(image: [1, 2, 3, 255], topK: 2))
                #expect(response.status == .ok)
                let json = try Fixtures.json(response)
                #expect(json[path: ["header", "code"]] == 0)
                #expect(json[path: ["payload", "result_image", "image"]]?.stringValue == Data([1, 2, 3, 255]).base64EncodedString())
                #expect(json[path: ["payload", "result_image", "top_k"]] == 2)
                #expect(json[path: ["payload", "result_image", "service"]] == "digits")
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok)

                let failing = #"{"parameter":{"digits":{"fail":30402}},"payload":{"image":{"image":"AA=="}}}"#
                let error = try await client.execute(uri: "/v1/private/digits", method: .post, body: ByteBuffer(string: failing))
                #expect(error.status == .badRequest)
                #expect(try Fixtures.json(error)[path: ["header", "code"]] == 30402)
            }
        }
    }

    @Test("nothing listening: fast 502 (not a wait until the deadline), readyz 503")
    func engineDown() async throws {
        // Bind and release a port so nothing listens on it.
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [EchoEngineService(), ServingHealthService()])
        let port: Int = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            let port = try await transport.listeningAddress.ipv4?.port ?? 1
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return port
        }
        let gateway = try Gateway(table: Fixtures.table(endpoints: ["127.0.0.1:\(port)"], limits: .init(timeoutSeconds: 20)), options: GatewayOptions(port: 0))
        try await gateway.makeApplication().test(.router) { client in
            let start = ContinuousClock.now
            let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
            #expect(response.status == .badGateway)
            #expect(try Fixtures.json(response)[path: ["header", "code"]] == 10222)
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)
        }
    }
}
