import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The gateway's HTTP/1.1 connections, plugged into Hummingbird's server (bind, lifecycle,
/// graceful shutdown) in place of its per-request machinery: NIO's HTTP/1.1 codec with
/// pipelining assistance, then ``GatewayHTTPHandler``.
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
            try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
            try sync.addHandler(GatewayHTTPHandler(gateway: gateway))
            return Value(channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        try? await value.channel.closeFuture.get()
    }
}

/// One HTTP/1.1 connection: collects a request (head and body, up to the largest body limit),
/// runs ``Gateway/handle(_:)`` in one task and writes the answer. NIO's pipelining handler
/// holds back the next request on the connection until this answer is written.
final class GatewayHTTPHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = Never
    typealias OutboundOut = HTTPServerResponsePart

    private let gateway: Gateway
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var limit = 0
    private var tooLarge = false
    /// A request is being answered (its task runs).
    private var busy = false
    /// Close once the current answer is written (shutdown, client half-closed).
    private var closeWhenIdle = false

    init(gateway: Gateway) {
        self.gateway = gateway
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
            self.tooLarge = false
            self.limit = gateway.state.maxBodyBytes
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limit {
                tooLarge = true
            }
        case .body(var chunk):
            guard !tooLarge else { return }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if body!.readableBytes > limit {
                tooLarge = true
                body = nil
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let request = GatewayHTTPRequest(
                method: head.method.rawValue, path: GatewayHTTPRequest.path(ofTarget: head.uri),
                headers: head.headers, body: body ?? ByteBuffer())
            body = nil
            if tooLarge {
                // The rest of the body may still be on its way: answer and close the connection.
                let error = GatewayError(.bodyTooLarge, "request body exceeds the limit of \(limit) bytes")
                write(.error(error, sid: SessionID.next()), head: head, keepAlive: false, context: context)
                return
            }
            busy = true
            let keepAlive = head.isKeepAlive
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let gateway = self.gateway
            Task {
                let response = await gateway.handle(request)
                if loop.inEventLoop {
                    let (handler, context) = bound.value
                    handler.write(response, head: head, keepAlive: keepAlive, context: context)
                } else {
                    loop.execute {
                        let (handler, context) = bound.value
                        handler.write(response, head: head, keepAlive: keepAlive, context: context)
                    }
                }
            }
        }
    }

    private func write(_ response: GatewayHTTPResponse, head: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext) {
        busy = false
        let keep = keepAlive && !closeWhenIdle
        var headers = response.headerFields(contentLength: response.body.readableBytes)
        if !keep {
            headers.add(name: "connection", value: "close")
        } else if head.version.major == 1 && head.version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        let responseHead = HTTPResponseHead(version: head.version, status: HTTPResponseStatus(statusCode: response.status.code), headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD && response.body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        if keep {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            promise.futureResult.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            // Graceful shutdown: finish the request in flight, then close.
            closeWhenIdle = true
            if !busy && head == nil { context.close(promise: nil) }
        case ChannelEvent.inputClosed:
            closeWhenIdle = true
            if !busy && head == nil { context.close(promise: nil) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }
}
