import Foundation

/// One HTTP request as the transport sends it. The transport adds nothing Kubernetes-specific.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, ...
    public var method: String
    /// The absolute URL, query included (already percent-encoded).
    public var url: String
    public var headers: HTTPHeaders
    public var body: Data?
    /// Limit on the whole exchange; `nil` means none (watches run until the server ends them).
    public var timeout: Duration?

    public init(
        method: String = "GET", url: String, headers: HTTPHeaders = HTTPHeaders(), body: Data? = nil,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
