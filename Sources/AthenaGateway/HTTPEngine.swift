import AthenaAPI
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A plain HTTP engine (`protocol: http`): payload items become the engine's declared JSON or
/// multipart request; its answer comes back as one item `body` with the response content type.
///
/// Calls go through a keep-alive ``HTTPConnectionPool`` of this endpoint (per event loop, one
/// `writev` per request, no executor hop), not AsyncHTTPClient: see the pool for why.
struct HTTPEngine: ImmediateEngine {
    let endpoint: HostPort
    let shape: HTTPEngineShape
    let pool: HTTPConnectionPool
    /// `host:port` for the Host header, formatted once.
    let hostHeader: String
    /// The engine takes multipart/form-data (decided once, not per request).
    let multipart: Bool
    /// `METHOD path HTTP/1.1\r\nhost: host:port\r\ncontent-type: `, the same for every request.
    let requestHead: ByteBuffer

    init(endpoint: HostPort, shape: HTTPEngineShape) {
        self.endpoint = endpoint
        self.shape = shape
        self.hostHeader = endpoint.description
        self.multipart = Self.isMultipart(shape)
        self.pool = HTTPConnectionPool(host: endpoint.host, port: endpoint.port)
        self.requestHead = ByteBuffer(string: "\(shape.method.uppercased()) \(shape.path) HTTP/1.1\r\nhost: \(endpoint.description)\r\ncontent-type: ")
    }

    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw EngineError(.timeout, "deadline passed before the call") }
        let reply: HTTPEngineReply
        do {
            reply = try await pool.execute(encode(request), deadline: .now() + TimeAmount(remaining))
        } catch {
            throw Self.classify(error)
        }
        return Self.response(from: reply)
    }

    func inferNow(_ request: EngineRequest, deadline: ContinuousClock.Instant,
                  completion: @escaping @Sendable (ImmediateOutcome) -> Void) -> Bool {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return false }
        return pool.executeNow(encode(request), deadline: .now() + TimeAmount(remaining)) { result in
            switch result {
            case .success(let reply): completion(.answered(Self.response(from: reply)))
            case .failure(.closedBeforeResponse): completion(.notSent)
            case .failure(let error): completion(.failed(Self.classify(error)))
            }
        }
    }

    /// The engine's answer as one item `body` with the response content type; a 4xx is the
    /// client's error (30400), anything else not 2xx the engine's.
    static func response(from reply: HTTPEngineReply) -> EngineResponse {
        let type = reply.contentType ?? "application/json"
        switch reply.status {
        case 200..<300:
            let desc = type == "application/json" ? EngineItem.jsonDescArgs : ["content-type": type]
            let item = EngineItem(dataID: "body", kind: .text, descArgs: desc, bytes: .buffer(reply.body))
            return EngineResponse(items: [item])
        case 400..<500:
            return EngineResponse(code: 30400, message: "engine answered \(reply.status): \(Self.snippet(reply.body))", items: [])
        default:
            return EngineResponse(code: GatewayErrorCode.engineError.rawValue, message: "engine answered \(reply.status): \(Self.snippet(reply.body))", items: [])
        }
    }

    /// The whole HTTP/1.1 request (request line, headers, body) in one buffer. Header values
    /// that come from the client (sid, `x-` headers) are dropped if they could break the framing.
    func encode(_ request: EngineRequest) -> ByteBuffer {
        // A single JSON item (a ModelArts body) goes from the item into the request as it is
        // (read in place as `items[0]`: a copy would retain its bytes and arguments).
        let passThrough = Self.isPassThrough(request, multipart: multipart)
        var body: ByteBuffer?
        var contentType = "application/json"
        if !passThrough { (body, contentType) = Self.body(for: request, multipart: multipart) }
        let bodyBytes = passThrough ? request.items[0].byteCount : body?.readableBytes ?? 0
        var out = ByteBufferAllocator().buffer(capacity: 128 + requestHead.readableBytes + request.sid.utf8.count + bodyBytes)
        out.writeImmutableBuffer(requestHead)
        out.writeString(contentType)
        out.writeStaticString("\r\ncontent-length: ")
        ASCIIBytes.writeDecimal(bodyBytes, into: &out)
        if Self.isSafeHeaderText(request.sid) {
            out.writeStaticString("\r\nx-athena-sid: ")
            out.writeString(request.sid)
        }
        for (name, value) in request.headers {
            let lower = name.lowercased()
            guard lower.hasPrefix("x-") || request.ruleHeaders[name] != nil, lower != "x-athena-sid", !Self.framingHeaders.contains(lower),
                Self.isSafeHeaderText(name), !name.contains(":"), !name.contains(" "), Self.isSafeHeaderText(value)
            else { continue }
            out.writeStaticString("\r\n")
            out.writeString(name)
            out.writeStaticString(": ")
            out.writeString(value)
        }
        out.writeStaticString("\r\n\r\n")
        if passThrough {
            request.items[0].write(into: &out)
        } else if var body {
            out.writeBuffer(&body)
        }
        return out
    }

    static func isMultipart(_ shape: HTTPEngineShape) -> Bool {
        shape.contentType.lowercased().hasPrefix("multipart/")
    }

    /// The request is one JSON text item, sent untouched to a JSON engine.
    static func isPassThrough(_ request: EngineRequest, multipart: Bool) -> Bool {
        !multipart && request.items.count == 1 && request.items[0].kind == .text
    }

    /// No CR, LF or NUL: cannot end a header line early.
    static func isSafeHeaderText(_ text: String) -> Bool {
        !ASCIIBytes.contains(text) { $0 == 13 || $0 == 10 || $0 == 0 }
    }

    /// Headers this engine request sets itself or that change how it is framed or kept alive:
    /// never taken from a rule's `setHeaders`.
    static let framingHeaders: Set<String> = [
        "host", "content-type", "content-length", "transfer-encoding", "connection", "keep-alive",
        "upgrade", "te", "trailer", "expect",
    ]

    func checkHealth(timeout: Duration) async -> Bool {
        var headers = HTTPHeaders()
        headers.add(name: "host", value: hostHeader)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: shape.healthPath ?? "/", headers: headers)
        guard let reply = try? await pool.execute(head, body: ByteBuffer(), deadline: .now() + TimeAmount(timeout)) else {
            return false
        }
        return shape.healthPath == nil || (200..<300).contains(reply.status)
    }

    func shutdown() async {
        pool.shutdown()
    }

    // MARK: - Request shaping

    /// The body of a request that is not a pass-through (`passThroughItem`, written by `encode`
    /// as it is): JSON → an object `{data_id: value}`; multipart → one part per item.
    static func body(for request: EngineRequest, multipart: Bool) -> (ByteBuffer, String) {
        if multipart {
            let boundary = "athena-\(request.sid.hashValue.magnitude)"
            var buffer = ByteBufferAllocator().buffer(capacity: request.items.reduce(256) { $0 + $1.byteCount + 160 })
            for item in request.items {
                buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(item.dataID)\"")
                if let filename = item.descArgs["filename"] ?? (item.kind == .text ? nil : item.dataID) {
                    buffer.writeString("; filename=\"\(filename)\"")
                }
                let type = item.descArgs["content-type"] ?? item.descArgs["content_type"] ?? (item.kind == .text ? "text/plain" : "application/octet-stream")
                buffer.writeString("\r\nContent-Type: \(type)\r\n\r\n")
                item.write(into: &buffer)
                buffer.writeString("\r\n")
            }
            buffer.writeString("--\(boundary)--\r\n")
            return (buffer, "multipart/form-data; boundary=\(boundary)")
        }
        var w = JSONWriter(capacity: request.items.reduce(64) { $0 + $1.byteCount * 4 / 3 + 32 })
        w.raw("{")
        for (i, item) in request.items.enumerated() {
            if i > 0 { w.comma() }
            w.key(item.dataID)
            if item.kind == .text { ResultValue.write(item, into: &w) } else { item.withUnsafeBytes { w.base64($0) } }
        }
        w.raw("}")
        return (w.buffer, "application/json")
    }

    /// Pool failures in the terms load balancing cares about: only a failed connect means the
    /// request never reached the engine.
    static func classify(_ error: any Error) -> EngineError {
        if let error = error as? EngineError { return error }
        switch error as? HTTPEngineConnectionError {
        case .timeout: return EngineError(.timeout, "the engine did not answer in time")
        case .closedBeforeResponse: return EngineError(.transport, "the engine closed the connection without answering")
        case .closedDuringResponse: return EngineError(.transport, "the engine closed the connection in the middle of its answer")
        case .responseTooLarge: return EngineError(.badResponse, "the engine's answer exceeds \(HTTPEngineConnectionHandler.maxResponseBytes) bytes")
        case .malformed(let why): return EngineError(.badResponse, "the engine's answer is not valid HTTP/1.1: \(why)")
        case nil: return EngineError(.transport, String(describing: error))
        }
    }

    private static func snippet(_ buffer: ByteBuffer) -> String {
        String(decoding: buffer.readableBytesView.prefix(200), as: UTF8.self)
    }
}
