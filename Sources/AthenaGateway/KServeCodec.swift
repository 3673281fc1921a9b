import Foundation
import KubeModel
import NIOCore

/// KServe v1 (`POST /v1/models/{name}:predict`): each instance is one engine call; each key of an
/// object instance one item (`{"b64": …}` → bytes, strings → UTF-8, others → JSON text); a
/// non-object instance one JSON item `input`.
enum KServeCodec {
    static func decode(_ body: ByteBuffer, service: String, sid: String, version: VersionRuntime?) throws -> [EngineRequest] {
        let root = try JSONScanner.document(body)
        guard case .object(let members) = root else {
            throw GatewayError(.schemaViolation, "body: expected object, got \(ASEPayloadItem.describe(root))")
        }
        guard let instances = (members["instances"] ?? members["inputs"]) else {
            throw GatewayError(.schemaViolation, "instances: required field is missing")
        }
        guard case .array(let list) = instances, !list.isEmpty else {
            throw GatewayError(.schemaViolation, "instances: expected a non-empty array")
        }
        var parameters: [String: String] = [:]
        for (key, value) in members["parameters"]?.objectValue ?? [:] { parameters[key] = value.parameterText }
        return try list.enumerated().map { index, instance in
            var items: [EngineItem] = []
            if case .object(let fields) = instance {
                for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                    items.append(try item(key, value, path: "instances[\(index)].\(key)", version: version))
                }
            } else {
                items.append(EngineItem(dataID: "input", descArgs: EngineItem.jsonDescArgs, data: Data(instance.parameterText.utf8)))
            }
            return EngineRequest(sid: list.count == 1 ? sid : "\(sid)-\(index)", service: service, parameters: parameters, items: items)
        }
    }

    static func item(_ key: String, _ value: JSONValue, path: String, version: VersionRuntime?) throws -> EngineItem {
        let kind = version?.payloadKinds[key] ?? .text
        switch value {
        case .object(let o) where o.count == 1 && o["b64"] != nil:
            guard let text = o["b64"]?.stringValue, let data = Data(base64Encoded: text) else {
                throw GatewayError(.invalidBase64, "\(path).b64: invalid base64")
            }
            return EngineItem(dataID: key, kind: kind == .text ? .image : kind, data: data)
        case .string(let s):
            return EngineItem(dataID: key, kind: kind, data: Data(s.utf8))
        default:
            return EngineItem(dataID: key, kind: .text, descArgs: EngineItem.jsonDescArgs, data: Data(value.parameterText.utf8))
        }
    }

    static func encode(_ responses: [EngineResponse]) -> ByteBuffer {
        var w = JSONWriter(capacity: 256)
        w.raw("{\"predictions\":[")
        for (i, response) in responses.enumerated() {
            if i > 0 { w.comma() }
            ResultValue.writeItems(response.items, into: &w)
        }
        w.raw("]}")
        return w.buffer
    }
}
