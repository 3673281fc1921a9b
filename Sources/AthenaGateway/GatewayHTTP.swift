public import HTTPTypes
public import NIOCore
public import NIOHTTP1

/// One HTTP request as the gateway core sees it, whichever server delivered it (the NIO
/// HTTP/1.1 handler in production, Hummingbird's router in tests): the body is complete.
public struct GatewayHTTPRequest: Sendable {
    /// Upper-case method name (`GET`, `POST`…).
    public var method: String
    /// The path without the query string.
    public var path: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer

    public init(method: String, path: String, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The request path of a request-target (`/a/b?x=1` → `/a/b`).
    static func path(ofTarget target: String) -> String {
        guard let cut = ASCIIBytes.firstOffset(in: target, where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) else { return target }
        return String(target[..<target.utf8.index(target.utf8.startIndex, offsetBy: cut)])
    }
}

/// What the core answers: status, content type and body, plus the `x-athena-*` headers every
/// response carries (sid always; service, version and code on inference routes and errors).
public struct GatewayHTTPResponse: Sendable {
    public var status: HTTPResponse.Status
    public var contentType: String
    public var body: ByteBuffer
    public var sid: String
    public var service: String?
    public var version: String?
    /// `x-athena-code`: 0 on success, the error code otherwise; `nil` on operational routes.
    public var code: Int?
    /// Further headers, from the error answered (``GatewayError/headers``).
    public var headers: [(name: String, value: String)] = []
    /// A body produced over time (server-sent events), written chunk by chunk instead of `body`.
    public var stream: GatewayBodyStream?

    public init(
        status: HTTPResponse.Status = .ok, contentType: String = "application/json", body: ByteBuffer,
        sid: String = "", service: String? = nil, version: String? = nil, code: Int? = nil
    ) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.sid = sid
        self.service = service
        self.version = version
        self.code = code
    }

    /// A JSON response from a literal.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> GatewayHTTPResponse {
        GatewayHTTPResponse(status: status, body: ByteBuffer(string: text))
    }

    /// The ASE error response for `error` (non-zero `header.code`, message, sid, fitting status).
    static func error(_ error: GatewayError, sid: String, service: String? = nil, version: String? = nil) -> GatewayHTTPResponse {
        var response = GatewayHTTPResponse(status: error.status, body: ASECodec.encodeError(error, sid: sid), sid: sid,
                                           service: service, version: version, code: error.code)
        response.headers = error.headers
        return response
    }

    /// The response headers, in the order they are written.
    func headerFields(contentLength: Int) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(7)
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(contentLength))
        headers.add(name: "x-athena-sid", value: sid)
        if let service { headers.add(name: "x-athena-service", value: service) }
        if let version { headers.add(name: "x-athena-version", value: version) }
        if let code { headers.add(name: "x-athena-code", value: String(code)) }
        for (name, value) in self.headers { headers.add(name: name, value: value) }
        return headers
    }
}
