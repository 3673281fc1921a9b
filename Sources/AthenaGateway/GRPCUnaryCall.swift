import NIOCore
import NIOHTTP2

/// One unary gRPC call in flight on a `GRPCConnection`: the framed request, where the answer goes,
/// and what arrived so far. Confined to the connection's event loop (every field is read and
/// written there only), hence `@unchecked Sendable`.
final class GRPCUnaryCall: @unchecked Sendable {
    let path: String
    let message: ByteBuffer
    let deadline: NIODeadline
    /// Where the outcome goes (once; on the connection's event loop).
    private var completion: (@Sendable (Result<ByteBuffer, any Error>) -> Void)?

    /// Set once HEADERS were handed to the HTTP/2 layer: from then on the engine may have run it.
    var streamID: HTTP2StreamID?
    var sent = false
    var responseHeadersSeen = false
    var body: ByteBuffer?
    /// Bytes received on this stream since the last stream WINDOW_UPDATE.
    var unacknowledged = 0
    var cancelled = false

    init(path: String, message: ByteBuffer, deadline: NIODeadline, completion: @escaping @Sendable (Result<ByteBuffer, any Error>) -> Void) {
        self.path = path
        self.message = message
        self.deadline = deadline
        self.completion = completion
    }

    var isFinished: Bool { completion == nil }

    /// Hands the outcome to the caller once; later outcomes (a reset after a timeout…) are ignored.
    func finish(_ result: Result<ByteBuffer, any Error>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }

    /// The single message of a finished response stream, or why there is none.
    func responseMessage(status: Int, statusMessage: String) -> Result<ByteBuffer, any Error> {
        guard status == 0 else {
            return .failure(GRPCStatusError(code: status, message: statusMessage))
        }
        guard var body, body.readableBytes >= 5,
            let compressed = body.readInteger(as: UInt8.self), let length = body.readInteger(as: UInt32.self)
        else {
            return .failure(EngineError(.badResponse, "gRPC OK without a response message"))
        }
        guard compressed == 0 else { return .failure(EngineError(.badResponse, "compressed gRPC message (compression was not negotiated)")) }
        guard let message = body.readSlice(length: Int(length)) else {
            return .failure(EngineError(.badResponse, "gRPC message shorter than its length prefix (\(length) bytes)"))
        }
        return .success(message)
    }
}

/// A non-OK `grpc-status` from the engine.
struct GRPCStatusError: Error, CustomStringConvertible {
    var code: Int
    var message: String

    var description: String { "gRPC status \(code)\(message.isEmpty ? "" : ": \(message)")" }

    /// The gateway's view of the status: UNAVAILABLE means "not processed, try elsewhere" by gRPC
    /// convention; DEADLINE_EXCEEDED is a timeout; UNIMPLEMENTED an engine without this RPC.
    var engineError: EngineError {
        switch code {
        case 4: EngineError(.timeout, description)
        case 14: EngineError(.unreachable, description)
        case 12: EngineError(.unsupported, "engine does not implement athena.engine.v1: \(message)")
        case 1: EngineError(.transport, "call cancelled: \(message)")
        default: EngineError(.badResponse, description)
        }
    }
}
