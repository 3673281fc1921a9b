import EngineProtocol
import Foundation
import GRPCCore

// The no-op engine on grpc-swift-2's server (`--grpc-swift`): the reference implementation of the
// protocol, kept to compare with the lean frame-level server in NoopFrameHandler.swift.

/// The no-op engine service.
struct NoopEngine: Athena_Engine_V1_Engine.SimpleServiceProtocol {
    static let result: Athena_Engine_V1_GeneralData = {
        var item = Athena_Engine_V1_GeneralData()
        item.dataID = "result"
        item.dataType = .text
        item.status = .once
        item.descArgs = ["encoding": "utf8"]
        item.data = Data(#"{"ok":true}"#.utf8)
        return item
    }()

    /// The answer to every Infer (without the request id).
    static let answer: Athena_Engine_V1_InferResponse = {
        var response = Athena_Engine_V1_InferResponse()
        response.code = 0
        response.message = "success"
        response.data = [result]
        response.status = .once
        return response
    }()

    func infer(request: Athena_Engine_V1_InferRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferResponse {
        var response = Athena_Engine_V1_InferResponse()
        response.code = 0
        response.message = "success"
        response.data = [Self.result]
        response.status = .once
        response.requestID = request.requestID
        return response
    }

    func inferBatch(request: Athena_Engine_V1_InferBatchRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferBatchResponse {
        var response = Athena_Engine_V1_InferBatchResponse()
        response.responses = request.requests.map { one in
            var answer = Self.answer
            answer.requestID = one.requestID
            return answer
        }
        return response
    }

    func session(request: RPCAsyncSequence<Athena_Engine_V1_InferRequest, any Error>,
                 response: RPCWriter<Athena_Engine_V1_InferResponse>, context: ServerContext) async throws {
        for try await message in request {
            var answer = Athena_Engine_V1_InferResponse()
            answer.data = [Self.result]
            answer.status = .continue
            answer.requestID = message.requestID
            try await response.write(answer)
        }
    }

    func describe(request: Athena_Engine_V1_DescribeRequest, context: ServerContext) async throws -> Athena_Engine_V1_DescribeResponse {
        var response = Athena_Engine_V1_DescribeResponse()
        response.serviceID = "noop"
        response.version = "v1"
        return response
    }
}

/// grpc.health.v1: always SERVING.
struct NoopHealth: Grpc_Health_V1_Health.SimpleServiceProtocol {
    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = .serving
        return response
    }

    func watch(request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
               context: ServerContext) async throws {
        var status = Grpc_Health_V1_HealthCheckResponse()
        status.status = .serving
        try await response.write(status)
        try await Task.sleep(for: .seconds(86_400))
    }
}

