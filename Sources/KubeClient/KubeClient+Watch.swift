import Foundation
import KubeModel
import KubeTransport

// MARK: - Watch

extension KubeClient {
    public func watch<T: KubeObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws
        -> WatchStream<T>
    {
        try await openWatch(T.resource, namespace: namespace, options: options, decoder: WatchEventDecoder(prepare: Self.stamped))
    }

    /// A watch of any resource, objects as JSON.
    public func watch(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) async throws
        -> WatchStream<UnstructuredObject>
    {
        try await openWatch(resource, namespace: namespace, options: options, decoder: WatchEventDecoder())
    }

    /// Opens the stream (throwing `KubeError.api` if the server refuses it, e.g. 403 or 410) and
    /// pumps its lines through a `LineFramer` and `decoder` on a task of its own. Ending the
    /// iteration cancels the task, which drops the body stream and so aborts the transfer.
    func openWatch<T: Decodable & Sendable>(
        _ resource: GroupVersionResource, namespace: String?, options: ListOptions, decoder: WatchEventDecoder<T>
    ) async throws(KubeError) -> WatchStream<T> {
        let path =
            ResourcePath.path(resource, namespace: namespace)
            + ResourcePath.encode(ResourcePath.query(options, watch: true))
        let request = try makeRequest("GET", path, body: nil, contentType: "application/json", timeout: nil)
        let response: HTTPStreamResponse
        do {
            response = try await transport.stream(request)
        } catch {
            throw Self.transportError(error)
        }
        guard (200..<300).contains(response.status) else {
            let body = (try? await response.collectBody()) ?? Data()
            throw .api(
                Self.status(
                    from: HTTPResponse(status: response.status, headers: response.headers, body: body), method: "GET",
                    path: path))
        }

        let (events, continuation) = AsyncThrowingStream.makeStream(of: WatchEvent<T>.self)
        let pump = Task {
            var framer = LineFramer()
            do {
                for try await chunk in response.body {
                    for line in try framer.append(chunk) { continuation.yield(try decoder.decode(line)) }
                }
                if let last = framer.finish() { continuation.yield(try decoder.decode(last)) }
                continuation.finish()
            } catch let error as KubeError {
                continuation.finish(throwing: error)
            } catch let error as LineFramer.LineTooLong {
                continuation.finish(throwing: KubeError.decoding("watch \(path): \(error)"))
            } catch {
                continuation.finish(throwing: Self.transportError(error))
            }
        }
        continuation.onTermination = { _ in pump.cancel() }
        return WatchStream(events)
    }
}
