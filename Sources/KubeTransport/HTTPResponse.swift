import Foundation

/// A complete HTTP response: status, headers and the whole body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response whose head has arrived and whose body is still streaming.
///
/// The body yields byte chunks exactly as the network delivers them (a chunk may hold half a
/// line or several lines; `LineFramer` reassembles them). It finishes when the server ends the
/// response and throws `TransportError` if the connection fails midway. Ending the iteration
/// early (breaking out, or cancelling the task) aborts the transfer.
public struct HTTPStreamResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: AsyncThrowingStream<Data, any Error>

    public init(status: Int, headers: HTTPHeaders, body: AsyncThrowingStream<Data, any Error>) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Reads the rest of the body into one buffer.
    public func collectBody() async throws -> Data {
        var data = Data()
        for try await chunk in body { data.append(chunk) }
        return data
    }
}
