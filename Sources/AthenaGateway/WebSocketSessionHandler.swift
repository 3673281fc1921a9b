import Crypto
import Foundation
import NIOCore
import NIOWebSocket

/// One ASE session over a WebSocket, after ``GatewayHTTPHandler`` answered the upgrade: every
/// text (or binary) message is an ASE request body for ``StreamingSession``, every result goes
/// back as a text message; after the last result the gateway closes with 1000 (the result's
/// `header.code` says how it went). Pings are answered; a close from the client ends the engine
/// session.
final class WebSocketSessionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// RFC 6455 §1.3: the server proves it read the handshake with SHA-1(key + this GUID).
    static let handshakeGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// How long a close handshake the gateway started may wait for the client's close.
    static let closeLinger = TimeAmount.seconds(2)

    private let gateway: Gateway
    private let target: Gateway.StreamTarget
    private var session: StreamingSession?
    /// The gateway sent its close frame (no more data frames go out).
    private var closeSent = false

    init(gateway: Gateway, target: Gateway.StreamTarget) {
        self.gateway = gateway
        self.target = target
        gateway.metrics.liveWebSocketHandlers.add(1, ordering: .relaxed)
    }

    deinit {
        gateway.metrics.liveWebSocketHandlers.subtract(1, ordering: .relaxed)
    }

    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`.
    static func acceptValue(forKey key: String) -> String {
        Data(Insecure.SHA1.hash(data: Data((key + handshakeGUID).utf8))).base64EncodedString()
    }

    /// Whether `key` is a valid `Sec-WebSocket-Key`: base64 of 16 bytes (RFC 6455 §4.1).
    static func isValidKey(_ key: String) -> Bool {
        Data(base64Encoded: key)?.count == 16
    }

    /// The `101 Switching Protocols` answer to a valid upgrade request.
    static func switchingProtocols(key: String, target: Gateway.StreamTarget, allocator: ByteBufferAllocator) -> ByteBuffer {
        var out = allocator.buffer(capacity: 256)
        out.writeStaticString("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ")
        out.writeString(acceptValue(forKey: key))
        out.writeStaticString("\r\nx-athena-sid: ")
        out.writeString(target.sid)
        out.writeStaticString("\r\nx-athena-service: ")
        out.writeString(target.service.name)
        out.writeStaticString("\r\nx-athena-version: ")
        out.writeString(target.version.name)
        out.writeStaticString("\r\n\r\n")
        return out
    }

    /// The handlers of a WebSocket connection, added after `handler` (the HTTP handler, removed
    /// next): frame codec, fragment aggregation up to the service's body limit, the session.
    static func install(after handler: any ChannelHandler, pipeline: ChannelPipeline.SynchronousOperations,
                        gateway: Gateway, target: Gateway.StreamTarget) throws {
        let limit = target.service.route.limits.maxBodyBytes
        try pipeline.addHandlers([
            WebSocketFrameEncoder(),
            ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: limit)),
            WebSocketFrameValidator(),
            NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 4096, maxAccumulatedFrameSize: limit),
            WebSocketSessionHandler(gateway: gateway, target: target),
        ], position: .after(handler))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        session = StreamingSession(gateway: gateway, target: target, emit: { body, last in
            // Returns once the frame is written (or the connection is gone): flow control.
            let written = loop.makePromise(of: Void.self)
            loop.execute {
                let (handler, context) = bound.value
                handler.sendResult(body, last: last, context: context, written: written)
            }
            try? await written.futureResult.get()
        }, pause: { paused in
            // Stops reading frames while the engine is behind (and the frame decoder's buffer with it).
            loop.execute {
                let (_, context) = bound.value
                context.channel.setOption(ChannelOptions.autoRead, value: !paused).whenFailure { _ in }
                if !paused { context.read() }
            }
        })
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)  // checked by WebSocketFrameValidator, fragments joined
        switch frame.opcode {
        case .text, .binary:
            session?.receive(frame.unmaskedData)
        case .ping:
            guard !closeSent else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .connectionClose:
            session?.clientGone()
            if closeSent {
                context.close(promise: nil)
            } else {
                closeSent = true
                closeAfter(sendClose(Self.closeReply(to: frame.unmaskedData), context: context), context: context)
            }
        default:
            // A continuation reaches here only without a message to continue (the aggregator
            // merges the others); anything else is a reserved opcode.
            failProtocol(context: context)
        }
    }

    /// The code answered to a client's close (RFC 6455 §5.5.1, §7.4): its own code when it is
    /// one an endpoint may send, 1000 when it sent none, 1002 for a malformed payload or a code
    /// that must not appear on the wire (1005, 1006, 1015, or outside the defined ranges).
    static func closeReply(to payload: ByteBuffer) -> WebSocketErrorCode {
        guard payload.readableBytes > 0 else { return .normalClosure }
        guard payload.readableBytes >= 2, let raw = payload.getInteger(at: payload.readerIndex, as: UInt16.self) else {
            return .protocolError
        }
        switch raw {
        case 1000...1003, 1007...1011, 3000...4999: return WebSocketErrorCode(codeNumber: Int(raw))
        default: return .protocolError
        }
    }

    /// Ends the connection for a protocol violation: the session ends (the engine's with it) and
    /// the close carries 1002.
    private func failProtocol(context: ChannelHandlerContext) {
        session?.clientGone()
        guard !closeSent else { return }
        closeSent = true
        closeAfter(sendClose(.protocolError, context: context), context: context)
    }

    /// A result for the client; the last one starts the close handshake.
    private func sendResult(_ body: ByteBuffer, last: Bool, context: ChannelHandlerContext, written: EventLoopPromise<Void>) {
        guard !closeSent, context.channel.isActive else { return written.succeed() }
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: body)), promise: written)
        if last {
            closeSent = true
            sendClose(.normalClosure, context: context)
            // The client answers with its close; if it does not, the connection closes anyway.
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: Self.closeLinger) { bound.value.close(promise: nil) }
        } else {
            context.flush()
        }
    }

    @discardableResult
    private func sendClose(_ code: WebSocketErrorCode, context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        return context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
    }

    private func closeAfter(_ written: EventLoopFuture<Void>, context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        written.whenComplete { _ in bound.value.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session?.clientGone()
        // The session's emit closure holds this handler: let go of it, or neither is ever freed.
        session = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        session?.clientGone()
        session = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Frame errors: an oversized message gets its ASE error; RFC 6455 violations close with 1002.
        let refusal: GatewayError
        switch error {
        case NIOWebSocketError.invalidFrameLength, NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge:
            refusal = GatewayError(.bodyTooLarge, "WebSocket message exceeds the limit of \(target.service.route.limits.maxBodyBytes) bytes")
        case is WebSocketFrameValidator.Violation, is NIOWebSocketFrameAggregator.Error:
            return failProtocol(context: context)
        default:
            refusal = GatewayError(.invalidRequest, "WebSocket protocol error: \(error)")
        }
        if let session, !closeSent {
            session.refuse(refusal)  // sends the ASE error, then the close
        } else {
            context.close(promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            // The client closed its side without a close frame: it is gone.
            session?.clientGone()
            context.close(promise: nil)
            return
        }
        if event is ChannelShouldQuiesceEvent {
            // Graceful shutdown: end the session with "going away"; the client reconnects elsewhere.
            session?.clientGone()
            if !closeSent {
                closeSent = true
                closeAfter(sendClose(.goingAway, context: context), context: context)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// RFC 6455 checks on each frame as it arrives, before fragments are joined (joined frames no
/// longer carry the mask): §5.1, a server must fail the connection on an unmasked client frame;
/// §5.2, reserved bits and opcodes are errors when no extension gives them a meaning (none is
/// negotiated). A violation is dropped and reported as ``Violation`` down the pipeline, where
/// ``WebSocketSessionHandler`` closes with 1002.
final class WebSocketFrameValidator: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    struct Violation: Error {}

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation, .connectionClose, .ping, .pong:
            guard frame.maskKey != nil, !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
                return context.fireErrorCaught(Violation())
            }
            context.fireChannelRead(data)
        default:
            context.fireErrorCaught(Violation())
        }
    }
}
