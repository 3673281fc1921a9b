import EngineProtocol
import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import SwiftProtobuf

/// A no-op `athena.engine.v1` engine at the HTTP/2 frame level: every `Infer` gets the same
/// pre-serialised answer, `grpc.health.v1.Health/Check` says SERVING, anything else is
/// UNIMPLEMENTED. Real gRPC on the wire (HEADERS, length-prefixed DATA, `grpc-status` trailers),
/// but without a child channel, pipeline and async sequences per call, so that benchmark (b)
/// spends its CPU in the gateway rather than in the engine it talks to.
final class NoopFrameHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    static let inferAnswer: ByteBuffer = framed(NoopEngine.answer)
    static let healthAnswer: ByteBuffer = {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = .serving
        return framed(response)
    }()

    static func framed(_ message: some SwiftProtobuf.Message) -> ByteBuffer {
        let bytes: [UInt8] = (try? message.serializedBytes()) ?? []
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count + 5)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(bytes.count))
        buffer.writeBytes(bytes)
        return buffer
    }

    /// Paths of streams whose request has not ended yet.
    private var paths: [HTTP2StreamID: String] = [:]
    private var unacknowledged = 0
    private var flushPending = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers(let headers):
            paths[frame.streamID] = headers.headers.first(name: ":path") ?? ""
            if headers.endStream { answer(frame.streamID, context: context) }
        case .data(let payload):
            unacknowledged += payload.data.readableBytes
            if unacknowledged >= 32_768 {  // keep the connection window open (no multiplexer does it)
                context.write(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: unacknowledged))), promise: nil)
                unacknowledged = 0
                flushPending = true
            }
            if payload.endStream { answer(frame.streamID, context: context) }
        case .rstStream:
            paths[frame.streamID] = nil
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if flushPending {
            flushPending = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    private func answer(_ id: HTTP2StreamID, context: ChannelHandlerContext) {
        guard let path = paths.removeValue(forKey: id) else { return }
        let body: ByteBuffer
        switch path {
        case "/athena.engine.v1.Engine/Infer": body = Self.inferAnswer
        case "/grpc.health.v1.Health/Check": body = Self.healthAnswer
        default:
            let trailers: HPACKHeaders = [":status": "200", "content-type": "application/grpc", "grpc-status": "12", "grpc-message": "not implemented by the no-op engine"]
            context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: trailers, endStream: true)))), promise: nil)
            flushPending = true
            return
        }
        let head: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: head)))), promise: nil)
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(body))))), promise: nil)
        let trailers: HPACKHeaders = ["grpc-status": "0"]
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: trailers, endStream: true)))), promise: nil)
        flushPending = true
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOHTTP2Errors.StreamError { return }
        context.close(promise: nil)
    }
}
