import Foundation
import KubeModel
import NIOCore

/// Open Inference Protocol v2 (`POST /v2/models/{name}/infer`): each input is one item. BYTES
/// inputs with one element carry that element (base64-decoded when `parameters.content_type` is
/// `base64`); any other tensor goes as JSON text `{"shape","datatype","data"}`.
enum OIPCodec {
    static func decode(_ body: ByteBuffer, service: String, sid: String, version: VersionRuntime?) throws -> (EngineRequest, requestID: String?) {
        let root = try JSONScanner.document(body)
        guard case .object(let members) = root else {
            throw GatewayError(.schemaViolation, "body: expected object, got \(ASEPayloadItem.describe(root))")
        }
        guard let inputsValue = members["inputs"] else { throw GatewayError(.schemaViolation, "inputs: required field is missing") }
        guard case .array(let inputs) = inputsValue, !inputs.isEmpty else {
            throw GatewayError(.schemaViolation, "inputs: expected a non-empty array")
        }
        var parameters: [String: String] = [:]
        for (key, value) in members["parameters"]?.objectValue ?? [:] { parameters[key] = value.parameterText }
        var items: [EngineItem] = []
        for (i, input) in inputs.enumerated() {
            let path = "inputs[\(i)]"
            guard let name = input["name"]?.stringValue else { throw GatewayError(.schemaViolation, "\(path).name: required string is missing") }
            guard let datatype = input["datatype"]?.stringValue else { throw GatewayError(.schemaViolation, "\(path).datatype: required string is missing") }
            guard let data = input["data"]?.arrayValue else { throw GatewayError(.schemaViolation, "\(path).data: expected array") }
            let kind = version?.payloadKinds[name] ?? .text
            let contentType = input[path: ["parameters", "content_type"]]?.stringValue?.lowercased()
            if datatype == "BYTES", data.count == 1, let element = data[0].stringValue {
                if contentType == "base64" || contentType == "b64" {
                    guard let bytes = Data(base64Encoded: element) else {
                        throw GatewayError(.invalidBase64, "\(path).data[0]: invalid base64")
                    }
                    items.append(EngineItem(dataID: name, kind: kind, data: bytes))
                } else {
                    items.append(EngineItem(dataID: name, kind: kind, data: Data(element.utf8)))
                }
            } else {
                let tensor: JSONValue = ["shape": input["shape"] ?? .array([.number(Double(data.count))]), "datatype": .string(datatype), "data": .array(data)]
                items.append(EngineItem(dataID: name, kind: .text, descArgs: ["content-type": "application/json", "datatype": datatype], data: Data(tensor.parameterText.utf8)))
            }
        }
        return (EngineRequest(sid: sid, service: service, parameters: parameters, items: items), members["id"]?.stringValue)
    }

    static func encode(_ response: EngineResponse, model: String, version: String, id: String) -> ByteBuffer {
        var w = JSONWriter(capacity: 256)
        w.raw("{\"model_name\":")
        w.string(model)
        w.raw(",\"model_version\":")
        w.string(version)
        w.raw(",\"id\":")
        w.string(id)
        w.raw(",\"outputs\":[")
        for (i, item) in response.items.enumerated() {
            if i > 0 { w.comma() }
            w.raw("{\"name\":")
            w.string(item.dataID)
            w.raw(",\"datatype\":\"BYTES\",\"shape\":[1],")
            let data = item.data  // one copy, when the bytes are held in a ByteBuffer
            if item.kind == .text, let text = String(data: data, encoding: .utf8) {
                w.raw("\"data\":[")
                w.string(text)
                w.raw("]}")
            } else {
                w.raw("\"parameters\":{\"content_type\":\"base64\"},\"data\":[")
                w.base64(data)
                w.raw("]}")
            }
        }
        w.raw("]}")
        return w.buffer
    }
}
