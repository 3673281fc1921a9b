import AsyncHTTPClient
import Foundation
import KubeModel
import NIOCore

/// A response as the tests look at it.
struct TestResponse: Sendable {
    var status: Int
    var body: Data
    var headers: [(String, String)]

    /// The body as JSON, or nil.
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }

    /// ASE `header.code` (0 when absent).
    var aseCode: Int { json?["header"]?["code"]?.intValue ?? 0 }

    var text: String { String(decoding: body.prefix(2000), as: UTF8.self) }
}

/// Minimal HTTP for the tests, over the shared AsyncHTTPClient.
enum HTTP {
    static func post(_ url: String, body: Data, contentType: String = "application/json",
                     timeout: Int64 = 60) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await send(request, timeout: timeout)
    }

    static func post(_ url: String, json: JSONValue, timeout: Int64 = 60) async throws -> TestResponse {
        try await post(url, body: try JSONEncoder().encode(json), timeout: timeout)
    }

    static func get(_ url: String, timeout: Int64 = 30) async throws -> TestResponse {
        try await send(HTTPClientRequest(url: url), timeout: timeout)
    }

    static func send(_ request: HTTPClientRequest, timeout: Int64) async throws -> TestResponse {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return TestResponse(status: Int(response.status.code), body: Data(buffer.readableBytesView),
                            headers: response.headers.map { ($0.name, $0.value) })
    }
}

extension JSONValue {
    /// Builds JSON from a literal dictionary in tests.
    static func from(_ any: Any) -> JSONValue {
        switch any {
        case let v as JSONValue: return v
        case let v as String: return .string(v)
        case let v as Bool: return .bool(v)
        case let v as Int: return .number(Double(v))
        case let v as Double: return .number(v)
        case let v as [Any]: return .array(v.map(from))
        case let v as [String: Any]: return .object(v.mapValues(from))
        default: return .null
        }
    }
}
