import AthenaAPI
@testable import AthenaGateway
import Foundation
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore

/// Routing tables and helpers shared by the gateway suites.
enum Fixtures {
    /// The digits-like schema: integer `top_k` under `parameter.digits`, required `image` payload.
    static let digitsSchema = RoutingTableSchema(
        parameter: ["type": "object", "properties": ["digits": ["type": "object", "properties": ["top_k": ["type": "integer", "minimum": 1]]]]],
        payload: ["type": "object", "required": ["image"], "properties": ["image": ["type": "object", "properties": ["image": ["type": "string"], "status": ["type": "integer"]]]]],
        apis: [["url": "/", "method": "post", "request": ["Content-type": "application/json", "data": ["type": "object", "required": ["data"], "properties": ["data": ["type": "object"]]]]]]
    )

    static func table(
        endpoints: [String] = ["10.0.0.1:9000"], limits: RoutingTableLimits = .init(),
        balancing: RoutingTableLoadBalancing = .init(), maxConcurrency: Int = 0, schema: RoutingTableSchema? = digitsSchema
    ) -> RoutingTable {
        RoutingTable(services: [
            ServiceRoute(
                name: "digits",
                versions: [VersionRoute(name: "v1", application: "digits-v1", endpoints: .init(static: endpoints), maxConcurrency: maxConcurrency, schema: schema)],
                limits: limits, loadBalancing: balancing)
        ])
    }

    static func gateway(_ table: RoutingTable, factory: FakeEngineFactory, metricsText: (@Sendable () -> String)? = nil) throws -> Gateway {
        try Gateway(table: table, options: GatewayOptions(port: 0, engineFactory: factory, metricsText: metricsText))
    }

    static func application(_ gateway: Gateway) -> some ApplicationProtocol {
        gateway.makeApplication()
    }

    /// An ASE request with a base64 image payload and optional parameters.
    static func aseBody(image: [UInt8] = [0x89, 0x50, 0x4e, 0x47], topK: JSONValue? = nil) -> ByteBuffer {
        var parameter: [String: JSONValue] = [:]
        if let topK { parameter["digits"] = ["top_k": topK] }
        let body: JSONValue = [
            "header": ["app_id": "test", "uid": "u1"],
            "parameter": .object(parameter),
            "payload": ["image": ["encoding": "png", "status": 3, "image": .string(Data(image).base64EncodedString())]],
        ]
        return ByteBuffer(data: try! body.serialized())
    }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONValue.parse(Data(response.body.readableBytesView))
    }
}

extension ByteBuffer {
    init(data: Data) {
        self = ByteBufferAllocator().buffer(capacity: data.count)
        self.writeBytes(data)
    }
}
