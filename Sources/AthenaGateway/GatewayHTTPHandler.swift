import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The gateway's HTTP/1.1 connections, plugged into Hummingbird's server (bind, lifecycle,
/// graceful shutdown) in place of its per-request machinery: one ``GatewayHTTPHandler`` per
/// connection, reading the socket's bytes itself (``HTTPRequestParser``).
///
/// Why not Hummingbird's own HTTP channel: a constant `GET` through it costs ~35 µs of CPU on
/// the benchmark machine (async channel streams, HTTPTypes conversions, a task switch per
/// read and write), more than nginx's whole proxy hop. Here a request costs one task.
struct GatewayChildChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
    }

    let gateway: Gateway

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let gateway = self.gateway
        return channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            try? channel.syncOptions?.setOption(.socketOption(.tcp_nodelay), value: 1)
            // No pipelining assistance (it stops reading while a request is answered: two
            // epoll_ctl calls per request) and no response encoder (the handler writes head and
            // body as one buffer). Pipelined requests wait in a queue.
            try sync.addHandler(GatewayHTTPHandler(gateway: gateway))
            return Value(channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        try? await value.channel.closeFuture.get()
    }
}

/// One HTTP/1.1 connection: parses the bytes into requests (``HTTPRequestParser``), collects a
/// request (head and body, up to the largest body limit), runs ``Gateway/handle(_:)`` in one
/// task and writes the answer. Requests pipelined behind it wait in a queue and are answered in
/// order. Bytes that are not HTTP/1.x get a 400 and the connection closes.
final class GatewayHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler, LoopFlusher.Listed {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Never
    typealias OutboundOut = ByteBuffer

    /// Bodies up to this size are copied behind the head (one buffer, one `write`); larger
    /// ones go as a second buffer of the same `writev`.
    static let inlineBodyBytes = 16 * 1024

    private let gateway: Gateway
    private var parser = HTTPRequestParser()
    /// Bytes read but not parsed yet (a request cut across reads).
    private var unparsed: ByteBuffer?
    /// The parser refused the input: nothing more is read on this connection.
    private var parseFailed = false
    private var head: HTTPRequestHeadLine?
    private var body: ByteBuffer?
    private var limit = 0
    private var tooLarge = false
    /// A 413 went out before the body ended: everything else on this connection is ignored
    /// until it closes (no point reading megabytes we refuse).
    private var rejected = false
    /// Bytes of a refused body read and dropped so far.
    private var drained = 0
    /// How much of a refused body is read and dropped before answering 413 mid-upload.
    static let maxDrainBytes = 64 * 1024 * 1024
    /// A request is being answered (its task runs).
    private var busy = false
    /// Complete requests pipelined behind the one being answered.
    private var queued = CircularBuffer<Pending>()

    /// A complete request waiting for its turn.
    private struct Pending {
        var shape: AnswerShape
        var request: GatewayHTTPRequest
        /// Its body went over the limit: answer 413 and close.
        var tooLarge: Bool
    }
    /// What the answer's framing takes from the request's head, taken once: the answer path
    /// carries these three flags, not the head (whose copies retain its strings and headers).
    struct AnswerShape: Sendable {
        /// The request allows another one on the connection.
        var keepAlive: Bool
        /// `HEAD`: headers only.
        var headOnly: Bool
        var http10: Bool

        init(_ head: HTTPRequestHeadLine) {
            keepAlive = head.keepAlive
            headOnly = head.method == "HEAD"
            http10 = head.minorVersion == 0
        }
    }
    /// The connection switched to WebSocket: bytes go on to the frame decoder.
    private var upgraded = false
    /// The body being streamed to the client (server-sent events), if any.
    private var streaming: GatewayBodyStream?
    /// Close once the current answer is written (shutdown, client half-closed).
    private var closeWhenIdle = false

    /// This connection's loop as the task executor of its requests (see EventLoopTaskExecutor).
    private var executor: EventLoopTaskExecutor?
    /// Answers are flushed at the end of the loop pass (see LoopFlusher).
    private var flusher: LoopFlusher?
    /// Whether `flusher` has this connection listed for the current pass (LoopFlusher.Listed).
    var listedForFlush = false

    init(gateway: Gateway) {
        self.gateway = gateway
    }

    func handlerAdded(context: ChannelHandlerContext) {
        executor = EventLoopTaskExecutor.on(context.eventLoop)
        flusher = LoopFlusher.on(context.eventLoop)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if upgraded {
            context.fireChannelRead(data)  // WebSocket bytes, until this handler has left
            return
        }
        guard !rejected, !parseFailed else { return }
        var input = unparsed.takeJoined(with: unwrapInboundIn(data))
        do {
            while !rejected, !upgraded, let event = try parser.next(from: &input) {
                received(event, context: context)
            }
        } catch {
            parseFailed = true
            refuseMalformed(context: context)
            return
        }
        if upgraded {
            // Frames the client sent right behind the handshake go to the frame decoder.
            if input.readableBytes > 0 { context.fireChannelRead(NIOAny(input)) }
            return
        }
        if input.readableBytes > 0 && !rejected {
            input.discardReadBytes()
            unparsed = input
        }
    }

    /// Bytes that are not an HTTP/1.x request: 400 and close, after the answer in flight if any.
    private func refuseMalformed(context: ChannelHandlerContext) {
        head = nil
        body = nil
        if busy || !queued.isEmpty {
            closeWhenIdle = true
            return
        }
        var out = context.channel.allocator.buffer(capacity: 128)
        out.writeStaticString("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(out)).whenComplete { _ in bound.value.close(promise: nil) }
    }

    private func received(_ event: consuming HTTPRequestParser.Event, context: ChannelHandlerContext) {
        switch consume event {
        case .head(let head):
            let expectsContinue = head.expectsContinue
            let contentLength = head.contentLength
            let shape = AnswerShape(head)
            self.head = head  // moved: its last use
            self.body = nil
            self.tooLarge = false
            self.limit = gateway.state.maxBodyBytes
            drained = 0
            if let length = contentLength, length > limit {
                tooLarge = true
                // A client waiting for 100-continue has not sent the body: refuse now. Others
                // are answered after their body (read and dropped) unless it is huge: many
                // clients fail on an answer that arrives while they are still sending.
                if expectsContinue || length > limit + Self.maxDrainBytes { rejectEarly(shape, context: context) }
                return
            }
            // curl and others wait (up to 1 s) for this before sending a large body. Not while
            // an earlier answer is pending: it would come out of order (the client times out).
            if !busy, queued.isEmpty, expectsContinue {
                var out = context.channel.allocator.buffer(capacity: 32)
                out.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
        case .body(var chunk):
            guard !tooLarge else {
                drained += chunk.readableBytes
                if drained > Self.maxDrainBytes, let head { rejectEarly(AnswerShape(head), context: context) }
                return
            }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if body!.readableBytes > limit {
                tooLarge = true
                drained = body!.readableBytes
                body = nil
            }
        case .end:
            // Moved out (`take`), not copied.
            guard let head = self.head.take() else { return }
            let shape = AnswerShape(head)
            let request = GatewayHTTPRequest(
                method: head.method, path: GatewayHTTPRequest.path(ofTarget: head.target),
                headers: head.headers, body: body.take() ?? ByteBuffer())
            let pending = Pending(shape: shape, request: request, tooLarge: tooLarge)
            if busy {
                queued.append(pending)
            } else {
                start(pending, context: context)
            }
        }
    }

    /// Answers 413 at once and closes, when no earlier answer is pending on the connection
    /// (otherwise the 413 waits its turn at the end of the body).
    private func rejectEarly(_ shape: AnswerShape, context: ChannelHandlerContext) {
        guard !busy, queued.isEmpty else { return }
        rejected = true
        self.head = nil
        let error = GatewayError(.bodyTooLarge, "request body exceeds the limit of \(limit) bytes")
        write(.error(error, sid: SessionID.next()), shape: shape, keepAlive: false, context: context)
    }

    /// Answers one request in a task started in place; the answer is written on this
    /// connection's loop.
    private func start(_ pending: Pending, context: ChannelHandlerContext) {
        let shape = pending.shape
        if pending.tooLarge {
            // The rest of the body may still be on its way: answer and close the connection.
            let error = GatewayError(.bodyTooLarge, "request body exceeds the limit of \(limit) bytes")
            write(.error(error, sid: SessionID.next()), shape: shape, keepAlive: false, context: context)
            return
        }
        let request = pending.request
        if Gateway.isWebSocketUpgrade(request) {
            upgrade(pending, context: context)
            return
        }
        busy = true
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let gateway = self.gateway
        let reply: @Sendable (GatewayHTTPResponse) -> Void = { response in
            if loop.inEventLoop {
                let (handler, context) = bound.value
                handler.write(response, shape: shape, keepAlive: shape.keepAlive, context: context)
            } else {
                loop.execute {
                    let (handler, context) = bound.value
                    handler.write(response, shape: shape, keepAlive: shape.keepAlive, context: context)
                }
            }
        }
        // An inference request whose engine call can start at once runs as callbacks on this
        // loop, without a task (see ImmediateEngine). Anything else runs in a task started
        // immediately: right here, in this read, up to its first real suspension (the engine
        // call); a request that never suspends (health, errors) is answered before the read
        // returns. Resumptions come back through this loop's executor.
        gateway.respond(to: request, executor: executor ?? EventLoopTaskExecutor.on(loop), answer: reply)
    }

    /// A WebSocket upgrade (RFC 6455 §4.2): checked like a once request (service, streaming
    /// offered, auth, rate limit); refused with the ASE error as a plain HTTP answer, or answered
    /// `101` and the connection handed to ``WebSocketSessionHandler`` (this handler leaves).
    private func upgrade(_ pending: Pending, context: ChannelHandlerContext) {
        let request = pending.request
        let sid = SessionID.next()
        if closeWhenIdle {
            // Shutting down (or the client half-closed): no new session on this connection.
            write(.error(GatewayError(.noHealthyEndpoint, "the gateway is shutting down; connect again"), sid: sid),
                  shape: pending.shape, keepAlive: false, context: context)
            return
        }
        let key = request.headers.first(name: "sec-websocket-key") ?? ""
        guard request.headers.first(name: "sec-websocket-version") == "13", WebSocketSessionHandler.isValidKey(key) else {
            var refused = GatewayHTTPResponse.error(
                GatewayError(.invalidRequest, "WebSocket handshake needs Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key (base64 of 16 bytes)"), sid: sid)
            refused.headers.append((name: "sec-websocket-version", value: "13"))
            write(refused, shape: pending.shape, keepAlive: false, context: context)
            return
        }
        switch gateway.streamTarget(.websocket, request, sid: sid) {
        case .refused(let response):
            write(response, shape: pending.shape, keepAlive: pending.shape.keepAlive, context: context)
        case .target(let target):
            queued.removeAll()
            context.write(wrapOutboundOut(WebSocketSessionHandler.switchingProtocols(key: key, target: target, allocator: context.channel.allocator)),
                          promise: nil)
            context.flush()
            do {
                try WebSocketSessionHandler.install(after: self, pipeline: context.pipeline.syncOperations, gateway: gateway, target: target)
            } catch {
                context.close(promise: nil)
                return
            }
            upgraded = true
            // Bytes read behind a pipelined handshake that waited its turn are frames already.
            if let leftover = unparsed, leftover.readableBytes > 0 {
                unparsed = nil
                context.fireChannelRead(NIOAny(leftover))
            }
            // Leaves once the read that brought the handshake is done (it may carry frames too).
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.execute { bound.value.pipeline.syncOperations.removeHandler(context: bound.value, promise: nil) }
        }
    }

    private func write(_ response: GatewayHTTPResponse, shape: AnswerShape, keepAlive: Bool, context: ChannelHandlerContext) {
        if let stream = response.stream, !shape.headOnly {
            writeStream(stream, response, http10: shape.http10, keepAlive: keepAlive, context: context)
            return
        }
        let keep = keepAlive && !closeWhenIdle
        let sendBody = !shape.headOnly
        let bodyBytes = response.body.readableBytes
        let inline = sendBody && bodyBytes <= Self.inlineBodyBytes
        var out = context.channel.allocator.buffer(capacity: 256 + response.sid.utf8.count + (inline ? bodyBytes : 0))
        Self.writeHead(response, keepAlive: keep, http10: shape.http10, into: &out)
        if inline {
            var body = response.body
            out.writeBuffer(&body)
            context.write(wrapOutboundOut(out), promise: nil)
        } else {
            context.write(wrapOutboundOut(out), promise: nil)
            if sendBody { context.write(wrapOutboundOut(response.body), promise: nil) }
        }
        answered(keep: keep, context: context)
    }

    /// After an answer is written: the next pipelined request on a kept connection, or the close.
    private func answered(keep: Bool, context: ChannelHandlerContext) {
        busy = false
        if keep {
            // Written at the end of this loop pass, with the other connections' (LoopFlusher).
            if let flusher { flusher.flushSoon(context, of: self) } else { context.flush() }
            if let next = queued.popFirst() {
                start(next, context: context)
            } else if closeWhenIdle && self.head == nil {
                closeAfterFlush(context)
            }
        } else {
            queued.removeAll()
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: promise)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let linger = rejected
            promise.futureResult.whenComplete { _ in
                guard linger else {
                    bound.value.close(promise: nil)
                    return
                }
                // The client may still be sending the body we refused: closing now would reset
                // the connection and could destroy the 413 before it is read. Stop writing, keep
                // reading (and discarding) until the client closes, 2 s at most.
                bound.value.close(mode: .output, promise: nil)
                bound.value.eventLoop.scheduleTask(in: .seconds(2)) { bound.value.close(promise: nil) }
            }
        }
    }

    /// A body produced over time (server-sent events): chunked transfer coding (HTTP/1.0: raw
    /// bytes, then close), each chunk written as it comes. The connection stays busy (pipelined
    /// requests wait) until the end; a client that leaves first cancels the producer.
    private func writeStream(_ stream: GatewayBodyStream, _ response: GatewayHTTPResponse, http10: Bool, keepAlive: Bool,
                             context: ChannelHandlerContext) {
        let keep = keepAlive && !http10
        var out = context.channel.allocator.buffer(capacity: 256 + response.sid.utf8.count)
        Self.writeHead(response, keepAlive: keep, http10: false, framing: http10 ? .untilClose : .chunked, into: &out)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        streaming = stream
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        Task {
            for await chunk in stream.chunks {
                loop.execute {
                    let (handler, context) = bound.value
                    guard handler.streaming === stream else { return chunk.written() }
                    let promise = context.eventLoop.makePromise(of: Void.self)
                    promise.futureResult.whenComplete { _ in chunk.written() }
                    handler.writeChunk(chunk.bytes, chunked: !http10, context: context, promise: promise)
                }
            }
            loop.execute {
                let (handler, context) = bound.value
                guard handler.streaming === stream else { return }
                handler.streaming = nil
                if !http10 {
                    var end = context.channel.allocator.buffer(capacity: 5)
                    end.writeStaticString("0\r\n\r\n")
                    context.write(handler.wrapOutboundOut(end), promise: nil)
                }
                // The rest as after any answer: keep-alive and the next pipelined request, or close.
                handler.answered(keep: keep && !handler.closeWhenIdle, context: context)
            }
        }
    }

    private func writeChunk(_ chunk: ByteBuffer, chunked: Bool, context: ChannelHandlerContext, promise: EventLoopPromise<Void>) {
        var out = context.channel.allocator.buffer(capacity: chunk.readableBytes + 16)
        if chunked {
            out.writeString(String(chunk.readableBytes, radix: 16))
            out.writeStaticString("\r\n")
        }
        var chunk = chunk
        out.writeBuffer(&chunk)
        if chunked { out.writeStaticString("\r\n") }
        context.writeAndFlush(wrapOutboundOut(out), promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let stream = streaming {
            streaming = nil
            stream.cancel()
        }
        context.fireChannelInactive()
    }

    /// How the body's end is told to the client.
    enum BodyFraming {
        /// `content-length` (a complete body).
        case length
        /// `transfer-encoding: chunked` (a body written as it is produced).
        case chunked
        /// Neither: the body ends when the connection closes (a produced body to HTTP/1.0).
        case untilClose
    }

    /// `HTTP/1.1 <status>` and the headers, written straight into `out`: counted, then copied
    /// into one reserved region (see ``HeadSink``).
    static func writeHead(_ response: GatewayHTTPResponse, keepAlive: Bool, http10: Bool, framing: BodyFraming = .length, into out: inout ByteBuffer) {
        var length = HeadLength()
        putHead(response, keepAlive: keepAlive, http10: http10, framing: framing, into: &length)
        out.writeCounted(length) { putHead(response, keepAlive: keepAlive, http10: http10, framing: framing, into: &$0) }
    }

    /// The status line and headers, into a ``HeadLength`` (counting) or ``ReservedBytes`` (copying).
    static func putHead<Sink: HeadSink>(_ response: GatewayHTTPResponse, keepAlive: Bool, http10: Bool, framing: BodyFraming, into out: inout Sink) {
        if response.status.code == 200 {
            out.put("HTTP/1.1 200 OK")
        } else {
            let status = HTTPResponseStatus(statusCode: response.status.code)
            out.put("HTTP/1.1 ")
            out.putDecimal(Int(status.code))
            out.put(" ")
            out.put(status.reasonPhrase)
        }
        out.put("\r\ncontent-type: ")
        out.put(response.contentType)
        switch framing {
        case .length:
            out.put("\r\ncontent-length: ")
            out.putDecimal(response.body.readableBytes)
        case .chunked:
            out.put("\r\ntransfer-encoding: chunked")
        case .untilClose:
            break
        }
        out.put("\r\nx-athena-sid: ")
        out.put(response.sid)
        if let service = response.service {
            out.put("\r\nx-athena-service: ")
            out.put(service)
        }
        if let version = response.version {
            out.put("\r\nx-athena-version: ")
            out.put(version)
        }
        if let code = response.code {
            out.put("\r\nx-athena-code: ")
            out.putDecimal(code)
        }
        for (name, value) in response.headers {
            out.put("\r\n")
            out.put(name)
            out.put(": ")
            out.put(value)
        }
        if !keepAlive {
            out.put("\r\nconnection: close")
        } else if http10 {
            out.put("\r\nconnection: keep-alive")
        }
        out.put("\r\n\r\n")
    }

    /// Closes the connection after what is written so far: an answer may be waiting for the
    /// loop's end-of-pass flush, and a close fails the writes still pending.
    private func closeAfterFlush(_ context: ChannelHandlerContext) {
        context.flush()
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if upgraded {
            context.fireUserInboundEventTriggered(event)
            return
        }
        switch event {
        case is ChannelShouldQuiesceEvent:
            // Graceful shutdown: finish the request in flight, then close.
            closeWhenIdle = true
            if !busy && head == nil { closeAfterFlush(context) }
        case ChannelEvent.inputClosed:
            if rejected {
                closeAfterFlush(context)
                return
            }
            closeWhenIdle = true
            if !busy && head == nil { closeAfterFlush(context) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }
}
