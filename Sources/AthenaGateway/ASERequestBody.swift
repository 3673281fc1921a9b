import Foundation
import KubeModel

/// The ASE request as read from JSON: `header`, `parameter`, `payload`. Payload items keep their
/// base64 data as a byte range of the body until `ASECodec` decodes it straight into bytes.
///
/// Read with `JSONScanner` (not `Decodable`): the request path of the conversion hop builds no
/// tree for the payload and no `String` for its data.
struct ASERequestBody {
    var header: [String: JSONValue]?
    var parameter: [String: JSONValue]?
    var payload: [ASEPayloadItem] = []

    /// Reads the whole document. Throws `JSONScanner.Failure` for bad syntax and `GatewayError`
    /// (schema violation, with the field path) for a well-formed document of the wrong shape.
    static func read(_ scanner: inout JSONScanner) throws -> ASERequestBody {
        var body = ASERequestBody()
        scanner.skipSpace()
        guard scanner.peek == UInt8(ascii: "{") else {
            let value = try scanner.value()
            try scanner.end()
            throw GatewayError(.schemaViolation, "body: expected object, got \(ASEPayloadItem.describe(value))")
        }
        try scanner.beginObject()
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            switch key {
            case "header": body.header = try members(&scanner, path: "header")
            case "parameter": body.parameter = try members(&scanner, path: "parameter")
            case "payload": body.payload = try payload(&scanner)
            default: try scanner.skipValue()
            }
        }
        try scanner.end()
        return body
    }

    /// An object's members; `null` reads as absent.
    private static func members(_ scanner: inout JSONScanner, path: String) throws -> [String: JSONValue]? {
        let value = try scanner.value()
        switch value {
        case .null: return nil
        case .object(let members): return members
        default: throw GatewayError(.schemaViolation, "\(path): expected object, got \(ASEPayloadItem.describe(value))")
        }
    }

    private static func payload(_ scanner: inout JSONScanner) throws -> [ASEPayloadItem] {
        if try scanner.null() { return [] }
        guard scanner.peek == UInt8(ascii: "{") else {
            throw GatewayError(.schemaViolation, "payload: expected object, got \(ASEPayloadItem.describe(try scanner.value()))")
        }
        try scanner.beginObject()
        var items: [ASEPayloadItem] = []
        var first = true
        while let dataID = try scanner.nextKey(first: &first) {
            items.removeAll { $0.dataID == dataID }  // a repeated key: the last one wins, as in a dictionary
            items.append(try ASEPayloadItem.read(&scanner, dataID: dataID))
        }
        return items
    }
}

/// One `payload.{data_id}` item: a status, one data field (`text`/`audio`/`image`/`video`,
/// base64) and descriptor fields (`encoding`, `compress`, `format`, `sample_rate`…).
struct ASEPayloadItem {
    var dataID: String
    var status: Int?
    var kind: EngineItem.Kind?
    /// The data field's base64 text, as a range of the request body.
    var base64: JSONScanner.RawString?
    var desc: [String: JSONValue] = [:]

    static func read(_ scanner: inout JSONScanner, dataID: String) throws -> ASEPayloadItem {
        let path = "payload.\(dataID)"
        scanner.skipSpace()
        guard scanner.peek == UInt8(ascii: "{") else {
            throw GatewayError(.schemaViolation, "\(path): expected object, got \(describe(try scanner.value()))")
        }
        var item = ASEPayloadItem(dataID: dataID)
        try scanner.beginObject()
        var first = true
        while let name = try scanner.nextKey(first: &first) {
            if let kind = EngineItem.Kind(fieldName: name) {
                guard scanner.peek == UInt8(ascii: "\"") else {
                    throw GatewayError(.schemaViolation, "\(path).\(name): expected string (base64), got \(describe(try scanner.value()))")
                }
                if item.kind != nil {
                    throw GatewayError(.schemaViolation, "\(path): more than one data field (text/audio/image/video)")
                }
                item.kind = kind
                item.base64 = try scanner.rawString()
            } else if name == "status" {
                let value = try scanner.value()
                guard let status = value.intValue, (0...3).contains(status) else {
                    let got = value.intValue.map { String($0) } ?? describe(value)
                    throw GatewayError(.schemaViolation, "\(path).status: expected integer 0...3, got \(got)")
                }
                item.status = status
            } else {
                item.desc[name] = try scanner.value()
            }
        }
        return item
    }

    /// The item as a JSON value, for schema validation: the data field as its base64 text when
    /// `dataText`, else as an empty stand-in string (same type, nothing copied) for schemas that
    /// only check that it is there and is a string.
    func jsonValue(_ scanner: JSONScanner, dataText: Bool) -> JSONValue {
        var members = desc
        if let status { members["status"] = .number(Double(status)) }
        if let kind, let base64 { members[kind.fieldName] = .string(dataText ? scanner.text(base64) : "") }
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
