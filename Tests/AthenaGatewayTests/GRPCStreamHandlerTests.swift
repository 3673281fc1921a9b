@testable import AthenaGateway
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Synchronization
import Testing

/// The gateway's gRPC stream handler alone, fed HTTP/2 frames and events as `NIOHTTP2Handler`
/// would pass them on.
@Suite("GRPCStreamHandler: how a call's stream ends")
struct GRPCStreamHandlerTests {
    /// A handler on an active embedded channel with one unary call started on stream 1.
    func started() throws -> (EmbeddedChannel, CallOutcome) {
        let channel = EmbeddedChannel()
        let handler = GRPCStreamHandler(authority: "engine", onUnusable: { _ in })
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let outcome = CallOutcome()
        let call = GRPCUnaryCall(path: "/athena.engine.v1.Engine/Infer", message: ByteBuffer(bytes: [0, 0, 0, 0, 0]),
                                 deadline: .now() + .seconds(30)) { result in outcome.set(result) }
        handler.start(call)
        channel.embeddedEventLoop.run()
        return (channel, outcome)
    }

    func responseHeaders(_ pairs: [(String, String)], end: Bool) -> HTTP2Frame {
        HTTP2Frame(streamID: 1, payload: .headers(.init(headers: HPACKHeaders(pairs), endStream: end)))
    }

    @Test("a stream closed before its trailers fails the call as a transport error, with the reset's code")
    func closedWithoutStatus() throws {
        let (channel, outcome) = try started()
        try channel.writeInbound(responseHeaders([(":status", "200"), ("content-type", "application/grpc")], end: false))
        #expect(outcome.get() == nil)
        channel.pipeline.fireUserInboundEventTriggered(StreamClosedEvent(streamID: 1, reason: .internalError))
        let result = try #require(outcome.get())
        guard case .failure(let error as EngineError) = result else { Issue.record("expected an engine error, got \(result)"); return }
        #expect(error.kind == .transport)
        #expect(error.message.hasPrefix("the stream closed without a gRPC status ("), "\(error.message)")
        _ = try? channel.finish()
    }

    @Test("trailers answer the call; the stream's closing afterwards changes nothing")
    func trailersThenClosed() throws {
        let (channel, outcome) = try started()
        try channel.writeInbound(responseHeaders([(":status", "200"), ("content-type", "application/grpc")], end: false))
        var body = ByteBuffer(bytes: [0, 0, 0, 0, 2, 0x08, 0x01])
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(body)))))
        try channel.writeInbound(responseHeaders([("grpc-status", "0")], end: true))
        channel.pipeline.fireUserInboundEventTriggered(StreamClosedEvent(streamID: 1, reason: nil))
        let result = try #require(outcome.get())
        body.moveReaderIndex(forwardBy: 5)
        #expect((try? result.get()) == body)
        _ = try? channel.finish()
    }
}

/// A call's outcome, set once by its completion.
final class CallOutcome: Sendable {
    private let value = Mutex<Result<ByteBuffer, any Error>?>(nil)
    func set(_ new: Result<ByteBuffer, any Error>) { value.withLock { $0 = new } }
    func get() -> Result<ByteBuffer, any Error>? { value.withLock { $0 } }
}
