import NIOCore
import Synchronization

/// A streaming session with a gRPC engine (`athena.engine.v1.Engine/Session`), as the gateway's
/// WebSocket and SSE front-ends use it: frames go out in the order `send` is called, results
/// come out of `responses` as the engine produces them.
final class GRPCEngineSession: EngineSession {
    static let path = "/athena.engine.v1.Engine/Session"

    let responses: AsyncThrowingStream<EngineResponse, any Error>
    private let connection: GRPCConnection
    private let call: GRPCSessionCall
    private let sid: String
    private let service: String
    /// Wire sizes of the responses handed to `responses` and not yet acknowledged, in order.
    private let sizes: SizeQueue

    /// Opens the session with `request` (its parameters, headers and first frames).
    static func open(_ request: EngineRequest, on connection: GRPCConnection) async throws -> GRPCEngineSession {
        let (responses, continuation) = AsyncThrowingStream.makeStream(of: EngineResponse.self, throwing: (any Error).self)
        let ends = EngineItem.endInput(request.items)
        let sizes = SizeQueue()
        let call = try await connection.openSession(path: path, opening: EngineWire.framedRequest(request), openingEnds: ends) { event in
            switch event {
            case .message(let message):
                do {
                    let response = try EngineWire.decodeResponse(message)
                    sizes.push(message.readableBytes + 5)
                    continuation.yield(response)
                } catch {
                    continuation.finish(throwing: EngineError(.badResponse, "undecodable InferResponse: \(error)"))
                }
            case .finished:
                continuation.finish()
            case .failed(let error as GRPCStatusError):
                continuation.finish(throwing: error.engineError)
            case .failed(let error):
                continuation.finish(throwing: error)
            }
        }
        return GRPCEngineSession(responses: responses, connection: connection, call: call, sid: request.sid, service: request.service,
                                 sizes: sizes)
    }

    private init(responses: AsyncThrowingStream<EngineResponse, any Error>, connection: GRPCConnection, call: GRPCSessionCall,
                 sid: String, service: String, sizes: SizeQueue) {
        self.responses = responses
        self.sizes = sizes
        self.connection = connection
        self.call = call
        self.sid = sid
        self.service = service
    }

    /// Sends the frames; the message that carries an `end` frame also half-closes the stream (the
    /// engine then knows no more input comes).
    func send(_ items: [EngineItem]) async throws {
        let request = EngineRequest(sid: sid, service: service, items: items)
        try await connection.send(EngineWire.framedRequest(request), end: EngineItem.endInput(items), on: call)
    }

    /// Responses delivered and not yet acknowledged (tests).
    var unacknowledged: Int { sizes.count }

    func acknowledge() {
        if let bytes = sizes.pop() { connection.consumed(bytes, on: call) }
    }

    func close() async {
        connection.cancel(call)
    }
}

extension GRPCEngine {
    func openSession(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> any EngineSession {
        guard ContinuousClock.now < deadline else { throw EngineError(.timeout, "deadline passed before the session opened") }
        return try await GRPCEngineSession.open(request, on: sessionConnection)
    }
}

/// The wire sizes of delivered responses, first in first out (pushed on the event loop, popped by
/// the consumer's task).
private final class SizeQueue: Sendable {
    private let sizes = Mutex<[Int]>([])

    func push(_ size: Int) { sizes.withLock { $0.append(size) } }

    func pop() -> Int? { sizes.withLock { $0.isEmpty ? nil : $0.removeFirst() } }

    var count: Int { sizes.withLock { $0.count } }
}
