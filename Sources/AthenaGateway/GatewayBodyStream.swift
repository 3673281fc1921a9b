public import NIOCore

/// A response body written as it is produced (server-sent events): chunks in order, then the
/// end. The HTTP server writes each chunk as it comes and calls ``cancel()`` when the client
/// goes away first, so the producer (an engine session) stops.
public final class GatewayBodyStream: Sendable {
    public let chunks: AsyncStream<ByteBuffer>
    private let input: AsyncStream<ByteBuffer>.Continuation
    private let onCancel: @Sendable () -> Void

    init(chunks: AsyncStream<ByteBuffer>, input: AsyncStream<ByteBuffer>.Continuation, onCancel: @escaping @Sendable () -> Void) {
        self.chunks = chunks
        self.input = input
        self.onCancel = onCancel
    }

    func yield(_ chunk: ByteBuffer) { input.yield(chunk) }

    func finish() { input.finish() }

    /// The client went away before the end.
    public func cancel() {
        input.finish()
        onCancel()
    }
}
