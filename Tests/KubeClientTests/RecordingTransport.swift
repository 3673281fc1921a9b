import Foundation
import KubeTransport
import Synchronization

/// An `HTTPTransport` double: answers from a script, in order, and logs every request.
final class RecordingTransport: HTTPTransport {
    /// One scripted answer: a whole response, body chunks of a stream, or a thrown error.
    enum Answer: Sendable {
        case response(status: Int, headers: HTTPHeaders = [:], body: String = "")
        case stream(status: Int = 200, chunks: [String], thenFail: TransportError? = nil)
        case fail(TransportError)
    }

    private let script: Mutex<[Answer]>
    private let log = Mutex<[HTTPRequest]>([])

    init(_ answers: [Answer]) {
        script = Mutex(answers)
    }

    var requests: [HTTPRequest] { log.withLock { $0 } }

    func stream(_ request: HTTPRequest) async throws -> HTTPStreamResponse {
        log.withLock { $0.append(request) }
        let answer = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch answer {
        case nil:
            throw TransportError(code: .other, message: "RecordingTransport: no answer scripted for \(request.url)")
        case .fail(let error):
            throw error
        case .response(let status, let headers, let body):
            return HTTPStreamResponse(
                status: status, headers: headers,
                body: AsyncThrowingStream { continuation in
                    continuation.yield(Data(body.utf8))
                    continuation.finish()
                })
        case .stream(let status, let chunks, let failure):
            return HTTPStreamResponse(
                status: status, headers: [:],
                body: AsyncThrowingStream { continuation in
                    for chunk in chunks { continuation.yield(Data(chunk.utf8)) }
                    continuation.finish(throwing: failure)
                })
        }
    }
}
