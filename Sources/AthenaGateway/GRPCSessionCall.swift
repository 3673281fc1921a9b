import NIOCore
import NIOHTTP2

/// One bidirectional gRPC call (`Engine/Session`) on a `GRPCConnection`: messages go out as the
/// client sends them, and every complete response message is handed over as it arrives.
///
/// Confined to the connection's event loop like ``GRPCUnaryCall`` (every field is touched there
/// only), hence `@unchecked Sendable`. Unlike a unary call it has no deadline of its own: a
/// session lasts as long as its client keeps it going, and the front-end that owns it enforces
/// the idle timeout.
final class GRPCSessionCall: @unchecked Sendable {
    let path: String
    /// The first request message (framed): it opens the session.
    let opening: ByteBuffer
    /// The opening is also the last message (it carries an end or once frame): half-close with it.
    let openingEnds: Bool
    /// Where the opening goes: `.success` once the stream's HEADERS are on their way to the
    /// engine (it may now run the session), `.failure` when the stream could not be opened.
    private var opened: (@Sendable (Result<Void, any Error>) -> Void)?
    /// Where messages and the end go, in order; `nil` once finished.
    private var receive: (@Sendable (Event) -> Void)?

    /// What the call delivers after it opened.
    enum Event: Sendable {
        /// One response message (without its 5-byte prefix).
        case message(ByteBuffer)
        /// The engine ended the call with an OK status.
        case finished
        /// The call failed (a non-OK status, a reset, a lost connection).
        case failed(any Error)
    }

    var streamID: HTTP2StreamID?
    /// The connection handler that owns the stream: later messages and the cancel go through it,
    /// even after the connection stopped taking new calls (GOAWAY) and another one replaced it.
    weak var owner: GRPCStreamHandler?
    var responseHeadersSeen = false
    /// Response bytes not yet cut into messages (a message may span DATA frames).
    var pending: ByteBuffer?
    /// Bytes received on this stream since the last stream WINDOW_UPDATE.
    var unacknowledged = 0
    /// Flow control towards the engine (see `GRPCStreamHandler.sessionBacklog`): bytes of
    /// complete messages handed over but not yet passed on by the consumer, and bytes received
    /// whose WINDOW_UPDATE waits until the consumer catches up.
    var deliveredUnconsumed = 0
    var deferredAcknowledgement = 0
    /// The client half-closed its side (no more messages).
    var halfClosed = false

    init(path: String, opening: ByteBuffer, openingEnds: Bool, opened: @escaping @Sendable (Result<Void, any Error>) -> Void,
         receive: @escaping @Sendable (Event) -> Void) {
        self.path = path
        self.opening = opening
        self.openingEnds = openingEnds
        self.opened = opened
        self.receive = receive
    }

    var isFinished: Bool { receive == nil }

    /// Reports the outcome of opening the stream, once.
    func reportOpened(_ result: Result<Void, any Error>) {
        guard let opened else { return }
        self.opened = nil
        opened(result)
        if case .failure(let error) = result { finish(.failed(error)) }
    }

    /// Cuts the complete messages out of `bytes` (appended to what was pending) and delivers them;
    /// returns their size on the wire (prefixes included). Throws on a message the gateway cannot
    /// read (compressed: compression was never offered).
    @discardableResult
    func deliver(_ bytes: inout ByteBuffer) throws -> Int {
        var delivered = 0
        if pending == nil { pending = bytes } else { pending!.writeBuffer(&bytes) }
        while var buffer = pending, buffer.readableBytes >= 5 {
            let compressed = buffer.readInteger(as: UInt8.self)!
            let length = Int(buffer.readInteger(as: UInt32.self)!)
            guard compressed == 0 else { throw EngineError(.badResponse, "compressed gRPC message (compression was not negotiated)") }
            guard let message = buffer.readSlice(length: length) else { return delivered }
            pending = buffer.readableBytes > 0 ? buffer : nil
            delivered += 5 + length
            receive?(.message(message))
        }
        return delivered
    }

    /// Ends the call, once: later outcomes (a reset after the trailers…) are ignored.
    func finish(_ event: Event) {
        if let opened {
            self.opened = nil
            switch event {
            case .failed(let error): opened(.failure(error))
            case .finished, .message: opened(.success(()))
            }
        }
        guard let receive else { return }
        self.receive = nil
        receive(event)
    }
}
