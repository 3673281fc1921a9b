import AthenaAPI
@testable import AthenaGateway
import EngineProtocol
import Foundation
import GRPCCore
import Logging
import NIOPosix
import Testing

/// An echo engine that can be slow (`sleep-ms` parameter) and implements `InferBatch` or not.
struct BatchEchoService: Athena_Engine_V1_Engine.SimpleServiceProtocol {
    let batches: Bool

    func infer(request: Athena_Engine_V1_InferRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferResponse {
        if let ms = request.params["sleep-ms"].flatMap(Int.init) { try await Task.sleep(for: .milliseconds(ms)) }
        var response = Athena_Engine_V1_InferResponse()
        response.requestID = request.requestID
        if request.params["fail"] != nil {
            response.code = 30003
            response.message = "asked to fail"
            return response
        }
        response.data = request.data.map { var out = $0; out.dataID = "echo_" + $0.dataID; return out }
        return response
    }

    func inferBatch(request: Athena_Engine_V1_InferBatchRequest, context: ServerContext) async throws -> Athena_Engine_V1_InferBatchResponse {
        guard batches else { throw RPCError(code: .unimplemented, message: "method not found: InferBatch") }
        var response = Athena_Engine_V1_InferBatchResponse()
        for one in request.requests { response.responses.append(try await infer(request: one, context: context)) }
        return response
    }

    func session(request: RPCAsyncSequence<Athena_Engine_V1_InferRequest, any Error>, response: RPCWriter<Athena_Engine_V1_InferResponse>, context: ServerContext) async throws {
        throw RPCError(code: .unimplemented, message: "no sessions")
    }

    func describe(request: Athena_Engine_V1_DescribeRequest, context: ServerContext) async throws -> Athena_Engine_V1_DescribeResponse {
        Athena_Engine_V1_DescribeResponse()
    }
}

@Suite("GRPCEngine batching over real gRPC (grpc-swift server on 127.0.0.1)")
struct GRPCEngineBatchingTests {
    static func request(_ n: Int, parameters: [String: String] = [:]) -> EngineRequest {
        EngineRequest(sid: "sid-\(n)", service: "echo", parameters: parameters,
                      items: [EngineItem(dataID: "in", kind: .image, data: Data("payload-\(n)".utf8))])
    }

    /// One slow call holds the only slot of the only connection; `count` requests queue behind
    /// it; returns their outcomes (in order) once all are answered.
    static func queueBehindSlowCall(
        engine: GRPCEngine, count: Int, failing: Set<Int> = []
    ) async throws -> [Result<EngineResponse, any Error>] {
        let deadline = ContinuousClock.now + .seconds(30)
        let slow = Task { try await engine.infer(request(0, parameters: ["sleep-ms": "300"]), deadline: deadline) }
        // The slow call is in flight once a second request has to wait.
        let probe = Task { try await engine.infer(request(1), deadline: deadline) }
        try await until("the probe waits") { engine.waiting == 1 }
        let queued = (2..<(count + 1)).map { n in
            Task { try await engine.infer(request(n, parameters: failing.contains(n) ? ["fail": "1"] : [:]), deadline: deadline) }
        }
        try await until("all wait") { engine.waiting == count }
        _ = try await slow.value
        var results: [Result<EngineResponse, any Error>] = [await probe.result]
        for task in queued { results.append(await task.result) }
        return results
    }

    @Test("requests queued behind a call in flight go out as one InferBatch; each gets its own answer")
    func batched() async throws {
        try await withGRPCServer([BatchEchoService(batches: true)]) { port in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let engine = try GRPCEngine(
                endpoint: HostPort(host: "127.0.0.1", port: port), logger: Logger(label: "test"),
                batching: EngineBatching(maxBatchSize: 32, maxCallsInFlight: 1), group: group)
            let results = try await Self.queueBehindSlowCall(engine: engine, count: 10, failing: [5])
            for (offset, result) in results.enumerated() {
                let n = offset + 1
                let response = try result.get()
                if n == 5 {
                    #expect(response.code == 30003, "a failing request keeps its own code")
                } else {
                    #expect(response.code == 0)
                    #expect(response.items.first?.dataID == "echo_in")
                    #expect(response.items.first?.data == Data("payload-\(n)".utf8), "request \(n) got its own answer")
                }
            }
            #expect(engine.batchedCounts.calls == 1)
            #expect(engine.batchedCounts.requests == 10)
            #expect(engine.isBatching)
            // The batch ended with nobody waiting: its slot was held for its clients (an event-loop
            // timer of at most 2 ms). One coming back alone is still sent, once the hold ends.
            #expect(engine.batchHolds == 1)
            let started = ContinuousClock.now
            let next = try await engine.infer(Self.request(11), deadline: .now + .seconds(30))
            #expect(next.items.first?.data == Data("payload-11".utf8))
            #expect(started.duration(to: .now) < .seconds(1))
            #expect(engine.batchedCounts.calls == 1)
            await engine.shutdown()
            try await group.shutdownGracefully()
        }
    }

    @Test("an engine without InferBatch answers UNIMPLEMENTED: the queued requests are sent one by one, none lost")
    func fallsBackToUnary() async throws {
        try await withGRPCServer([BatchEchoService(batches: false)]) { port in
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let engine = try GRPCEngine(
                endpoint: HostPort(host: "127.0.0.1", port: port), logger: Logger(label: "test"),
                batching: EngineBatching(maxBatchSize: 32, maxCallsInFlight: 1), group: group)
            let results = try await Self.queueBehindSlowCall(engine: engine, count: 6)
            for (offset, result) in results.enumerated() {
                #expect(try result.get().items.first?.data == Data("payload-\(offset + 1)".utf8))
            }
            #expect(!engine.isBatching)
            // Afterwards requests do not wait for a slot at all.
            let deadline = ContinuousClock.now + .seconds(30)
            let slow = Task { try await engine.infer(Self.request(100, parameters: ["sleep-ms": "200"]), deadline: deadline) }
            let quick = try await engine.infer(Self.request(101), deadline: deadline)
            #expect(quick.items.first?.data == Data("payload-101".utf8))
            #expect(engine.waiting == 0)
            _ = try await slow.value
            await engine.shutdown()
            try await group.shutdownGracefully()
        }
    }
}
