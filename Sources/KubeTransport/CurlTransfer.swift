import CCurl
import Foundation
import Synchronization

/// The state of one libcurl transfer, shared between libcurl's callbacks (on the transfer's own
/// thread) and the Swift side (head continuation, body stream, cancellation).
///
/// `@unchecked Sendable`: `status`, `headers` and `headDelivered` are only touched on the
/// transfer thread; the continuation is resumed exactly once (guarded by `head`); `cancelled`
/// is an atomic read by the progress callback.
final class CurlTransfer: @unchecked Sendable {
    /// Held only until the head is delivered: once the caller owns the only reference, dropping
    /// it terminates the stream, which cancels the transfer.
    private var pendingBody: AsyncThrowingStream<Data, any Error>?
    private let bodyContinuation: AsyncThrowingStream<Data, any Error>.Continuation
    private let head = Mutex<CheckedContinuation<HTTPStreamResponse, any Error>?>(nil)
    private let cancelled = Atomic<Bool>(false)

    private var status = 0
    private var headers = HTTPHeaders()
    private(set) var headDelivered = false

    init() {
        let (body, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        pendingBody = body
        bodyContinuation = continuation
        bodyContinuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.cancel() }
        }
    }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Asks the transfer to stop; the progress or write callback aborts it on libcurl's thread.
    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    func setHeadContinuation(_ continuation: CheckedContinuation<HTTPStreamResponse, any Error>) {
        head.withLock { $0 = continuation }
    }

    // MARK: - Callbacks (transfer thread)

    /// One header line, `\r\n` included.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("HTTP/") {
            // A new response head (after a 1xx, or the first): start over.
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
        } else if line.isEmpty {
            if status >= 200 { deliverHead() }
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name: name, value: value)
        }
    }

    /// Body bytes; returns false to abort the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if isCancelled { return false }
        if !headDelivered { deliverHead() }
        if !bytes.isEmpty { bodyContinuation.yield(Data(bytes)) }
        return true
    }

    // MARK: - Completion (transfer thread)

    /// The transfer ended without error.
    func complete(status fallbackStatus: Int) {
        if !headDelivered {
            if status == 0 { status = fallbackStatus }
            deliverHead()
        }
        bodyContinuation.finish()
    }

    /// The transfer failed: before the head, the `stream` call throws; after it, the body does.
    func fail(_ error: TransportError) {
        if let continuation = takeHead() {
            headDelivered = true
            pendingBody = nil
            continuation.resume(throwing: error)
            bodyContinuation.finish(throwing: error)
        } else {
            bodyContinuation.finish(throwing: error)
        }
    }

    private func deliverHead() {
        headDelivered = true
        guard let body = pendingBody else { return }
        pendingBody = nil
        let response = HTTPStreamResponse(status: status, headers: headers, body: body)
        takeHead()?.resume(returning: response)
    }

    private func takeHead() -> CheckedContinuation<HTTPStreamResponse, any Error>? {
        head.withLock { continuation in
            defer { continuation = nil }
            return continuation
        }
    }
}
