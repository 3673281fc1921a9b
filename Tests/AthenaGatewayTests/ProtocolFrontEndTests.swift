import AthenaAPI
@testable import AthenaGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@Suite("Protocol front-ends")
struct ProtocolFrontEndTests {
    let factory = FakeEngineFactory()

    @Test("ASE: base64 decoded into engine bytes, parameters flattened, result base64 again")
    func aseRoundTrip() async throws {
        let app = try Fixtures.gateway(Fixtures.table(), factory: factory).makeApplication()
        try await app.test(.router) { client in
            for path in ["/v1/private/digits", "/v1/digits"] {
                let response = try await client.execute(uri: path, method: .post, headers: [.contentType: "application/json"], body: Fixtures.aseBody(topK: 3))
                #expect(response.status == .ok)
                let json = try Fixtures.json(response)
                #expect(json[path: ["header", "code"]] == 0)
                #expect(json[path: ["header", "sid"]]?.stringValue == response.headers[GatewayHeaders.sid])
                #expect(json[path: ["payload", "image", "image"]]?.stringValue == Data([0x89, 0x50, 0x4e, 0x47]).base64EncodedString())
                #expect(json[path: ["payload", "image", "encoding"]] == "png")
                #expect(json[path: ["payload", "image", "status"]] == 3)
            }
        }
        let request = try #require(factory["10.0.0.1:9000"].lastRequest.withLock { $0 })
        #expect(request.items.first?.data == Data([0x89, 0x50, 0x4e, 0x47]))
        #expect(request.items.first?.kind == .image)
        #expect(request.parameters["top_k"] == "3")
        #expect(request.headers["uid"] == "u1")
    }

    @Test("ModelArts JSON: one TEXT item `body` with the raw bytes; a single result is the body")
    func modelArtsJSON() async throws {
        let app = try Fixtures.gateway(Fixtures.table(), factory: factory).makeApplication()
        let body = #"{"data":{"req_data":[{"a":1}]}}"#
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/infers/digits", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == body)
            #expect(response.headers[.contentType] == "application/json")
        }
        let request = try #require(factory["10.0.0.1:9000"].lastRequest.withLock { $0 })
        #expect(request.items.count == 1)
        #expect(request.items[0].dataID == "body")
        #expect(request.items[0].descArgs["content-type"] == "application/json")
    }

    @Test("ModelArts multipart: one item per part with filename and content type")
    func modelArtsMultipart() async throws {
        let app = try Fixtures.gateway(Fixtures.table(schema: nil), factory: factory).makeApplication()
        let boundary = "XyZ"
        var buffer = ByteBuffer()
        buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"images\"; filename=\"7.png\"\r\nContent-Type: image/png\r\n\r\n")
        buffer.writeBytes([0x89, 0x50, 0x0d, 0x0a, 0x00])
        buffer.writeString("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--\(boundary)--\r\n")
        let body = buffer
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/infers/digits", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: body)
            #expect(response.status == .ok)
            let json = try Fixtures.json(response)
            #expect(json["note"] == "hello")
            #expect(json[path: ["images", "b64"]]?.stringValue == Data([0x89, 0x50, 0x0d, 0x0a, 0x00]).base64EncodedString())
        }
        let request = try #require(factory["10.0.0.1:9000"].lastRequest.withLock { $0 })
        #expect(request.items.map(\.dataID) == ["images", "note"])
        #expect(request.items[0].descArgs["filename"] == "7.png")
        #expect(request.items[0].kind == .image)
        #expect(request.items[0].data == Data([0x89, 0x50, 0x0d, 0x0a, 0x00]))
    }

    @Test("KServe v1: instances → one call each, b64 → bytes; predictions back; model status")
    func kserveV1() async throws {
        let app = try Fixtures.gateway(Fixtures.table(), factory: factory).makeApplication()
        let b64 = Data([1, 2, 3]).base64EncodedString()
        let body = #"{"instances":[{"image":{"b64":"\#(b64)"}},{"image":{"b64":"\#(b64)"}}]}"#
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/models/digits:predict", method: .post, body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            let predictions = try #require(try Fixtures.json(response)["predictions"]?.arrayValue)
            #expect(predictions.count == 2)
            #expect(predictions.first?["b64"]?.stringValue == b64)
            let status = try await client.execute(uri: "/v1/models/digits", method: .get)
            #expect(status.status == .ok)
            #expect(try Fixtures.json(status) == ["name": "digits", "ready": true])
        }
        #expect(factory["10.0.0.1:9000"].calls.load(ordering: .relaxed) == 2)
        #expect(factory["10.0.0.1:9000"].lastRequest.withLock { $0 }?.items.first?.kind == .image)
    }

    @Test("Open Inference Protocol v2: inputs → items, outputs back; health and metadata")
    func oipV2() async throws {
        let app = try Fixtures.gateway(Fixtures.table(), factory: factory).makeApplication()
        let b64 = Data([9, 8, 7]).base64EncodedString()
        let body = #"{"id":"r1","inputs":[{"name":"image","shape":[1],"datatype":"BYTES","data":["\#(b64)"],"parameters":{"content_type":"base64"}},{"name":"x","shape":[2],"datatype":"FP32","data":[1.5,2]}]}"#
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v2/models/digits/infer", method: .post, body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            let json = try Fixtures.json(response)
            #expect(json["id"] == "r1")
            #expect(json["model_name"] == "digits")
            let outputs = try #require(json["outputs"]?.arrayValue)
            #expect(outputs.count == 2)
            #expect(outputs[0]["name"] == "image")
            #expect(outputs[0]["data"] == [.string(b64)])
            #expect(try await client.execute(uri: "/v2/health/live", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v2/health/ready", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v2/models/digits/ready", method: .get).status == .ok)
            let meta = try Fixtures.json(try await client.execute(uri: "/v2/models/digits", method: .get))
            #expect(meta["versions"] == ["v1"])
            #expect(meta["inputs"]?.arrayValue?.first?["name"] == "image")
        }
        let request = try #require(factory["10.0.0.1:9000"].lastRequest.withLock { $0 })
        #expect(request.items[0].data == Data([9, 8, 7]))
        #expect(request.items[1].descArgs["datatype"] == "FP32")
    }

    @Test("openapi.json lists every protocol path with the schema; / serves the test page")
    func openAPIAndTestPage() async throws {
        let app = try Fixtures.gateway(Fixtures.table(), factory: factory).makeApplication()
        try await app.test(.router) { client in
            let doc = try Fixtures.json(try await client.execute(uri: "/openapi.json", method: .get))
            #expect(doc["openapi"] == "3.0.3")
            let paths = try #require(doc["paths"]?.objectValue)
            #expect(Set(paths.keys) == ["/v1/private/digits", "/v1/infers/digits", "/v1/models/digits:predict", "/v2/models/digits/infer"])
            let parameterSchema = doc[path: ["paths", "/v1/private/digits", "post", "requestBody", "content", "application/json", "schema", "properties", "parameter"]]
            #expect(parameterSchema == Fixtures.digitsSchema.parameter)
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("<option>digits</option>"))
        }
    }
}
