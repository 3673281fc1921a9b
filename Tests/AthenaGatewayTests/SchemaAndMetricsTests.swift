import AthenaAPI
@testable import AthenaGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@Suite("APISchema validator")
struct APISchemaTests {
    @Test("violations by table", arguments: [
        (["type": "integer"] as JSONValue, .string("3"), "p: expected integer, got string"),
        (["type": "integer"], 1.5, "p: expected integer, got number"),
        (["type": "object", "required": ["a"]], [:], "p.a: required field is missing"),
        (["type": "string", "enum": ["x", "y"]], "z", "p: expected one of [\"x\", \"y\"], got \"z\""),
        (["type": "number", "minimum": 0, "maximum": 1], 2, "p: expected <= 1, got 2"),
        (["type": "array", "items": ["type": "string"]], ["a", 1], "p[1]: expected string, got integer"),
        (["type": "array", "item": [["type": "string"]]], [true], "p[0]: expected string, got boolean"),
        (["type": "object", "additionalProperties": false, "properties": ["a": [:]]], ["a": 1, "b": 2], "p.b: unknown field"),
        (["type": "string", "maxLength": 2], "abc", "p: expected at most 2 characters, got 3"),
    ] as [(JSONValue, JSONValue, String)])
    func violation(schema: JSONValue, value: JSONValue, message: String) {
        #expect(APISchema(json: schema).validate(value, path: "p").map(\.description) == [message])
    }

    @Test("which string fields validation reads the characters of (the rest may be stand-ins)")
    func inspectsString() {
        let schema = APISchema(json: [
            "type": "object",
            "properties": [
                "image": ["type": "object", "properties": ["image": ["type": "string"], "tag": ["type": "string", "maxLength": 8]]],
                "voice": ["type": "object", "properties": ["audio": ["type": "string", "enum": ["a", "b"]]]],
            ],
            "additionalProperties": ["type": "object", "additionalProperties": ["type": "string", "minLength": 4]],
        ])
        #expect(!schema.inspectsString(at: ["image", "image"]), "a type check needs no characters")
        #expect(schema.inspectsString(at: ["image", "tag"]))
        #expect(schema.inspectsString(at: ["voice", "audio"]))
        #expect(!schema.inspectsString(at: ["voice", "text"]), "not checked at all")
        #expect(schema.inspectsString(at: ["other", "text"]), "through additionalProperties schemas")
        #expect(!APISchema(json: ["type": "object"]).inspectsString(at: ["image", "image"]))
    }

    @Test func validValuesPass() {
        let schema = APISchema(json: ["type": "object", "properties": ["n": ["type": ["integer", "null"]], "f": ["type": "file"]]])
        #expect(schema.validate(["n": 3, "f": "xx"], path: "").isEmpty)
        #expect(schema.validate(["n": nil], path: "").isEmpty)
    }
}

@Suite("Operations endpoints")
struct OperationsTests {
    @Test("/metrics serves the registry text when the executable provides it")
    func metrics() async throws {
        let app = try Fixtures.gateway(Fixtures.table(), factory: FakeEngineFactory(), metricsText: { "athena_gateway_requests_total 1\n" }).makeApplication()
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("athena_gateway_requests_total"))
        }
        let bare = try Fixtures.gateway(Fixtures.table(), factory: FakeEngineFactory()).makeApplication()
        try await bare.test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .notFound)
        }
    }

    @Test("/readyz: 503 with a reason until an endpoint passes its health check")
    func readiness() async throws {
        let factory = FakeEngineFactory()
        factory["10.0.0.1:9000"].healthy.withLock { $0 = false }
        let app = try Fixtures.gateway(Fixtures.table(), factory: factory).makeApplication()
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let notReady = try await client.execute(uri: "/readyz", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            #expect(try Fixtures.json(notReady)["reasons"]?.arrayValue?.first?.stringValue?.contains("digits/v1") == true)
            factory["10.0.0.1:9000"].healthy.withLock { $0 = true }
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
        }
    }

    @Test("live server on an ephemeral port reports the bound port")
    func livePort() async throws {
        let app = try Fixtures.gateway(Fixtures.table(), factory: FakeEngineFactory()).makeApplication()
        try await app.test(.live) { client in
            let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
            #expect(response.status == .ok)
            #expect(client.port != nil)
        }
    }
}

@Suite("Metric handles per service and version")
struct GatewayMetricsHandleTests {
    @Test("one set of handles per service/version, the same set again however lookups alternate")
    func handlesCached() {
        let metrics = GatewayMetrics()
        let a1 = metrics.handles("a", "v1")
        let b1 = metrics.handles("b", "v1")
        let a2 = metrics.handles("a", "v2")
        #expect(a1 !== b1 && a1 !== a2 && b1 !== a2)
        // The last pair, then others, then back: each lookup finds the set made first.
        #expect(metrics.handles("a", "v2") === a2)
        #expect(metrics.handles("a", "v1") === a1)
        #expect(metrics.handles("b", "v1") === b1)
        #expect(metrics.handles(String("a" + "v1".dropLast(2)), "v" + "1") === a1)  // equal strings, other storage
        // A service named like another's version does not collide.
        let swapped = metrics.handles("v1", "a")
        #expect(swapped !== a1 && swapped !== b1)
    }
}
