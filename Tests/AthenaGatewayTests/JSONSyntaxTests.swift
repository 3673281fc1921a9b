@testable import AthenaGateway
import Foundation
import HTTPTypes
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@Suite("JSON syntax check (pass-through bodies)")
struct JSONSyntaxTests {
    @Test("valid documents pass", arguments: [
        #"{}"#, #"[]"#, #" {"a": [1, -2.5e3, true, false, null, "x\"\u00e9\n"]} "#, #""s""#, "0", #"{"a":{"b":[{}]}}"#,
    ])
    func valid(_ text: String) {
        #expect(JSONSyntax.problem(in: ByteBuffer(string: text)) == nil)
        #expect((try? JSONValue.parse(Data(text.utf8))) != nil)
    }

    @Test("malformed documents are refused", arguments: [
        "", "{", #"{"a" 1}"#, #"{"a":1,}"#, "[1 2]", "01", "-", "1.", "tru", #""\x""#, "{} {}", #"{"a":"\u12"}"#, "\"a\nb\"", "{'a':1}",
    ])
    func malformed(_ text: String) {
        #expect(JSONSyntax.problem(in: ByteBuffer(string: text)) != nil)
    }

    @Test("ModelArts JSON without a schema: malformed → 400/10160, valid passes untouched")
    func modelArtsWithoutSchema() async throws {
        let gateway = try Fixtures.gateway(Fixtures.table(schema: nil), factory: FakeEngineFactory())
        try await gateway.makeApplication().test(.router) { client in
            let bad = try await client.execute(uri: "/v1/infers/digits", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"data": [1, 2"#))
            #expect(bad.status == .badRequest)
            #expect(try Fixtures.json(bad)[path: ["header", "code"]] == 10160)
            let good = try await client.execute(uri: "/v1/infers/digits", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"data": [1, 2]}"#))
            #expect(good.status == .ok)
            #expect(String(buffer: good.body) == #"{"data": [1, 2]}"#)
        }
    }
}
