/// Sends HTTP requests. `CurlTransport` is the real one; tests may substitute a double.
///
/// Knows HTTP, not Kubernetes: no URL building, no `Status` decoding. A non-2xx status is a
/// normal response here; only failures to get an answer at all throw `TransportError`.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the whole response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Sends `request` and returns as soon as the response head has arrived; the body streams.
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamResponse
}

extension HTTPTransport {
    /// The default `send`: stream and collect.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let streamed = try await stream(request)
        return HTTPResponse(status: streamed.status, headers: streamed.headers, body: try await streamed.collectBody())
    }
}
