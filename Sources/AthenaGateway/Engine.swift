public import AthenaAPI

/// One engine endpoint as the gateway sees it: the seam between request handling and the wire
/// (gRPC `athena.engine.v1`, a plain HTTP engine, or a fake in tests).
///
/// Implementations keep their connections long-lived and must honour `deadline` themselves
/// (gRPC deadlines, HTTP client deadlines) so the gateway needs no timer task per request.
public protocol Engine: Sendable {
    /// Runs a once request. Throws `EngineError` for transport failures; wrapper errors come back
    /// as a response with a non-zero `code`.
    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse

    /// Opens a streaming session (WebSocket/SSE front-ends). Engines without sessions throw
    /// `EngineError(.unsupported, …)`.
    func openSession(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> any EngineSession

    /// An active health check (grpc.health.v1, or HTTP GET on the health path).
    func checkHealth(timeout: Duration) async -> Bool

    /// Releases connections; called when the endpoint leaves the routing table.
    func shutdown() async
}

extension Engine {
    public func openSession(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> any EngineSession {
        throw EngineError(.unsupported, "this engine does not support streaming sessions")
    }

    public func shutdown() async {}
}

/// An engine that can also start a once call without a task: from the event loop the request
/// arrived on, when it has a connection ready there (the usual case under load). The request
/// path then runs as callbacks on that loop (``Gateway/handleNow(_:answer:)``): no task, no
/// executor job, no async frames per request — on the pass-through hop those cost more CPU than
/// everything else the gateway does.
public protocol ImmediateEngine: Engine {
    /// Starts the call and returns `true`; `completion` then runs exactly once, on this event
    /// loop. Returns `false`, having done nothing, when the call cannot start at once (no
    /// connection ready on this loop, deadline already passed): the caller uses ``infer``.
    func inferNow(_ request: EngineRequest, deadline: ContinuousClock.Instant,
                  completion: @escaping @Sendable (ImmediateOutcome) -> Void) -> Bool
}

/// How a call started by ``ImmediateEngine/inferNow(_:deadline:completion:)`` ended.
public enum ImmediateOutcome: Sendable {
    case answered(EngineResponse)
    case failed(EngineError)
    /// The request did not reach the engine (a keep-alive connection the engine had closed):
    /// it may be sent again, through ``Engine/infer(_:deadline:)``.
    case notSent
}

/// A bidirectional stream of frames with an engine (ASE status 0/1/2 sessions).
public protocol EngineSession: Sendable {
    /// Sends frames of the next request chunk; returns once they are on their way (flow control:
    /// a fast client waits here for a slow engine).
    func send(_ items: [EngineItem]) async throws
    /// Results as the engine produces them; finishes after the last (status 2) frame.
    var responses: AsyncThrowingStream<EngineResponse, any Error> { get }
    /// The oldest response taken from `responses` was passed on to the client: the engine may
    /// send more (flow control: a slow client slows the engine down instead of filling memory).
    func acknowledge()
    /// Ends the session early (client went away).
    func close() async
}

extension EngineSession {
    public func acknowledge() {}
}

/// Makes the engine for one endpoint of a version.
public protocol EngineFactory: Sendable {
    func makeEngine(endpoint: HostPort, version: VersionRoute) throws -> any Engine
}
