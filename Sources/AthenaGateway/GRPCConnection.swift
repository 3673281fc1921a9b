import NIOCore
import NIOHTTP2
import NIOPosix

/// A lean gRPC client for one engine endpoint: one HTTP/2 connection (plaintext, prior
/// knowledge), each call one stream, everything on one event loop. Unary calls for once
/// requests; bidirectional session calls (``GRPCSessionCall``) for the streaming front-ends.
///
/// Why not grpc-swift's `GRPCClient`: for a unary call it creates a child channel with its own
/// pipeline per stream, an async request/response sequence pair, several task and executor hops
/// and much unspecialised generic code (profile of bench (b): most of the gateway's time). Here a
/// call is two frames out, three in, and one continuation resumed from the event loop. A session
/// is the same stream handling with more messages each way.
///
/// Connects lazily on the first call and again after the connection closes or the engine sends
/// GOAWAY; calls made while connecting wait for that attempt. There is no wait-for-ready: when
/// the engine cannot be reached the call fails at once with `.unreachable`, so the dispatcher can
/// retry on another endpoint.
final class GRPCConnection: @unchecked Sendable {
    let host: String
    let port: Int
    let eventLoop: any EventLoop
    let connectTimeout: TimeAmount

    private enum State {
        case idle
        case connecting([GRPCUnaryCall], [GRPCSessionCall])
        case ready(any Channel, GRPCStreamHandler)
        case closed
    }

    /// Only touched on `eventLoop`.
    private var state = State.idle

    init(host: String, port: Int, eventLoop: any EventLoop, connectTimeout: TimeAmount = .seconds(3)) {
        self.host = host
        self.port = port
        self.eventLoop = eventLoop
        self.connectTimeout = connectTimeout
    }

    /// One unary call: `message` is the framed request (5-byte prefix included); the result is
    /// the response message without its prefix. Throws `EngineError` or `GRPCStatusError`.
    func unary(path: String, message: ByteBuffer, deadline: NIODeadline) async throws -> ByteBuffer {
        let box = CallBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer, any Error>) in
                let call = GRPCUnaryCall(path: path, message: message, deadline: deadline) { continuation.resume(with: $0) }
                let start: @Sendable () -> Void = {
                    box.call = call
                    if box.cancelledEarly { call.finish(.failure(CancellationError())) } else { self.submit(call) }
                }
                if eventLoop.inEventLoop { start() } else { eventLoop.execute(start) }
            }
        } onCancel: {
            eventLoop.execute {
                guard let call = box.call else { box.cancelledEarly = true; return }
                self.cancel(call)
            }
        }
    }

    /// The same call without a task: `completion` runs once, on this connection's event loop
    /// (and at once, from here, if the call fails before it starts). No cancellation: the
    /// deadline bounds it.
    func unary(path: String, message: ByteBuffer, deadline: NIODeadline,
               completion: @escaping @Sendable (Result<ByteBuffer, any Error>) -> Void) {
        let call = GRPCUnaryCall(path: path, message: message, deadline: deadline, completion: completion)
        if eventLoop.inEventLoop { submit(call) } else { eventLoop.execute { self.submit(call) } }
    }

    /// Opens a session stream with `opening` (a framed request message) and returns once its
    /// HEADERS are on their way; `receive` then gets the response messages and the end, in
    /// order, on this connection's event loop. Throws `EngineError(.unreachable)` when no stream
    /// could be opened (the engine never saw the session: it may be opened elsewhere).
    func openSession(path: String, opening: ByteBuffer, openingEnds: Bool, receive: @escaping @Sendable (GRPCSessionCall.Event) -> Void) async throws -> GRPCSessionCall {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<GRPCSessionCall, any Error>) in
            let box = SessionBox()
            let call = GRPCSessionCall(path: path, opening: opening, openingEnds: openingEnds, opened: { result in
                continuation.resume(with: result.map { box.call! })
            }, receive: receive)
            box.call = call
            let start: @Sendable () -> Void = { self.submit(call) }
            if eventLoop.inEventLoop { start() } else { eventLoop.execute(start) }
        }
    }

    /// Sends one more framed message on `call` (`end`: and half-closes); completes once it is
    /// written (the engine's flow control allowing).
    func send(_ message: ByteBuffer, end: Bool, on call: GRPCSessionCall) async throws {
        let written = eventLoop.makePromise(of: Void.self)
        eventLoop.execute {
            guard let owner = call.owner else {
                return written.fail(EngineError(.transport, "the session with the engine is over"))
            }
            owner.send(message, end: end, on: call, written: written)
        }
        try await written.futureResult.get()
    }

    /// The consumer passed on a session message of `bytes` (flow control, see
    /// `GRPCStreamHandler.sessionBacklog`).
    func consumed(_ bytes: Int, on call: GRPCSessionCall) {
        eventLoop.execute { call.owner?.consumed(call, bytes: bytes) }
    }

    /// Ends `call` from the client's side (resets its stream if still open).
    func cancel(_ call: GRPCSessionCall) {
        eventLoop.execute {
            if let owner = call.owner {
                owner.cancel(call)  // resets the stream on the connection that carries it
            } else if case .connecting(let unary, var sessions) = self.state {
                sessions.removeAll { $0 === call }
                self.state = .connecting(unary, sessions)
                call.finish(.failed(CancellationError()))
            } else {
                call.finish(.failed(CancellationError()))
            }
        }
    }

    /// Closes the connection; calls in flight fail.
    func close() async {
        let future: EventLoopFuture<Void> = eventLoop.flatSubmit {
            let previous = self.state
            self.state = .closed
            switch previous {
            case .ready(let channel, _):
                return channel.close().recover { _ in }
            case .connecting(let waiting, let sessions):
                for call in waiting { call.finish(.failure(EngineError(.unreachable, "engine client closed"))) }
                for session in sessions { session.reportOpened(.failure(EngineError(.unreachable, "engine client closed"))) }
                return self.eventLoop.makeSucceededVoidFuture()
            case .idle, .closed:
                return self.eventLoop.makeSucceededVoidFuture()
            }
        }
        try? await future.get()
    }

    // MARK: - On the event loop

    private func submit(_ call: GRPCUnaryCall) {
        if NIODeadline.now() >= call.deadline {
            call.finish(.failure(EngineError(.timeout, "deadline passed before the call")))
            return
        }
        switch state {
        case .ready(_, let handler) where handler.usable:
            handler.start(call)
        case .ready, .idle:
            state = .connecting([call], [])
            connect()
        case .connecting(var waiting, let sessions):
            waiting.append(call)
            state = .connecting(waiting, sessions)
        case .closed:
            call.finish(.failure(EngineError(.unreachable, "engine client closed")))
        }
    }

    private func submit(_ session: GRPCSessionCall) {
        switch state {
        case .ready(_, let handler) where handler.usable:
            handler.startSession(session)
        case .ready, .idle:
            state = .connecting([], [session])
            connect()
        case .connecting(let waiting, var sessions):
            sessions.append(session)
            state = .connecting(waiting, sessions)
        case .closed:
            session.reportOpened(.failure(EngineError(.unreachable, "engine client closed")))
        }
    }

    private func cancel(_ call: GRPCUnaryCall) {
        if case .connecting(var waiting, let sessions) = state, let i = waiting.firstIndex(where: { $0 === call }) {
            waiting.remove(at: i)
            state = .connecting(waiting, sessions)
            call.finish(.failure(CancellationError()))
            return
        }
        if case .ready(_, let handler) = state {
            handler.abandon(call, error: CancellationError())
        } else {
            call.cancelled = true
            call.finish(.failure(CancellationError()))
        }
    }

    private func connect() {
        let authority = "\(host):\(port)"
        let handler = GRPCStreamHandler(authority: authority) { [weak self] handler in
            guard let self, case .ready(_, let current) = self.state, current === handler else { return }
            self.state = .idle
        }
        let settings: HTTP2Settings = [
            HTTP2Setting(parameter: .enablePush, value: 0),
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 100),
            HTTP2Setting(parameter: .initialWindowSize, value: GRPCStreamHandler.streamWindow),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 16_384),
        ]
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    // Header and content-length validation off: the engine is ours or a gRPC stack,
                    // and the checks cost more than the rest of the frame handling on this hop.
                    try sync.addHandler(NIOHTTP2Handler(
                        mode: .client, initialSettings: settings, headerBlockValidation: .disabled, contentLengthValidation: .disabled))
                    try sync.addHandler(handler)
                }
            }
            .connect(host: host, port: port)
            .hop(to: eventLoop)
            .whenComplete { result in
                guard case .connecting(let waiting, let sessions) = self.state else {
                    // Closed while connecting.
                    if case .success(let channel) = result { channel.close(promise: nil) }
                    return
                }
                switch result {
                case .success(let channel):
                    self.state = .ready(channel, handler)
                    for call in waiting { handler.start(call) }
                    for session in sessions { handler.startSession(session) }
                case .failure(let error):
                    self.state = .idle
                    for call in waiting {
                        call.finish(.failure(EngineError(.unreachable, "cannot connect to engine \(authority): \(error)")))
                    }
                    for session in sessions {
                        session.reportOpened(.failure(EngineError(.unreachable, "cannot connect to engine \(authority): \(error)")))
                    }
                }
            }
    }
}

/// Hands the call object to the cancellation handler, which may run before or after the call
/// was created (both touch it on the event loop only).
private final class CallBox: @unchecked Sendable {
    var call: GRPCUnaryCall?
    var cancelledEarly = false
}

/// Lets the opening continuation hand back the call it belongs to.
private final class SessionBox: @unchecked Sendable {
    var call: GRPCSessionCall?
}
