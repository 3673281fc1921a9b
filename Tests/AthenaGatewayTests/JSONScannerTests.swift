@testable import AthenaGateway
import Foundation
import KubeModel
import NIOCore
import Testing

@Suite("JSONScanner, Base64Bytes and the ASE reader built on them")
struct JSONScannerTests {
    @Test("documents read the same as with Foundation", arguments: [
        #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-12.5e3,"g":"","h":0}"#,
        #"  [1, 2.25, -0, 1E2, "x\ny", "\u00e9\u4e2d", "\ud83d\ude00", "a\/b\\c\"d\te"]  "#,
        #""plain""#,
        #"{"big": 12345678901234567890, "neg": -9007199254740993, "tiny": 1e-300}"#,
        #"{"ü": {"nested": [[[]]], "empty": {}}}"#,
    ])
    func sameAsFoundation(_ text: String) throws {
        let ours = try JSONScanner.document(ByteBuffer(string: text))
        let theirs = try JSONValue.parse(Data(text.utf8))
        #expect(ours == theirs)
    }

    @Test("malformed documents: 400 malformed JSON with the byte offset", arguments: [
        "{", #"{"a" 1}"#, #"{"a":1,}"#, "[1,]", #""\x""#, "tru", "01", "1.", "-", #"{"a":1} x"#, "", #""\u12""#, "\"a\u{1}b\"",
    ])
    func malformed(_ text: String) {
        do {
            _ = try JSONScanner.document(ByteBuffer(string: text))
            Issue.record("accepted \(text)")
        } catch let error as GatewayError {
            #expect(error.code == GatewayErrorCode.malformedJSON.rawValue)
            #expect(error.message.contains("at byte"), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("base64 both ways agrees with Foundation for every length and byte value")
    func base64() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let data = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            var buffer = ByteBuffer()
            Base64Bytes.encode(data, into: &buffer)
            let text = String(buffer: buffer)
            #expect(text == data.base64EncodedString())
            #expect(Array(text.utf8).withUnsafeBytes { Base64Bytes.decode($0) } == data)
            let unpadded = text.replacingOccurrences(of: "=", with: "")
            #expect(Array(unpadded.utf8).withUnsafeBytes { Base64Bytes.decode($0) } == data)
        }
        let all = Data((0...255).map { UInt8($0) })
        #expect(Array(all.base64EncodedString().utf8).withUnsafeBytes { Base64Bytes.decode($0) } == all)
    }

    @Test("invalid base64 is refused", arguments: ["@@not base64@@", "A", "AB=C", "A===", "====", "AB CD", "ab-_", "QUJD\n"])
    func invalidBase64(_ text: String) {
        #expect(Array(text.utf8).withUnsafeBytes { Base64Bytes.decode($0) } == nil)
    }

    @Test("ASE body: escaped base64 (\\/), header and parameters, repeated keys, unknown members")
    func aseBody() throws {
        let data = Data((0..<200).map { UInt8($0) })
        let escaped = data.base64EncodedString().replacingOccurrences(of: "/", with: "\\/")
        let text = #"{"x":[1,{"y":null}],"header":{"app_id":"a","sid":"s-9","status":3},"parameter":{"svc":{"k":1,"acc":{"encoding":"utf8"}},"top":"v"},"#
            + #""payload":{"b":{"text":"aGk=","status":1},"a":{"encoding":"png","sample_rate":16000,"image":""# + escaped + #""},"b":{"audio":"","status":2}}}"#
        let request = try ASECodec.decode(ByteBuffer(string: text), service: "svc", sid: "gen", version: nil)
        #expect(request.sid == "s-9")
        #expect(request.headers == ["app_id": "a", "sid": "s-9", "status": "3"])
        #expect(request.parameters == ["k": "1", "acc": #"{"encoding":"utf8"}"#, "top": "v"])
        #expect(request.items.map(\.dataID) == ["a", "b"])
        #expect(request.items[0] == EngineItem(dataID: "a", kind: .image, status: .once, descArgs: ["encoding": "png", "sample_rate": "16000"], data: data))
        #expect(request.items[1] == EngineItem(dataID: "b", kind: .audio, status: .end, data: Data()))
    }

    @Test("ASE body shape errors name the field", arguments: [
        (#"[1]"#, "body: expected object, got array"),
        (#"{"header":"x"}"#, "header: expected object, got string"),
        (#"{"payload":[]}"#, "payload: expected object, got array"),
        (#"{"payload":{"image":3}}"#, "payload.image: expected object, got integer"),
        (#"{"payload":{"image":{"image":5}}}"#, "payload.image.image: expected string (base64), got integer"),
        (#"{"payload":{"image":{"image":"","text":""}}}"#, "payload.image: more than one data field (text/audio/image/video)"),
        (#"{"payload":{"image":{"status":7}}}"#, "payload.image.status: expected integer 0...3, got 7"),
    ])
    func shapeErrors(_ text: String, _ message: String) {
        do {
            _ = try ASECodec.decode(ByteBuffer(string: text), service: "s", sid: "x", version: nil)
            Issue.record("accepted \(text)")
        } catch let error as GatewayError {
            #expect(error.code == GatewayErrorCode.schemaViolation.rawValue)
            #expect(error.message == message)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("a shape error followed by bad syntax is reported as malformed JSON")
    func syntaxWins() {
        #expect(throws: GatewayError.self) { try ASECodec.decode(ByteBuffer(string: #"{"payload":{"image":3}, oops"#), service: "s", sid: "x", version: nil) }
        do {
            _ = try ASECodec.decode(ByteBuffer(string: #"{"payload":{"image":3}, oops"#), service: "s", sid: "x", version: nil)
        } catch let error as GatewayError {
            #expect(error.code == GatewayErrorCode.malformedJSON.rawValue)
        } catch {}
    }
}
