import AsyncHTTPClient
import AthenaAPI
import Foundation
import Logging
import NIOCore

import NIOPosix

/// A plain HTTP engine (`protocol: http`): payload items become the engine's declared JSON or
/// multipart request; its answer comes back as one item `body` with the response content type.
///
/// AsyncHTTPClient rather than a hand-written NIO client: keep-alive pooling, deadlines and
/// correct HTTP/1.1 framing for free; one process-wide client with a large per-host pool so
/// 64+ concurrent requests do not queue behind AHC's default of 8 connections.
struct HTTPEngine: Engine {
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.timeout = .init(connect: .seconds(2))
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()

    let endpoint: HostPort
    let shape: HTTPEngineShape

    private var baseURL: String { "http://\(endpoint)" }

    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        var http = HTTPClientRequest(url: baseURL + shape.path)
        http.method = .init(rawValue: shape.method.uppercased())
        http.headers.add(name: "x-athena-sid", value: request.sid)
        for (name, value) in request.headers where name.lowercased().hasPrefix("x-") { http.headers.add(name: name, value: value) }
        let (body, contentType) = Self.body(for: request, shape: shape)
        http.headers.add(name: "content-type", value: contentType)
        http.body = .bytes(body)
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw EngineError(.timeout, "deadline passed before the call") }
        let response: HTTPClientResponse
        do {
            response = try await Self.client.execute(http, timeout: .nanoseconds(Self.nanoseconds(remaining)))
        } catch {
            throw Self.classify(error)
        }
        let bytes: ByteBuffer
        do {
            bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        } catch {
            throw EngineError(.transport, "reading the engine response: \(error)")
        }
        let type = response.headers.first(name: "content-type") ?? "application/json"
        let item = EngineItem(dataID: "body", kind: .text, descArgs: ["content-type": type], data: bytes.data)
        switch response.status.code {
        case 200..<300:
            return EngineResponse(items: [item])
        case 400..<500:
            return EngineResponse(code: 30400, message: "engine answered \(response.status.code): \(Self.snippet(bytes))", items: [])
        default:
            return EngineResponse(code: GatewayErrorCode.engineError.rawValue, message: "engine answered \(response.status.code): \(Self.snippet(bytes))", items: [])
        }
    }

    func checkHealth(timeout: Duration) async -> Bool {
        let request = HTTPClientRequest(url: baseURL + (shape.healthPath ?? "/"))
        guard let response = try? await Self.client.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout))) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return shape.healthPath == nil || (200..<300).contains(response.status.code)
    }

    // MARK: - Request shaping

    /// JSON: a single JSON item passes through untouched (ModelArts → HTTP engine is a pure
    /// hop); otherwise an object `{data_id: value}`. Multipart: one part per item.
    static func body(for request: EngineRequest, shape: HTTPEngineShape) -> (ByteBuffer, String) {
        if shape.contentType.lowercased().hasPrefix("multipart/") {
            let boundary = "athena-\(request.sid.hashValue.magnitude)"
            var buffer = ByteBufferAllocator().buffer(capacity: request.items.reduce(256) { $0 + $1.data.count + 160 })
            for item in request.items {
                buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(item.dataID)\"")
                if let filename = item.descArgs["filename"] ?? (item.kind == .text ? nil : item.dataID) {
                    buffer.writeString("; filename=\"\(filename)\"")
                }
                let type = item.descArgs["content-type"] ?? item.descArgs["content_type"] ?? (item.kind == .text ? "text/plain" : "application/octet-stream")
                buffer.writeString("\r\nContent-Type: \(type)\r\n\r\n")
                buffer.writeBytes(item.data)
                buffer.writeString("\r\n")
            }
            buffer.writeString("--\(boundary)--\r\n")
            return (buffer, "multipart/form-data; boundary=\(boundary)")
        }
        if request.items.count == 1, let item = request.items.first, item.kind == .text {
            var buffer = ByteBufferAllocator().buffer(capacity: item.data.count)
            buffer.writeBytes(item.data)
            return (buffer, "application/json")
        }
        var w = JSONWriter(capacity: request.items.reduce(64) { $0 + $1.data.count * 4 / 3 + 32 })
        w.raw("{")
        for (i, item) in request.items.enumerated() {
            if i > 0 { w.comma() }
            w.key(item.dataID)
            if item.kind == .text { ResultValue.write(item, into: &w) } else { w.base64(item.data) }
        }
        w.raw("}")
        return (w.buffer, "application/json")
    }

    static func classify(_ error: any Error) -> EngineError {
        if let error = error as? HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout { return EngineError(.timeout, "\(error)") }
            if error == .connectTimeout { return EngineError(.unreachable, "\(error)") }
            if error == .remoteConnectionClosed { return EngineError(.transport, "\(error)") }
        }
        let text = String(describing: error).lowercased()
        if text.contains("refused") || text.contains("connect") || text.contains("unreachable") {
            return EngineError(.unreachable, String(describing: error))
        }
        if text.contains("deadline") || text.contains("timeout") || text.contains("timed out") {
            return EngineError(.timeout, String(describing: error))
        }
        return EngineError(.transport, String(describing: error))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let c = duration.components
        return c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
    }

    private static func snippet(_ buffer: ByteBuffer) -> String {
        String(decoding: buffer.readableBytesView.prefix(200), as: UTF8.self)
    }
}
