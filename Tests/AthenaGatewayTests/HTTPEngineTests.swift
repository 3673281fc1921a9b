import AthenaAPI
@testable import AthenaGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Synchronization
import Testing

@Suite("Plain HTTP engines (protocol: http) and DNS endpoints")
struct HTTPEngineTests {
    /// Runs a Hummingbird app as an HTTP engine on an ephemeral port: `/predict` echoes the body
    /// with its content type, `/bad` answers 422, `/health` 200.
    func withHTTPEngine(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("/predict") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, headers: [.contentType: request.headers[.contentType] ?? "application/octet-stream"], body: .init(byteBuffer: bytes))
        }
        router.post("/bad") { _, _ -> Response in
            Response(status: .unprocessableContent, body: .init(byteBuffer: ByteBuffer(string: "no thanks")))
        }
        router.get("/health") { _, _ in HTTPResponse.Status.ok }
        let port = Mutex<Int>(0)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port ?? 0 } })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            try await poll { port.withLock { $0 } != 0 }
            let bound = port.withLock { $0 }
            defer { group.cancelAll() }
            try await body(bound)
        }
    }

    func table(port: Int, path: String = "/predict", contentType: String = "application/json") -> RoutingTable {
        RoutingTable(services: [ServiceRoute(name: "iris", versions: [
            VersionRoute(name: "v1", protocol: .http, endpoints: .init(static: ["127.0.0.1:\(port)"]),
                         http: HTTPEngineShape(path: path, contentType: contentType, healthPath: "/health"))
        ])])
    }

    @Test("ModelArts JSON passes through untouched; readiness by GET healthPath")
    func jsonPassThrough() async throws {
        try await withHTTPEngine { port in
            let gateway = try Gateway(table: table(port: port), options: GatewayOptions(port: 0))
            try await gateway.makeApplication().test(.router) { client in
                let body = #"{"data":{"req_data":[{"sepal_length":5.1}]}}"#
                let response = try await client.execute(uri: "/v1/infers/iris", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == body)
                #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            }
        }
    }

    @Test("multipart engines get one part per item")
    func multipartShape() async throws {
        try await withHTTPEngine { port in
            let gateway = try Gateway(table: table(port: port, contentType: "multipart/form-data"), options: GatewayOptions(port: 0))
            try await gateway.makeApplication().test(.router) { client in
                let response = try await client.execute(uri: "/v1/private/iris", method: .post, body: Fixtures.aseBody(image: [7, 7, 7]))
                #expect(response.status == .ok)
                let json = try Fixtures.json(response)
                let echoed = try #require(json[path: ["payload", "body", "text"]]?.stringValue.flatMap { Data(base64Encoded: $0) })
                let text = String(decoding: echoed, as: UTF8.self)
                #expect(text.contains("Content-Disposition: form-data; name=\"image\"; filename=\"image\""))
                #expect(echoed.range(of: Data([7, 7, 7])) != nil)
                #expect(json[path: ["payload", "body", "content-type"]]?.stringValue?.hasPrefix("multipart/form-data; boundary=") == true)
            }
        }
    }

    @Test("engine 4xx → 400 with code 30400; nothing listening → 502")
    func engineErrors() async throws {
        try await withHTTPEngine { port in
            let gateway = try Gateway(table: table(port: port, path: "/bad"), options: GatewayOptions(port: 0))
            try await gateway.makeApplication().test(.router) { client in
                let response = try await client.execute(uri: "/v1/infers/iris", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
                #expect(response.status == .badRequest)
                #expect(try Fixtures.json(response)[path: ["header", "code"]] == 30400)
            }
        }
        let gateway = try Gateway(table: table(port: 1), options: GatewayOptions(port: 0))
        try await gateway.makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/infers/iris", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(response.status == .badGateway)
            #expect(try Fixtures.json(response)[path: ["header", "code"]] == 10222)
        }
    }

    @Test("DNS endpoints are resolved into the endpoint set")
    func dnsEndpoints() async throws {
        let table = RoutingTable(services: [ServiceRoute(name: "d", versions: [
            VersionRoute(name: "v1", endpoints: .init(dns: .init(name: "localhost", port: 50051)))
        ])])
        let gateway = try Fixtures.gateway(table, factory: FakeEngineFactory())
        let endpoints = try #require(gateway.state.services["d"]?.versions.first?.endpoints)
        #expect(endpoints.snapshot().isEmpty)
        await gateway.refreshDNS()
        let addresses = endpoints.snapshot().map(\.address)
        #expect(!addresses.isEmpty)
        #expect(addresses.allSatisfy { $0.port == 50051 && ($0.host == "127.0.0.1" || $0.host == "::1") })
    }
}
