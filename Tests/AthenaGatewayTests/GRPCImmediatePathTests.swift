import AthenaAPI
@testable import AthenaGateway
import Foundation
import KubeModel
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// gRPC engines on the immediate path: over a real socket, requests to a grpc-swift engine go
/// out without a task — alone, queued for a batch, or in the batch they lead — and each gets
/// its own answer; wrapper errors and an unreachable engine answer as on the task path.
@Suite("Immediate path to gRPC engines (real sockets, grpc-swift engine on 127.0.0.1)")
struct GRPCImmediatePathTests {
    /// The gateway on a real socket in front of `endpoints` (service `digits`, the fixtures'
    /// schema); `body` gets it and a keep-alive client to it.
    func withGateway(endpoints: [String], _ body: @escaping @Sendable (Gateway, HTTPConnectionPool) async throws -> Void) async throws {
        try await withLiveGateway(Fixtures.table(endpoints: endpoints, limits: .init(timeoutSeconds: 20)), body)
    }

    static func post(_ client: HTTPConnectionPool, _ body: ByteBuffer) async throws -> (status: Int, json: JSONValue?) {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/private/digits", headers: ["content-type": "application/json", "host": "gw"])
        let reply = try await client.execute(head, body: body, deadline: .now() + .seconds(20))
        return (reply.status, try? JSONDecoder().decode(JSONValue.self, from: Data(reply.body.readableBytesView)))
    }

    @Test("sequential and concurrent ASE requests reach the engine without a task, each answered with its own data")
    func answersWithoutATask() async throws {
        try await withGRPCServer([EchoEngineService(), ServingHealthService()]) { enginePort in
            try await withGateway(endpoints: ["127.0.0.1:\(enginePort)"]) { gateway, client in
                for i in 0..<10 {
                    let reply = try await Self.post(client, Fixtures.aseBody(image: [UInt8(i), 1, 2]))
                    #expect(reply.status == 200)
                    #expect(reply.json?[path: ["payload", "result_image", "image"]]?.stringValue == Data([UInt8(i), 1, 2]).base64EncodedString())
                }
                // Concurrent: some wait for the slot and go out in a batch led by another request.
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for i in 0..<40 {
                        group.addTask {
                            let reply = try await Self.post(client, Fixtures.aseBody(image: [UInt8(i), 9]))
                            return reply.status == 200
                                && reply.json?[path: ["payload", "result_image", "image"]]?.stringValue == Data([UInt8(i), 9]).base64EncodedString()
                        }
                    }
                    var correct = 0
                    for try await ok in group where ok { correct += 1 }
                    #expect(correct == 40)
                }
                #expect(gateway.metrics.immediateCalls.load(ordering: .relaxed) == 50)
            }
        }
    }

    @Test("a wrapper error keeps its code; an unreachable engine answers 502 (task path retry) at once")
    func failures() async throws {
        try await withGRPCServer([EchoEngineService(), ServingHealthService()]) { enginePort in
            try await withGateway(endpoints: ["127.0.0.1:\(enginePort)"]) { _, client in
                let failing = ByteBuffer(string: #"{"parameter":{"digits":{"fail":30402}},"payload":{"image":{"image":"AA=="}}}"#)
                let reply = try await Self.post(client, failing)
                #expect(reply.status == 400)
                #expect(reply.json?[path: ["header", "code"]] == 30402)
            }
        }
        // Nothing listens on this port any more.
        let released = Mutex(0)
        try await withGRPCServer([EchoEngineService()]) { port in released.withLock { $0 = port } }
        let closed = released.withLock { $0 }
        try await withGateway(endpoints: ["127.0.0.1:\(closed)"]) { _, client in
            let start = ContinuousClock.now
            let reply = try await Self.post(client, Fixtures.aseBody())
            #expect(reply.status == 502)
            #expect(reply.json?[path: ["header", "code"]] == 10222)
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }
}
