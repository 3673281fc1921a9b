import AsyncHTTPClient
import Foundation
import Testing

/// Bad requests against a real `athena serve`: each gets the fitting HTTP status and a non-zero
/// ASE `header.code`, and the server keeps serving afterwards.
@Suite("error responses end to end", .timeLimit(.minutes(3)))
struct ErrorEndToEndTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var body: Data
        var contentType = "application/json"
        var status: Int
        var code: Int
        var testDescription: String { name }
    }

    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

    static let cases: [Case] = [
        Case(name: "malformed JSON", path: "/v1/private/digits", body: Data(#"{"payload": {"image": "#.utf8), status: 400, code: 10160),
        Case(name: "bad base64", path: "/v1/private/digits",
             body: ProtocolRequests.json(["payload": ["image": ["encoding": "png", "status": 3, "image": "%%% not base64 %%%"]]]),
             status: 400, code: 10161),
        Case(name: "missing payload field", path: "/v1/private/digits",
             body: ProtocolRequests.json(["header": ["status": 3], "payload": [String: Any]()]), status: 400, code: 10163),
        Case(name: "wrongly typed field", path: "/v1/private/digits",
             body: ProtocolRequests.json(["payload": ["image": ["encoding": "png", "status": 3, "image": 12345]]]),
             status: 400, code: 10163),
        Case(name: "oversize body", path: "/v1/private/digits",
             body: Data(repeating: UInt8(ascii: "a"), count: 13 << 20), status: 413, code: 10413),
        Case(name: "unknown service", path: "/v1/private/no-such-service", body: ProtocolRequests.ase(service: "no-such-service", png: png),
             status: 404, code: 10404),
        Case(name: "wrong protocol path", path: "/v7/whatever/digits", body: ProtocolRequests.ase(png: png), status: 404, code: 10404),
    ]

    @Test("bad request → status and code", arguments: cases)
    func badRequest(_ c: Case) async throws {
        let server = try await SharedServers.shared.digitsApp()
        let response: TestResponse
        do {
            response = try await HTTP.post(server.baseURL + c.path, body: c.body, contentType: c.contentType)
        } catch {
            // A server may close the connection after answering 413 before reading the whole body.
            Issue.record("\(c.name): request failed: \(error)")
            return
        }
        #expect(response.status == c.status, "\(c.name): \(response.text)")
        #expect(response.aseCode == c.code, "\(c.name): \(response.text)")
        let message = response.json?["header"]?["message"]?.stringValue ?? ""
        #expect(message.isEmpty == false, "\(c.name): no message: \(response.text)")
        // still serving
        #expect(try await HTTP.get("\(server.baseURL)/readyz").status == 200)
    }

    @Test("wrong method on an API path → 405 or 404 with a code")
    func wrongMethod() async throws {
        let server = try await SharedServers.shared.digitsApp()
        let response = try await HTTP.get("\(server.baseURL)/v1/private/digits")
        #expect([404, 405].contains(response.status), "\(response.text)")
        #expect(response.aseCode != 0, "\(response.text)")
    }
}
