import EngineProtocol
import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP2
import SwiftProtobuf

/// A no-op `athena.engine.v1` engine at the HTTP/2 frame level: every `Infer` gets the same
/// pre-serialised answer, an `InferBatch` of N requests N copies of it,
/// `grpc.health.v1.Health/Check` says SERVING, anything else is UNIMPLEMENTED. Real gRPC on the wire (HEADERS, length-prefixed DATA, `grpc-status` trailers),
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

    static let inferBatchPath = "/athena.engine.v1.Engine/InferBatch"

    /// Framed `InferBatchResponse`s by number of responses (the gateway's batches are small).
    private var batchAnswers: [Int: ByteBuffer] = [:]

    /// The framed answer to a batch of `count` requests.
    private func batchAnswer(count: Int) -> ByteBuffer {
        if let cached = batchAnswers[count] { return cached }
        var response = Athena_Engine_V1_InferBatchResponse()
        response.responses = Array(repeating: NoopEngine.answer, count: count)
        let framed = Self.framed(response)
        batchAnswers[count] = framed
        return framed
    }

    /// Requests in a framed `InferBatchRequest`: its top-level field-1 entries.
    static func requestCount(_ message: ByteBuffer) -> Int {
        var buffer = message
        guard buffer.readableBytes >= 5 else { return 0 }
        buffer.moveReaderIndex(forwardBy: 5)
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = buffer.readInteger(as: UInt8.self) {
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }
        var count = 0
        while buffer.readableBytes > 0, let tag = varint() {
            switch tag & 7 {
            case 0: guard varint() != nil else { return count }
            case 1: buffer.moveReaderIndex(forwardBy: min(8, buffer.readableBytes))
            case 2:
                guard let length = varint(), length <= UInt64(buffer.readableBytes) else { return count }
                buffer.moveReaderIndex(forwardBy: Int(length))
                if tag >> 3 == 1 { count += 1 }
            case 5: buffer.moveReaderIndex(forwardBy: min(4, buffer.readableBytes))
            default: return count
            }
        }
        return count
    }

    /// Paths of streams whose request has not ended yet.
    private var paths: [HTTP2StreamID: String] = [:]
    /// Request bytes of `InferBatch` streams (the answer depends on how many requests came).
    private var batchBodies: [HTTP2StreamID: ByteBuffer] = [:]
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
            if paths[frame.streamID] == Self.inferBatchPath, case .byteBuffer(var bytes) = payload.data {
                batchBodies[frame.streamID, default: ByteBuffer()].writeBuffer(&bytes)
            }
            if unacknowledged >= 32_768 {  // keep the connection window open (no multiplexer does it)
                context.write(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: unacknowledged))), promise: nil)
                unacknowledged = 0
                flushPending = true
            }
            if payload.endStream { answer(frame.streamID, context: context) }
        case .rstStream:
            paths[frame.streamID] = nil
            batchBodies[frame.streamID] = nil
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
        case Self.inferBatchPath:
            body = batchAnswer(count: Self.requestCount(batchBodies.removeValue(forKey: id) ?? ByteBuffer()))
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
