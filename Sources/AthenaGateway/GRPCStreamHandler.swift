import NIOCore
import NIOHPACK
import NIOHTTP2

/// The HTTP/2 frames of unary gRPC calls on one connection, without a stream channel per call.
///
/// Sits right after `NIOHTTP2Handler` (client mode, no multiplexer): a call is one HEADERS +
/// one DATA frame out, and HEADERS, DATA, trailing HEADERS back, matched by stream id in a
/// dictionary. That is the whole per-call cost: no child channel, pipeline or async sequence
/// per stream. Inbound flow control is ours (there is no multiplexer to do it): the connection
/// and stream windows are opened wide and topped up as data arrives.
final class GRPCStreamHandler: ChannelInboundHandler, LoopFlusher.Listed, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// Stream window we advertise (SETTINGS_INITIAL_WINDOW_SIZE) and the connection window we open.
    static let streamWindow = 8 << 20
    static let connectionWindow = 32 << 20

    let authority: String
    /// Called on the event loop when the connection can take no new calls (closed or GOAWAY).
    let onUnusable: (GRPCStreamHandler) -> Void

    private var context: ChannelHandlerContext?
    private var calls: [HTTP2StreamID: GRPCUnaryCall] = [:]
    /// Streaming sessions, apart from the unary calls: the unary path stays a dictionary lookup.
    private var sessions: [HTTP2StreamID: GRPCSessionCall] = [:]
    private var nextStreamID = HTTP2StreamID(1)
    private var connectionUnacknowledged = 0
    private(set) var usable = true
    /// Calls are flushed at the end of the loop pass (see LoopFlusher).
    private var flusher: LoopFlusher?
    /// `baseHeaders(path:)` of the paths called so far (event loop only).
    private var baseHeadersByPath: [(path: String, headers: HPACKHeaders)] = []
    /// Whether `flusher` has this connection listed for the current pass (LoopFlusher.Listed).
    var listedForFlush = false
    private var sweep: Scheduled<Void>?
    /// Calls handed over before `channelActive` (the connect promise completes first): sent once
    /// the HTTP/2 preface is out.
    private var beforeActive: [GRPCUnaryCall]? = []
    private var sessionsBeforeActive: [GRPCSessionCall] = []

    init(authority: String, onUnusable: @escaping (GRPCStreamHandler) -> Void) {
        self.authority = authority
        self.onUnusable = onUnusable
    }

    var inflight: Int { calls.count }

    /// Sessions open on this connection (tests).
    var openSessions: Int { sessions.count }

    // MARK: - Calls

    /// Sends `call` on a new stream. Must run on the channel's event loop.
    func start(_ call: GRPCUnaryCall) {
        guard let context, usable else {
            call.finish(.failure(EngineError(.unreachable, "connection to the engine is closing")))
            return
        }
        if call.cancelled { call.finish(.failure(CancellationError())); return }
        if beforeActive != nil {
            beforeActive!.append(call)
            return
        }
        guard let id = takeStreamID(context) else {
            call.finish(.failure(EngineError(.unreachable, Self.idsUsedUp)))
            return
        }
        call.streamID = id
        calls[id] = call

        let headers = requestHeaders(path: call.path, timeout: call.deadline - .now())
        let headersPromise = context.eventLoop.makePromise(of: Void.self)
        headersPromise.futureResult.whenComplete { [weak self] result in
            switch result {
            case .success: call.sent = true
            case .failure(let error):
                self?.calls[id] = nil
                call.finish(.failure(EngineError(.unreachable, "cannot open a stream to the engine: \(error)")))
            }
        }
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: headers)))), promise: headersPromise)
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(call.message), endStream: true)))), promise: nil)
        flushSoon(context)

        if sweep == nil { scheduleSweep(context) }
    }

    static let idsUsedUp = "the connection to the engine used up its stream ids; reconnecting"

    /// The next client stream id, or nil once they are used up (2³¹ − 1 is the last, RFC 9113
    /// §5.1.1: after ~1 billion calls on one connection). Then the connection takes no new calls
    /// (the next one connects afresh) and closes once its calls had time to end.
    private func takeStreamID(_ context: ChannelHandlerContext) -> HTTP2StreamID? {
        let id = nextStreamID
        guard Int32(id) <= Int32.max - 2 else {
            markUnusable()
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .minutes(10)) { bound.value.close(promise: nil) }
            return nil
        }
        nextStreamID = HTTP2StreamID(Int32(id) + 2)
        return id
    }

    private func requestHeaders(path: String, timeout: TimeAmount?) -> HPACKHeaders {
        var headers = baseHeaders(path: path)
        if let timeout { headers.add(name: "grpc-timeout", value: Self.timeoutHeader(timeout)) }
        return headers
    }

    /// The headers every call to `path` sends, built once per path: `HPACKHeaders.add` checks
    /// each name, about 1,700 instructions per call for the six that never change.
    private func baseHeaders(path: String) -> HPACKHeaders {
        if let cached = baseHeadersByPath.first(where: { $0.path == path }) { return cached.headers }
        var headers = HPACKHeaders()
        headers.reserveCapacity(8)
        headers.add(name: ":method", value: "POST")
        headers.add(name: ":scheme", value: "http")
        headers.add(name: ":path", value: path)
        headers.add(name: ":authority", value: authority)
        headers.add(name: "content-type", value: "application/grpc")
        headers.add(name: "te", value: "trailers")
        if baseHeadersByPath.count < 8 { baseHeadersByPath.append((path, headers)) }  // a handful of methods
        return headers
    }

    // MARK: - Sessions

    /// Opens `call`'s stream and sends its opening message (the stream stays open for more).
    /// Must run on the channel's event loop.
    func startSession(_ call: GRPCSessionCall) {
        guard !call.isFinished else { return }  // cancelled while waiting for the connection
        call.owner = self
        guard let context, usable else {
            call.reportOpened(.failure(EngineError(.unreachable, "connection to the engine is closing")))
            return
        }
        if beforeActive != nil {
            sessionsBeforeActive.append(call)
            return
        }
        guard let id = takeStreamID(context) else {
            call.reportOpened(.failure(EngineError(.unreachable, Self.idsUsedUp)))
            return
        }
        call.streamID = id
        sessions[id] = call
        let headersPromise = context.eventLoop.makePromise(of: Void.self)
        headersPromise.futureResult.whenComplete { [weak self] result in
            switch result {
            case .success: call.reportOpened(.success(()))
            case .failure(let error):
                self?.sessions[id] = nil
                call.reportOpened(.failure(EngineError(.unreachable, "cannot open a stream to the engine: \(error)")))
            }
        }
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: requestHeaders(path: call.path, timeout: nil))))),
                      promise: headersPromise)
        call.halfClosed = call.openingEnds
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(call.opening), endStream: call.openingEnds)))),
                      promise: nil)
        context.flush()
    }

    /// Sends one more framed request message on an open session (`end` half-closes after it);
    /// `written` completes once the frame went out — after the engine's flow-control window let it:
    /// the sender waits for it, so a client cannot pile data up here faster than the engine reads.
    func send(_ message: ByteBuffer, end: Bool, on call: GRPCSessionCall, written: EventLoopPromise<Void>?) {
        guard let id = call.streamID, sessions[id] === call, !call.halfClosed, let context else {
            written?.fail(EngineError(.transport, "the session with the engine is over"))
            return
        }
        call.halfClosed = end
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(message), endStream: end)))),
                              promise: written)
    }

    /// Bytes of delivered session messages the consumer may hold before the engine is slowed
    /// down: past it, the stream's WINDOW_UPDATEs wait until the consumer passes messages on
    /// (``consumed(_:bytes:)``), so an engine cannot pile results up here faster than the client
    /// reads them. Bytes of a message still arriving are always acknowledged (no deadlock on a
    /// message larger than the window).
    static let sessionBacklog = 4 << 20

    /// The consumer passed on a message of `bytes` (wire size): acknowledges what was held back.
    func consumed(_ call: GRPCSessionCall, bytes: Int) {
        call.deliveredUnconsumed = max(0, call.deliveredUnconsumed - bytes)
        guard call.deferredAcknowledgement > 0, call.deliveredUnconsumed <= Self.sessionBacklog,
              let id = call.streamID, sessions[id] === call, let context else { return }
        let increment = call.deferredAcknowledgement + call.unacknowledged
        call.deferredAcknowledgement = 0
        call.unacknowledged = 0
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: increment))), promise: nil)
    }

    /// Ends a session from the client's side: resets its stream if it is still open.
    func cancel(_ call: GRPCSessionCall) {
        sessionsBeforeActive.removeAll { $0 === call }
        if let id = call.streamID, sessions.removeValue(forKey: id) != nil, let context {
            context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.cancel))), promise: nil)
        }
        call.finish(.failed(CancellationError()))
    }

    /// Deadlines are checked by one timer per connection every `sweepInterval` while calls are in
    /// flight, not by a timer per call (scheduling and cancelling one per call showed in profiles).
    static let sweepInterval = TimeAmount.milliseconds(20)

    private func scheduleSweep(_ context: ChannelHandlerContext) {
        sweep = context.eventLoop.scheduleTask(in: Self.sweepInterval) { [weak self] in
            guard let self else { return }
            self.sweep = nil
            let now = NIODeadline.now()
            for call in self.calls.values where call.deadline <= now {
                self.abandon(call, error: EngineError(.timeout, "no answer before the deadline"))
            }
            if !self.calls.isEmpty, let context = self.context { self.scheduleSweep(context) }
        }
    }

    /// Gives up on a call (deadline, cancellation): resets its stream and fails it.
    func abandon(_ call: GRPCUnaryCall, error: any Error) {
        call.cancelled = true
        guard !call.isFinished else { return }
        if let id = call.streamID, calls.removeValue(forKey: id) != nil, let context {
            context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.cancel))), promise: nil)
        }
        call.finish(.failure(error))
    }

    /// One flush (one `writev`) for every call started in the same event-loop turn: under load
    /// many requests arrive together, and a syscall per call was the largest cost of this hop.
    private func flushSoon(_ context: ChannelHandlerContext) {
        if let flusher { flusher.flushSoon(context, of: self) } else { context.flush() }
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        flusher = LoopFlusher.on(context.eventLoop)
    }

    func channelActive(context: ChannelHandlerContext) {
        // The connection window starts at 65,535 bytes whatever the settings say: open it wide.
        let increment = Self.connectionWindow - 65_535
        context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))), promise: nil)
        context.fireChannelActive()
        let waiting = beforeActive ?? []
        beforeActive = nil
        for call in waiting { start(call) }
        let waitingSessions = sessionsBeforeActive
        sessionsBeforeActive = []
        for call in waitingSessions { startSession(call) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers(let headers):
            if let call = calls[frame.streamID] {
                receiveHeaders(headers.headers, endStream: headers.endStream, call: call, context: context)
            } else if let session = sessions[frame.streamID] {
                receiveHeaders(headers.headers, endStream: headers.endStream, session: session, context: context)
            }
        case .data(let payload):
            let length = payload.data.readableBytes
            connectionUnacknowledged += length
            if connectionUnacknowledged >= Self.connectionWindow / 2 {
                context.write(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: connectionUnacknowledged))), promise: nil)
                connectionUnacknowledged = 0
                context.flush()
            }
            if let session = sessions[frame.streamID], case .byteBuffer(var bytes) = payload.data {
                receiveData(&bytes, length: length, endStream: payload.endStream, session: session, context: context)
                return
            }
            guard let call = calls[frame.streamID], case .byteBuffer(var bytes) = payload.data else { return }
            if call.body == nil { call.body = bytes } else { call.body!.writeBuffer(&bytes) }
            call.unacknowledged += length
            if !payload.endStream && call.unacknowledged >= Self.streamWindow / 2 {
                context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: frame.streamID, payload: .windowUpdate(windowSizeIncrement: call.unacknowledged))), promise: nil)
                call.unacknowledged = 0
            }
            if payload.endStream {  // no trailers: not gRPC
                calls[frame.streamID] = nil
                call.finish(.failure(EngineError(.badResponse, "the engine ended the stream without gRPC trailers")))
            }
        case .rstStream(let code):
            if let session = sessions.removeValue(forKey: frame.streamID) {
                session.finish(.failed(EngineError(code == .refusedStream ? .unreachable : .transport, "the engine reset the session (\(code))")))
                return
            }
            guard let call = calls.removeValue(forKey: frame.streamID) else { return }
            let kind: EngineError.Kind = code == .refusedStream ? .unreachable : .transport
            call.finish(.failure(EngineError(kind, "the engine reset the stream (\(code))")))
        case .goAway(let lastStreamID, let code, _):
            // Streams above lastStreamID were never processed: safe to retry elsewhere.
            for (id, call) in calls where id > lastStreamID {
                calls[id] = nil
                call.finish(.failure(EngineError(.unreachable, "the engine is going away (\(code))")))
            }
            for (id, session) in sessions where id > lastStreamID {
                sessions[id] = nil
                session.finish(.failed(EngineError(.unreachable, "the engine is going away (\(code))")))
            }
            markUnusable()
        default:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // NIOHTTP2 sends about eight events per call (stream created, windows updated, closed):
        // the type is compared first, because a failing `as?` from `Any` cost 300–600
        // instructions each.
        if type(of: event) == StreamClosedEvent.self, let closed = event as? StreamClosedEvent {
            // Every stream closes; only one closed before its trailers is an error (and the
            // message is built only then).
            let why = { "the stream closed without a gRPC status\(closed.reason.map { " (\($0))" } ?? "")" }
            if let call = calls.removeValue(forKey: closed.streamID) {
                call.finish(.failure(EngineError(.transport, why())))
            } else if let session = sessions.removeValue(forKey: closed.streamID) {
                session.finish(.failed(EngineError(.transport, why())))
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        markUnusable()
        sweep?.cancel()
        sweep = nil
        let pending = Array(calls.values) + (beforeActive ?? [])
        calls = [:]
        beforeActive = nil
        for call in pending {
            call.finish(.failure(EngineError(call.sent ? .transport : .unreachable, "connection to the engine closed")))
        }
        let pendingSessions = Array(sessions.values) + sessionsBeforeActive
        sessions = [:]
        sessionsBeforeActive = []
        for session in pendingSessions {
            session.finish(.failed(EngineError(session.streamID == nil ? .unreachable : .transport, "connection to the engine closed")))
        }
        self.context = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let streamError = error as? NIOHTTP2Errors.StreamError {
            if let call = calls.removeValue(forKey: streamError.streamID) {
                call.finish(.failure(EngineError(.transport, "HTTP/2 stream error: \(streamError.baseError)")))
            } else if let session = sessions.removeValue(forKey: streamError.streamID) {
                session.finish(.failed(EngineError(.transport, "HTTP/2 stream error: \(streamError.baseError)")))
            }
            return
        }
        markUnusable()
        context.close(promise: nil)
    }

    private func markUnusable() {
        guard usable else { return }
        usable = false
        onUnusable(self)
    }

    // MARK: - Responses

    /// What a HEADERS frame on a call's stream says, for unary calls and sessions alike.
    private enum ResponseHeaders {
        /// Response headers of a gRPC answer: messages and trailers follow.
        case started
        /// The first headers are not a gRPC answer (`:status` or `content-type`).
        case notGRPC(status: String, contentType: String)
        /// The trailers (or a trailers-only answer): `grpc-status` (nil when missing) and message.
        case trailers(status: Int?, message: String)
    }

    private static func read(_ headers: HPACKHeaders, endStream: Bool, first: Bool) -> ResponseHeaders {
        if first {
            let status = headers.first(name: ":status") ?? ""
            let contentType = headers.first(name: "content-type") ?? ""
            if status != "200" || !contentType.hasPrefix("application/grpc") { return .notGRPC(status: status, contentType: contentType) }
        }
        guard endStream else { return .started }  // trailers always end the stream
        return .trailers(status: headers.first(name: "grpc-status").flatMap { Int($0) },
                         message: percentDecoded(headers.first(name: "grpc-message") ?? ""))
    }

    private func receiveHeaders(_ headers: HPACKHeaders, endStream: Bool, call: GRPCUnaryCall, context: ChannelHandlerContext) {
        guard let id = call.streamID else { return }
        let first = !call.responseHeadersSeen
        call.responseHeadersSeen = true
        switch Self.read(headers, endStream: endStream, first: first) {
        case .started:
            return
        case .notGRPC(let status, let contentType):
            calls[id] = nil
            guard status == "200" else {
                if !endStream { context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.cancel))), promise: nil) }
                let kind: EngineError.Kind = ["502", "503", "504"].contains(status) ? .unreachable : .badResponse
                return call.finish(.failure(EngineError(kind, "the engine answered HTTP \(status) instead of gRPC")))
            }
            call.finish(.failure(EngineError(.badResponse, "the engine answered content-type \(contentType) instead of application/grpc")))
        case .trailers(let status, let message):
            calls[id] = nil
            guard let status else { return call.finish(.failure(EngineError(.badResponse, "gRPC trailers without grpc-status"))) }
            call.finish(call.responseMessage(status: status, statusMessage: message))
        }
    }

    private func receiveHeaders(_ headers: HPACKHeaders, endStream: Bool, session: GRPCSessionCall, context: ChannelHandlerContext) {
        guard let id = session.streamID else { return }
        let first = !session.responseHeadersSeen
        session.responseHeadersSeen = true
        switch Self.read(headers, endStream: endStream, first: first) {
        case .started:
            return
        case .notGRPC(let status, let contentType):
            sessions[id] = nil
            if !endStream { context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.cancel))), promise: nil) }
            session.finish(.failed(EngineError(.badResponse, "the engine answered HTTP \(status) \(contentType) instead of gRPC")))
        case .trailers(let status, let message):
            sessions[id] = nil
            guard let status else { return session.finish(.failed(EngineError(.badResponse, "gRPC trailers without grpc-status"))) }
            session.finish(status == 0 ? .finished : .failed(GRPCStatusError(code: status, message: message).engineError))
        }
    }

    private func receiveData(_ bytes: inout ByteBuffer, length: Int, endStream: Bool, session: GRPCSessionCall, context: ChannelHandlerContext) {
        guard let id = session.streamID else { return }
        do {
            session.deliveredUnconsumed += try session.deliver(&bytes)
        } catch {
            sessions[id] = nil
            context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.cancel))), promise: nil)
            session.finish(.failed(error))
            return
        }
        if session.deliveredUnconsumed > Self.sessionBacklog {
            session.deferredAcknowledgement += length  // the consumer is behind: let the window close
            return
        }
        session.unacknowledged += length
        if !endStream && session.unacknowledged >= Self.streamWindow / 2 {
            context.writeAndFlush(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: session.unacknowledged))), promise: nil)
            session.unacknowledged = 0
        }
        if endStream {
            sessions[id] = nil
            session.finish(.failed(EngineError(.badResponse, "the engine ended the session without gRPC trailers")))
        }
    }

    // MARK: - Helpers

    /// `grpc-timeout`: at most 8 digits and a unit.
    /// Whole seconds (rounded up) from one second on: the value then repeats from call to call and
    /// HPACK sends it as a table index instead of a new literal each time (both ends save work).
    static func timeoutHeader(_ amount: TimeAmount) -> String {
        let ms = max(1, amount.nanoseconds / 1_000_000)
        if ms < 1000 { return "\(ms)m" }
        return "\(min((ms + 999) / 1000, 99_999_999))S"
    }

    /// `grpc-message` is percent-encoded UTF-8.
    static func percentDecoded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
