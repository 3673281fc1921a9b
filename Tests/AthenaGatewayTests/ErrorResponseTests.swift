import AthenaAPI
@testable import AthenaGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@Suite("Errors: every failure is an ASE response with a code, a message, the sid and the right status")
struct ErrorResponseTests {
    let factory = FakeEngineFactory()

    /// Sends `body` to `uri` and checks status, code and (optionally) the message.
    func expectError(
        _ table: RoutingTable = Fixtures.table(), uri: String = "/v1/private/digits", body: ByteBuffer,
        headers: HTTPFields = [:], status: HTTPResponse.Status, code: Int, message: String? = nil
    ) async throws {
        let app = try Fixtures.gateway(table, factory: factory).makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: uri, method: .post, headers: headers, body: body)
            #expect(response.status == status)
            let json = try Fixtures.json(response)
            #expect(json[path: ["header", "code"]]?.intValue == code)
            #expect(json[path: ["header", "sid"]]?.stringValue?.isEmpty == false)
            #expect(response.headers[GatewayHeaders.code] == String(code))
            if let message { #expect(json[path: ["header", "message"]]?.stringValue == message) }
        }
    }

    @Test func malformedJSON() async throws {
        try await expectError(body: ByteBuffer(string: "{\"payload\": "), status: .badRequest, code: 10160)
    }

    @Test func badBase64() async throws {
        let body = #"{"payload":{"image":{"status":3,"image":"@@not base64@@"}}}"#
        try await expectError(body: ByteBuffer(string: body), status: .badRequest, code: 10161, message: "payload.image.image: invalid base64")
    }

    @Test("wrongly typed parameter: precise path and types")
    func wrongType() async throws {
        try await expectError(body: Fixtures.aseBody(topK: "3"), status: .badRequest, code: 10163,
                              message: "parameter.digits.top_k: expected integer, got string")
    }

    @Test func missingField() async throws {
        try await expectError(body: ByteBuffer(string: #"{"payload":{}}"#), status: .badRequest, code: 10163,
                              message: "payload.image: required field is missing")
    }

    @Test("a payload data field with a length limit is checked on its base64 text")
    func payloadLengthLimit() async throws {
        let limited = RoutingTableSchema(payload: [
            "type": "object", "required": ["image"],
            "properties": ["image": ["type": "object", "properties": ["image": ["type": "string", "maxLength": 8]]]],
        ])
        try await expectError(Fixtures.table(schema: limited), body: Fixtures.aseBody(image: Array(repeating: 7, count: 12)),
                              status: .badRequest, code: 10163, message: "payload.image.image: expected at most 8 characters, got 16")
        let body = ByteBuffer(string: #"{"payload":{"image":{"status":3,"image":"AAAA"}}}"#)
        let app = try Fixtures.gateway(Fixtures.table(schema: limited), factory: factory).makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: body)
            #expect(response.status == .ok, "4 base64 characters are within the limit")
        }
    }

    @Test func badStatusType() async throws {
        try await expectError(body: ByteBuffer(string: #"{"payload":{"image":{"status":"x","image":""}}}"#), status: .badRequest, code: 10163,
                              message: "payload.image.status: expected integer 0...3, got string")
    }

    @Test func unknownService() async throws {
        try await expectError(uri: "/v1/private/nope", body: Fixtures.aseBody(), status: .notFound, code: 10404, message: "unknown service nope")
    }

    @Test func wrongProtocolPath() async throws {
        try await expectError(uri: "/v3/whatever/digits", body: Fixtures.aseBody(), status: .notFound, code: 10404)
    }

    @Test("body over limits.maxBodyBytes → 413")
    func bodyTooLarge() async throws {
        let big = ByteBuffer(string: #"{"payload":{"image":{"image":""# + String(repeating: "A", count: 4096) + #""}}}"#)
        try await expectError(Fixtures.table(limits: .init(maxBodyBytes: 1024)), body: big, status: .contentTooLarge, code: 10413)
    }

    @Test("engine slower than limits.timeoutSeconds → 504")
    func timeout() async throws {
        factory["10.0.0.1:9000"].set(.slow(.seconds(5)))
        try await expectError(Fixtures.table(limits: .init(timeoutSeconds: 0.2)), body: Fixtures.aseBody(), status: .gatewayTimeout, code: 10114)
    }

    @Test("engine down → 502 with code")
    func engineDown() async throws {
        factory["10.0.0.1:9000"].set(.unreachable)
        try await expectError(body: Fixtures.aseBody(), status: .badGateway, code: 10222)
    }

    @Test("wrapper error codes pass through: 304xx → 400, others → 500", arguments: [(30400, HTTPResponse.Status.badRequest), (30003, .internalServerError)])
    func engineError(code: Int, status: HTTPResponse.Status) async throws {
        factory["10.0.0.1:9000"].set(.fail(code: code, message: "wrapperError(\(code))"))
        try await expectError(body: Fixtures.aseBody(), status: status, code: code, message: "wrapperError(\(code))")
    }

    @Test("ModelArts body failing the apis schema → 400 with path")
    func modelArtsSchema() async throws {
        try await expectError(uri: "/v1/infers/digits", body: ByteBuffer(string: #"{"x":1}"#), headers: [.contentType: "application/json"],
                              status: .badRequest, code: 10163, message: "body.data: required field is missing")
    }

    @Test("OIP without inputs → 400")
    func oipMissingInputs() async throws {
        try await expectError(uri: "/v2/models/digits/infer", body: ByteBuffer(string: #"{"id":"1"}"#), status: .badRequest, code: 10163,
                              message: "inputs: required field is missing")
    }
}
