public import NIOCore
import Synchronization

/// A response body written as it is produced (server-sent events): chunks in order, then the
/// end. The HTTP server writes each chunk as it comes and calls its `written` once it is out,
/// which is when ``write(_:)`` returns: the producer (an engine session) goes no faster than the
/// client reads. The server calls ``cancel()`` when the client goes away first.
public final class GatewayBodyStream: Sendable {
    /// One chunk, and what to call once it is written (or dropped).
    public struct Chunk: Sendable {
        public let bytes: ByteBuffer
        public let written: @Sendable () -> Void
    }

    public let chunks: AsyncStream<Chunk>
    private let input: AsyncStream<Chunk>.Continuation
    /// Writers waiting for their chunk: resumed when it is written, or all at once when the
    /// stream ends without being read to the end (no writer is left hanging).
    private let waiting = Mutex<(next: Int, resumers: [Int: CheckedContinuation<Void, Never>], ended: Bool)>((0, [:], false))
    private let cancelled = Mutex<(@Sendable () -> Void)?>(nil)

    init() {
        let (chunks, input) = AsyncStream.makeStream(of: Chunk.self)
        self.chunks = chunks
        self.input = input
        input.onTermination = { [weak self] _ in self?.releaseWriters() }
    }

    /// The stream ended (read to the end or dropped): no writer may stay suspended.
    private func releaseWriters() {
        let pending = waiting.withLock { state in
            state.ended = true
            defer { state.resumers = [:] }
            return Array(state.resumers.values)
        }
        for continuation in pending { continuation.resume() }
    }

    /// A queued chunk was written or dropped: its writer goes on.
    private func release(_ id: Int) {
        waiting.withLock { $0.resumers.removeValue(forKey: id) }?.resume()
    }

    /// What to do when the client leaves first (set once, before the stream is handed out).
    func onCancel(_ action: @escaping @Sendable () -> Void) {
        cancelled.withLock { $0 = action }
    }

    /// Queues `bytes` and returns once they are written (or the client is gone).
    func write(_ bytes: ByteBuffer) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id: Int? = waiting.withLock { state in
                guard !state.ended else { return nil }
                state.next += 1
                state.resumers[state.next] = continuation
                return state.next
            }
            guard let id else { return continuation.resume() }
            let resume: @Sendable () -> Void = { [weak self] in self?.release(id) }
            if case .terminated = input.yield(Chunk(bytes: bytes, written: resume)) { resume() }
        }
    }

    func finish() { input.finish() }

    /// The client went away before the end.
    public func cancel() {
        input.finish()
        cancelled.withLock { $0 }?()
    }
}
