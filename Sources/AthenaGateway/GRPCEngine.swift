import AthenaAPI
import EngineProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// An engine speaking `athena.engine.v1` over gRPC (HTTP/2, plaintext on the pod network).
///
/// One long-lived HTTP/2 connection per endpoint (`GRPCConnection`, a lean unary client on
/// SwiftNIO HTTP/2), multiplexed by every request: a call costs one stream, no connect. The
/// request is written straight into the gRPC frame (`EngineWire`) and the answer read straight
/// into an `EngineResponse`. A dead engine fails at once (`.unreachable`, no wait-for-ready) so
/// the dispatcher can retry elsewhere instead of waiting out the deadline.
final class GRPCEngine: Engine {
    static let inferPath = "/athena.engine.v1.Engine/Infer"
    static let inferBatchPath = "/athena.engine.v1.Engine/InferBatch"
    static let healthPath = "/grpc.health.v1.Health/Check"

    let endpoint: HostPort
    /// One connection per event loop of the group (each connects on first use): a request
    /// handled on loop L calls through L's connection, so the call never hops threads.
    private let connections: [GRPCConnection]
    /// Requests queued behind the calls in flight to this engine, whichever loop they came from:
    /// `maxCallsInFlight` is what the engine process sees at once. A call (alone or a batch) goes
    /// out on the connection of the loop its leading request runs on.
    private let batcher: InferBatcher
    private let cursor: ManagedAtomicCounter

    init(
        endpoint: HostPort, logger: Logger, batching: EngineBatching = EngineBatching(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        self.endpoint = endpoint
        let connections = group.makeIterator().map { GRPCConnection(host: endpoint.host, port: endpoint.port, eventLoop: $0) }
        let cursor = ManagedAtomicCounter()
        self.connections = connections
        self.cursor = cursor
        self.batcher = InferBatcher(batching, endpoint: endpoint.description, schedule: InferBatcher.eventLoopSchedule(group)) { requests, deadline, completion in
            Self.send(requests, on: Self.connection(of: connections, cursor: cursor), deadline: deadline, completion: completion)
        }
    }

    /// The connection on the caller's event loop, else the next one round-robin.
    private static func connection(of connections: [GRPCConnection], cursor: ManagedAtomicCounter) -> GRPCConnection {
        if let current = MultiThreadedEventLoopGroup.currentEventLoop {
            for connection in connections where connection.eventLoop === current { return connection }
        }
        return connections[cursor.next() % connections.count]
    }

    private var connection: GRPCConnection { Self.connection(of: connections, cursor: cursor) }

    /// The connection a session opens on (the caller's loop's, as for a call).
    var sessionConnection: GRPCConnection { connection }

    /// Whether `InferBatch` is still in use (tests).
    var isBatching: Bool { batcher.isEnabled }

    /// Requests waiting for a call slot right now (tests).
    var waiting: Int { batcher.waiting }

    /// Freed slots held so far for the clients of a batch (tests).
    var batchHolds: Int { batcher.holding.total }

    /// Batched calls made and the requests they carried (tests).
    var batchedCounts: (calls: Int, requests: Int) { batcher.batchedCounts }

    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        guard ContinuousClock.now < deadline else { throw EngineError(.timeout, "deadline passed before the call") }
        return try await batcher.infer(request, deadline: deadline)
    }

    /// One call on `connection`: `Infer` for one request, `InferBatch` for several; `completion`
    /// runs once, on the connection's event loop (or here, when the deadline has passed).
    private static func send(
        _ requests: [EngineRequest], on connection: GRPCConnection, deadline: ContinuousClock.Instant,
        completion: @escaping @Sendable (Result<[EngineResponse], any Error>) -> Void
    ) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else {
            completion(.failure(EngineError(.timeout, "deadline passed before the call")))
            return
        }
        let single = requests.count == 1
        let message = single ? EngineWire.framedRequest(requests[0]) : EngineWire.framedBatchRequest(requests)
        connection.unary(path: single ? Self.inferPath : Self.inferBatchPath, message: message, deadline: .now() + TimeAmount(remaining)) { result in
            switch result {
            case .success(let message):
                do {
                    completion(.success(single ? [try EngineWire.decodeResponse(message)] : try EngineWire.decodeBatchResponse(message)))
                } catch {
                    completion(.failure(EngineError(.badResponse, "undecodable \(single ? "InferResponse" : "InferBatchResponse"): \(error)")))
                }
            case .failure(let error as GRPCStatusError):
                completion(.failure(error.engineError))
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    func checkHealth(timeout: Duration) async -> Bool {
        guard let message = try? await call(Self.healthPath, EngineWire.framedHealthCheck(service: ""), remaining: timeout) else { return false }
        return (try? EngineWire.healthStatus(message)) == 1
    }

    func shutdown() async {
        for connection in connections { await connection.close() }
    }

    private func call(_ path: String, _ message: ByteBuffer, remaining: Duration) async throws -> ByteBuffer {
        do {
            return try await connection.unary(path: path, message: message, deadline: .now() + TimeAmount(remaining))
        } catch let error as GRPCStatusError {
            throw error.engineError
        }
    }
}

/// A lock-free round-robin counter.
final class ManagedAtomicCounter: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int {
        value.add(1, ordering: .relaxed).newValue & Int.max
    }
}

extension GRPCEngine: ImmediateEngine {
    /// Always starts (batched or queued for a batch, as `infer` would) when called on an event
    /// loop before the deadline; `completion` comes back on that loop.
    func inferNow(_ request: EngineRequest, deadline: ContinuousClock.Instant,
                  completion: @escaping @Sendable (ImmediateOutcome) -> Void) -> Bool {
        guard ContinuousClock.now < deadline, let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return false }
        batcher.submit(request, deadline: deadline) { result in
            let outcome: ImmediateOutcome
            switch result {
            case .success(let response): outcome = .answered(response)
            case .failure(let error as EngineError): outcome = .failed(error)
            case .failure(let error): outcome = .failed(EngineError(.transport, "\(error)"))
            }
            if loop.inEventLoop { completion(outcome) } else { loop.execute { completion(outcome) } }
        }
        return true
    }
}

extension InferBatcher {
    /// Timers on the caller's event loop (the request's own loop; any loop of `group` otherwise).
    static func eventLoopSchedule(_ group: any EventLoopGroup) -> Schedule {
        { delay, body in
            let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
            loop.scheduleTask(in: TimeAmount(delay)) { body() }
        }
    }
}
