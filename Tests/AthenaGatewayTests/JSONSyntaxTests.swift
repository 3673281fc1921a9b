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

    @Test("malformed documents: what is wrong and the byte where it was found", arguments: [
        ("", "unexpected end of input at byte 0"),
        ("{", "expected a string key at byte 1"),
        ("{\"a\" 1}", "expected ':' at byte 5"),
        ("{\"a\":1,}", "expected a string key at byte 7"),
        ("[1 2]", "expected ',' or ']' at byte 3"),
        ("01", "unexpected data after the JSON value at byte 1"),
        ("-", "bad number at byte 1"),
        ("1.", "bad number at byte 2"),
        ("tru", "unexpected end of input at byte 0"),
        ("\"\\x\"", "bad escape at byte 3"),
        ("{\"a\":\"\\u12\"}", "bad \\u escape at byte 10"),
        ("\"a\nb\"", "control character in string at byte 3"),
        ("[1,", "unexpected end of input at byte 3"),
        ("{\"a\"", "expected ':' at byte 4"),
        ("\"ab\\", "unterminated string at byte 4"),
        ("\"\\u12G4\"", "bad \\u escape at byte 5"),
        ("1e+", "bad number at byte 3"),
        ("[1,]", "unexpected character at byte 3"),
        ("nulL", "invalid literal at byte 0"),
        ("{\"a\":1 \"b\":2}", "expected ',' or '}' at byte 7"),
        ("[[[", "unexpected end of input at byte 3"),
        ("[1]]", "unexpected data after the JSON value at byte 3"),
        ("{\"k\":[1,2,{\"z\":nul}]}", "invalid literal at byte 15"),
        ("+1", "unexpected character at byte 0"),
        ("\"long string with more than eight bytes \\u00e9 and \u{1} control\"", "control character in string at byte 52"),
        ("{\"abcdefghij\":\"klmnopqrstu\\x\"}", "bad escape at byte 28"),
    ])
    func problemAndOffset(_ text: String, _ problem: String) {
        #expect(JSONSyntax.problem(in: ByteBuffer(string: text)) == problem)
    }

    @Test("nesting: 512 open containers pass, a value inside a 513th level is refused where it starts")
    func nesting() {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(JSONSyntax.problem(in: ByteBuffer(string: deepest)) == nil)
        // A value counts as nested in every container around it: a scalar inside 511 objects
        // passes, an element inside a 512th container does not.
        let objects = String(repeating: #"{"a":"#, count: 511) + "1" + String(repeating: "}", count: 511)
        #expect(JSONSyntax.problem(in: ByteBuffer(string: objects)) == nil)
        let element = String(repeating: #"{"a":"#, count: 511) + "[1]" + String(repeating: "}", count: 511)
        #expect(JSONSyntax.problem(in: ByteBuffer(string: element)) == "nesting too deep at byte 2556")
        #expect(JSONSyntax.problem(in: ByteBuffer(string: String(repeating: "[", count: 513))) == "nesting too deep at byte 512")
        let tooDeep = String(repeating: #"{"a":"#, count: 512) + "1" + String(repeating: "}", count: 512)
        #expect(JSONSyntax.problem(in: ByteBuffer(string: tooDeep)) == "nesting too deep at byte 2560")
    }

    @Test("valid and malformed agree with Foundation over mutations of a document")
    func mutations() {
        let base = Array(#"{"data": {"x": [1, -2.5e3, 0.25, true, false, null], "id": "b\"en\u00e9ch", "n": {}}, "list": [[], {"k": "v"}]}"#.utf8)
        let bytes: [UInt8] = Array(#"{}[]:,"\ -+.0123456789eEtrufalsn"#.utf8) + [0x00, 0x0A, 0x7F]
        for position in base.indices {
            for byte in bytes {
                var text = base
                text[position] = byte
                let ours = text.withUnsafeBytes { JSONSyntax.problem(bytes: $0) } == nil
                let foundation = (try? JSONSerialization.jsonObject(with: Data(text), options: [.fragmentsAllowed])) != nil
                #expect(ours == foundation, "\(String(decoding: text, as: UTF8.self))")
            }
        }
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
