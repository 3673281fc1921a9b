import AthenaAPI
import KubeModel
import NIOCore

/// `GET /openapi.json`: an OpenAPI 3 document generated from the routing table's schemas.
enum OpenAPIDocument {
    static func render(_ table: RoutingTable) -> ByteBuffer {
        var paths: [String: JSONValue] = [:]
        let aseResponse: JSONValue = [
            "type": "object",
            "properties": [
                "header": ["type": "object", "properties": ["code": ["type": "integer"], "message": ["type": "string"], "sid": ["type": "string"], "status": ["type": "integer"]]],
                "payload": ["type": "object"],
            ],
        ]
        for service in table.services {
            let schema = service.versions.first?.schema
            let aseRequest: JSONValue = [
                "type": "object",
                "properties": [
                    "header": ["type": "object", "properties": ["app_id": ["type": "string"], "uid": ["type": "string"], "status": ["type": "integer"]]],
                    "parameter": schema?.parameter ?? ["type": "object"],
                    "payload": schema?.payload ?? ["type": "object"],
                ],
            ]
            let responseSchema: JSONValue = schema?.response.map { ["allOf": [aseResponse, ["type": "object", "properties": ["payload": $0]]]] } ?? aseResponse
            let ase = operation("\(service.name): ASE protocol", request: aseRequest, contentType: "application/json", response: responseSchema)
            paths["/v1/private/\(service.name)"] = ["post": ase]
            let apis = schema?.apis?.arrayValue?.first
            let maType = apis?[path: ["request", "Content-type"]]?.stringValue ?? "application/json"
            paths["/v1/infers/\(service.name)"] = ["post": operation(
                "\(service.name): ModelArts style", request: apis?[path: ["request", "data"]] ?? ["type": "object"],
                contentType: maType, response: apis?[path: ["response", "data"]] ?? ["type": "object"])]
            paths["/v1/models/\(service.name):predict"] = ["post": operation(
                "\(service.name): KServe v1", request: ["type": "object", "required": ["instances"], "properties": ["instances": ["type": "array"]]],
                contentType: "application/json", response: ["type": "object", "properties": ["predictions": ["type": "array"]]])]
            paths["/v2/models/\(service.name)/infer"] = ["post": operation(
                "\(service.name): Open Inference Protocol v2", request: ["type": "object", "required": ["inputs"], "properties": ["inputs": ["type": "array"]]],
                contentType: "application/json", response: ["type": "object", "properties": ["outputs": ["type": "array"]]])]
        }
        let doc: JSONValue = [
            "openapi": "3.0.3",
            "info": ["title": "Athena Serving gateway", "version": "1"],
            "paths": .object(paths),
        ]
        var w = JSONWriter(capacity: 1024)
        w.value(doc)
        return w.buffer
    }

    private static func operation(_ summary: String, request: JSONValue, contentType: String, response: JSONValue) -> JSONValue {
        [
            "summary": .string(summary),
            "requestBody": ["required": true, "content": .object([contentType: ["schema": request]])],
            "responses": [
                "200": ["description": "result", "content": ["application/json": ["schema": response]]],
                "default": ["description": "error: header.code is non-zero (see docs/error-codes.md)"],
            ],
        ]
    }
}
