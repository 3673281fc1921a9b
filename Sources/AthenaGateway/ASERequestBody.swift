import Foundation
import KubeModel

/// The ASE request as decoded from JSON: `header`, `parameter`, `payload`. Payload items keep
/// their base64 text until `decodeItems` turns it straight into bytes.
struct ASERequestBody: Decodable {
    var header: [String: JSONValue]?
    var parameter: [String: JSONValue]?
    var payload: [String: ASEPayloadItem]?
}

/// One `payload.{data_id}` item: a status, one data field (`text`/`audio`/`image`/`video`,
/// base64) and descriptor fields (`encoding`, `compress`, `format`, `sample_rate`…).
struct ASEPayloadItem: Decodable {
    var status: Int?
    var kind: EngineItem.Kind?
    var base64: String?
    var desc: [String: JSONValue] = [:]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let path = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        let container: KeyedDecodingContainer<Key>
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            throw GatewayError(.schemaViolation, "\(path): expected object, got \(Self.describe(try? decoder.singleValueContainer().decode(JSONValue.self)))")
        }
        for key in container.allKeys {
            let name = key.stringValue
            if let kind = EngineItem.Kind(fieldName: name) {
                guard let text = try? container.decode(String.self, forKey: key) else {
                    let found = try? container.decode(JSONValue.self, forKey: key)
                    throw GatewayError(.schemaViolation, "\(path).\(name): expected string (base64), got \(Self.describe(found))")
                }
                if self.kind != nil {
                    throw GatewayError(.schemaViolation, "\(path): more than one data field (text/audio/image/video)")
                }
                self.kind = kind
                self.base64 = text
            } else if name == "status" {
                let value = try container.decode(JSONValue.self, forKey: key)
                guard let status = value.intValue, (0...3).contains(status) else {
                    let got = value.intValue.map { String($0) } ?? Self.describe(value)
                    throw GatewayError(.schemaViolation, "\(path).status: expected integer 0...3, got \(got)")
                }
                self.status = status
            } else {
                // Descriptors are nearly always strings or integers: try those before the
                // general value decoder (each failed attempt costs a thrown error).
                if let text = try? container.decode(String.self, forKey: key) {
                    desc[name] = .string(text)
                } else {
                    desc[name] = try container.decode(JSONValue.self, forKey: key)
                }
            }
        }
    }

    /// The item as a JSON value (data field kept as its base64 text), for schema validation.
    var jsonValue: JSONValue {
        var members = desc
        if let status { members["status"] = .number(Double(status)) }
        if let kind, let base64 { members[kind.fieldName] = .string(base64) }
        return .object(members)
    }

    static func describe(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: "null"
        case .bool?: "boolean"
        case .number(let n)?: n.rounded() == n ? "integer" : "number"
        case .string?: "string"
        case .array?: "array"
        case .object?: "object"
        }
    }
}
