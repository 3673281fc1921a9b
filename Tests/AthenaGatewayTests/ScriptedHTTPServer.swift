import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 engine with scripted misbehaviour, on 127.0.0.1 and an ephemeral port:
/// `/echo` answers the body, `/slow` answers after 10 s, `/hangup` closes without answering,
/// `/bye` answers with `connection: close`, `/drop` answers then closes the idle connection
/// (an engine's keep-alive timeout), `/health` 200; anything else echoes, after 10 s when the
/// body contains `sleep` (one engine, fast and slow by request). Counts accepted connections.
final class ScriptedHTTPServer: Sendable {
    let channel: any Channel
    private let counter: ConnectionCounter

    var port: Int { channel.localAddress?.port ?? 0 }
    /// Connections accepted so far.
    var connections: Int { counter.count.load(ordering: .relaxed) }

    private init(channel: any Channel, counter: ConnectionCounter) {
        self.channel = channel
        self.counter = counter
    }

    static func start() async throws -> ScriptedHTTPServer {
        let counter = ConnectionCounter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counter.count.wrappingAdd(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedHTTPServer(channel: channel, counter: counter)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class ConnectionCounter: Sendable {
        let count = Atomic<Int>(0)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let head else { return }
                let path = head.uri
                switch path {
                case "/hangup":
                    context.close(promise: nil)
                case "/slow":
                    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    context.eventLoop.scheduleTask(in: .seconds(10)) {
                        let (handler, context) = bound.value
                        handler.answer(context: context, status: .ok, body: ByteBuffer(string: "late"), close: false)
                    }
                case "/bye":
                    answer(context: context, status: .ok, body: body, close: true)
                case "/drop":
                    answer(context: context, status: .ok, body: body, close: false)
                    let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                    context.eventLoop.scheduleTask(in: .milliseconds(20)) { bound.value.close(promise: nil) }
                case "/health":
                    answer(context: context, status: .ok, body: ByteBuffer(string: "ok"), close: false)
                default:
                    guard String(buffer: body).contains("sleep") else {
                        answer(context: context, status: .ok, body: body, close: false)
                        return
                    }
                    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    let late = body
                    context.eventLoop.scheduleTask(in: .seconds(10)) {
                        let (handler, context) = bound.value
                        handler.answer(context: context, status: .ok, body: late, close: false)
                    }
                }
            }
        }

        func answer(context: ChannelHandlerContext, status: HTTPResponseStatus, body: ByteBuffer, close: Bool) {
            var headers: HTTPHeaders = ["content-type": "application/json", "content-length": String(body.readableBytes)]
            if close { headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            if close {
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
            } else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
