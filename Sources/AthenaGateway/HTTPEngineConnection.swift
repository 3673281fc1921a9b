import NIOCore

/// What a plain HTTP engine answered.
struct HTTPEngineReply: Sendable {
    var status: Int
    var contentType: String?
    var body: ByteBuffer
    /// The connection can carry another request.
    var keepAlive: Bool
}

/// Why a call on one pooled connection failed.
enum HTTPEngineConnectionError: Error, Sendable, Equatable {
    /// The connection closed before any byte of the answer arrived (a stale keep-alive
    /// connection the engine had closed, or an engine that died before answering).
    case closedBeforeResponse
    /// The connection closed in the middle of the answer.
    case closedDuringResponse
    /// The deadline passed.
    case timeout
    /// The answer is larger than the gateway accepts.
    case responseTooLarge
    /// Not an HTTP/1.1 answer.
    case malformed(String)
}

/// One keep-alive HTTP/1.1 connection to an engine: the only handler of its channel. It runs
/// one request at a time (no pipelining; the request is one pre-encoded buffer), decodes the
/// answer from the socket's bytes (``HTTPEngineResponseDecoder``) and resumes its caller with
/// it. Lives on its channel's event loop. Every path out of a call (answer, error, close,
/// deadline) resumes the caller exactly once.
final class HTTPEngineConnectionHandler: ChannelInboundHandler, RemovableChannelHandler, LoopFlusher.Listed {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maxResponseBytes = 64 * 1024 * 1024

    private var context: ChannelHandlerContext?
    /// Requests are flushed at the end of the loop pass (see LoopFlusher).
    private var flusher: LoopFlusher?
    /// Whether `flusher` has this connection listed for the current pass (LoopFlusher.Listed).
    var listedForFlush = false
    private var decoder = HTTPEngineResponseDecoder()
    /// Bytes read but not decoded yet (an answer's head cut across reads).
    private var unparsed: ByteBuffer?
    private var pending: Caller?

    /// Who waits for the answer: a task (``HTTPConnectionPool/execute(_:deadline:)``) or a
    /// callback on this loop (``HTTPConnectionPool/executeNow(_:deadline:completion:)``).
    private enum Caller {
        case task(UnsafeContinuation<HTTPEngineReply, any Error>)
        case callback(@Sendable (Result<HTTPEngineReply, HTTPEngineConnectionError>) -> Void)

        func resume(_ result: Result<HTTPEngineReply, HTTPEngineConnectionError>) {
            switch (self, result) {
            case (.task(let continuation), .success(let reply)): continuation.resume(returning: reply)
            case (.task(let continuation), .failure(let error)): continuation.resume(throwing: error)
            case (.callback(let completion), _): completion(result)
            }
        }
    }
    /// The deadline of the request in flight.
    private var deadline = NIODeadline.distantFuture
    /// One timer per connection, not per request: it stays armed across requests (deadlines
    /// only move later) and, when it fires, fails the request only if its deadline passed.
    private var timer: Scheduled<Void>?
    private var timerAt = NIODeadline.distantFuture

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        flusher = LoopFlusher.on(context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Sends one encoded request (head and body in one buffer: one `write`). Call on the loop.
    func send(_ request: ByteBuffer, deadline: NIODeadline, continuation: UnsafeContinuation<HTTPEngineReply, any Error>) {
        if !start(request, deadline: deadline, for: .task(continuation)) {
            continuation.resume(throwing: HTTPEngineConnectionError.closedBeforeResponse)
        }
    }

    /// Sends one encoded request; `completion` runs on the loop with the answer or the failure.
    /// `false` (and no call of `completion`) when the connection cannot take it.
    func send(_ request: ByteBuffer, deadline: NIODeadline,
              completion: @escaping @Sendable (Result<HTTPEngineReply, HTTPEngineConnectionError>) -> Void) -> Bool {
        start(request, deadline: deadline, for: .callback(completion))
    }

    private func start(_ request: ByteBuffer, deadline: NIODeadline, for caller: Caller) -> Bool {
        guard let context, context.channel.isActive, pending == nil else { return false }
        pending = caller
        self.deadline = deadline
        if timer == nil || deadline < timerAt { arm(at: deadline, context: context) }
        context.write(wrapOutboundOut(request), promise: nil)
        if let flusher { flusher.flushSoon(context, of: self) } else { context.flush() }
        return true
    }

    private func arm(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timer?.cancel()
        timerAt = deadline
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: deadline) {
            bound.value.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        guard pending != nil, let context else { return }
        if NIODeadline.now() >= deadline {
            fail(.timeout)
        } else {
            arm(at: deadline, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = unparsed.takeJoined(with: unwrapInboundIn(data))
        do {
            while let reply = try decoder.next(&input) {
                deliver(reply, context: context)
            }
        } catch {
            fail((error as? HTTPEngineConnectionError) ?? .malformed("\(error)"))
            return
        }
        if input.readableBytes > 0 { unparsed = input }
    }

    private func deliver(_ reply: HTTPEngineReply, context: ChannelHandlerContext) {
        guard let caller = pending else {
            // An answer nobody asked for: the connection is out of step, drop it.
            context.close(promise: nil)
            return
        }
        pending = nil
        caller.resume(.success(reply))
    }

    func channelInactive(context: ChannelHandlerContext) {
        var rest = unparsed ?? ByteBuffer()
        unparsed = nil
        do {
            if let reply = try decoder.end(&rest) { deliver(reply, context: context) }
        } catch {
            fail((error as? HTTPEngineConnectionError) ?? .closedDuringResponse, close: false)
        }
        fail(.closedBeforeResponse, close: false)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail((error as? HTTPEngineConnectionError) ?? .closedBeforeResponse)
    }

    /// Fails the request in flight (if any) and closes the connection: after a timeout or a
    /// broken answer the connection's state is unknown.
    private func fail(_ error: HTTPEngineConnectionError, close: Bool = true) {
        timer?.cancel()
        timer = nil
        if let caller = pending {
            pending = nil
            caller.resume(.failure(error))
        }
        if close, let context, context.channel.isActive { context.close(promise: nil) }
    }
}
