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

    @Test("ASE body: a repeated key in header, parameter or a payload item keeps its last value, as a dictionary would")
    func aseRepeatedKeys() throws {
        // Few members (compared pairwise) and many (over 16, through a set).
        let many = (0..<20).map { #""p\#($0)":"\#($0)""# }.joined(separator: ",")
        let text = #"{"header":{"app_id":"a","uid":{"x":1},"app_id":"b","uid":"u","sid":"s","sid":[1]},"#
            + #""parameter":{"svc":{"k":1},"top":"v","svc":"flat","top":{"t":2},"#
            + many + #","p3":"again"},"#
            + #""payload":{"a":{"encoding":"png","text":"aGk=","encoding":"raw","rate":1,"rate":2}}}"#
        let request = try ASECodec.decode(ByteBuffer(string: text), service: "svc", sid: "gen", version: nil)
        #expect(request.headers == ["app_id": "b", "uid": "u"])
        #expect(request.sid == "gen")
        var parameters = Dictionary(uniqueKeysWithValues: (0..<20).map { ("p\($0)", "\($0)") })
        parameters["p3"] = "again"
        parameters["svc"] = "flat"
        parameters["t"] = "2"
        #expect(request.parameters == parameters)
        #expect(request.items.first?.descArgs == ["encoding": "raw", "rate": "2"])
        let members: ASERequestBody.Members = [("a", .null), ("b", .bool(true)), ("a", .string("x"))]
        #expect(ASERequestBody.lastWins(members).map(\.key) == ["b", "a"])
        #expect(ASERequestBody.object(members) == .object(["a": .string("x"), "b": .bool(true)]))
    }

    @Test("ASE answers: descriptors sorted, digit-only values as numbers, status and data fields last")
    func aseAnswer() {
        let response = EngineResponse(items: [
            EngineItem(dataID: "result", descArgs: ["encoding": "utf8"], data: Data("hi".utf8)),
            EngineItem(dataID: "audio_out", kind: .audio, status: .end, descArgs: [
                "sample_rate": "16000", "encoding": "raw", "zero": "0", "lead": "007", "neg": "-1",
                "status": "9", "image": "x", "big": "12345678901234567",
            ], data: Data([0, 1])),
        ])
        let text = String(buffer: ASECodec.encode(response, sid: "s1"))
        #expect(text == #"{"header":{"code":0,"message":"success","sid":"s1","status":2},"payload":{"#
            + #""result":{"encoding":"utf8","status":3,"text":"aGk="},"#
            + #""audio_out":{"big":"12345678901234567","encoding":"raw","lead":"007","neg":"-1","sample_rate":16000,"zero":0,"status":2,"audio":"AAE="}}}"#)
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

    @Test("strings scanned a word at a time stop at every quote, backslash and control byte, at every position")
    func wordScan() throws {
        enum Outcome: Equatable { case length(Int), failure(String) }
        // Every byte value at every offset of a 19-byte string body (two whole words and a tail):
        // the raw string must end, fail or carry on exactly where a byte-by-byte reading would.
        for position in 0..<19 {
            for value in 0...255 {
                var body = Array(repeating: UInt8(ascii: "A"), count: 19)
                body[position] = UInt8(value)
                let document = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
                let expected: Outcome
                switch UInt8(value) {
                case UInt8(ascii: "\""): expected = .length(position)
                case UInt8(ascii: "\\"):  // escapes the next byte: "A", or the closing quote
                    expected = .failure(position == 18 ? "unterminated string" : "bad escape")
                case 0..<0x20: expected = .failure("control character in string")
                default: expected = .length(19)
                }
                let got: Outcome = document.withUnsafeBytes { bytes in
                    var scanner = JSONScanner(bytes: bytes)
                    do throws(JSONScanner.Failure) {
                        let raw = try scanner.rawString()
                        return .length(raw.count)
                    } catch {
                        return .failure(error.message)
                    }
                }
                #expect(got == expected, "byte \(value) at \(position)")
            }
        }
        // Two stops in one word: the first one counts (a byte above a true stop can be flagged
        // falsely by the word arithmetic, never one below it).
        for quote in 0..<8 {
            for control in 0..<8 where control != quote {
                var body = Array(repeating: UInt8(ascii: "A"), count: 16)
                body[quote] = UInt8(ascii: "\"")
                body[control] = 0x01
                let document = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
                let got: Outcome = document.withUnsafeBytes { bytes in
                    var scanner = JSONScanner(bytes: bytes)
                    do throws(JSONScanner.Failure) {
                        return .length(try scanner.rawString().count)
                    } catch {
                        return .failure(error.message)
                    }
                }
                #expect(got == (quote < control ? .length(quote) : .failure("control character in string")), "quote at \(quote), control at \(control)")
            }
        }
        // Escapes inside and across word boundaries keep their meaning.
        let text = #""abcdefg\"hijklmn\\opq\u00e9rstuvwxyz0123456\/""#
        #expect(try JSONScanner.document(ByteBuffer(string: text)) == .string("abcdefg\"hijklmn\\opq\u{e9}rstuvwxyz0123456/"))
    }

    @Test("JSONWriter: strings with every ASCII byte at every position, and integers, read back unchanged")
    func writerRoundTrip() throws {
        var texts = ["", "plain", "é中😀 and more than eight bytes", String(repeating: "x", count: 40)]
        for value in 0..<128 {
            for position in [0, 3, 7, 8, 15, 16] {
                var scalars = Array(repeating: Unicode.Scalar(UInt8(ascii: "a")), count: 17)
                scalars[position] = Unicode.Scalar(UInt8(value))
                texts.append(String(String.UnicodeScalarView(scalars)))
            }
        }
        for text in texts {
            var writer = JSONWriter()
            writer.string(text)
            #expect(try JSONScanner.document(writer.buffer) == .string(text), "\(Array(text.utf8))")
            #expect(try JSONValue.parse(Data(String(buffer: writer.buffer).utf8)) == .string(text))
        }
        for value in [0, 7, 10, 99, 100, 123_456_789, Int.max, -1, -42, Int.min] {
            var writer = JSONWriter()
            writer.int(value)
            #expect(String(buffer: writer.buffer) == String(value))
        }
    }
}
