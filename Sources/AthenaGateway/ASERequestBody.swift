import Foundation
import KubeModel

/// The ASE request as read from JSON: `header`, `parameter`, `payload`. Payload items keep their
/// base64 data as a byte range of the body until `ASECodec` decodes it straight into bytes.
///
/// Read with `JSONScanner` (not `Decodable`): the request path of the conversion hop builds no
/// tree for the payload and no `String` for its data.
struct ASERequestBody {
    /// An object's members in document order, a repeated key reduced to its last value (as a
    /// dictionary would read it). Pairs rather than a dictionary: the codec turns them into the
    /// engine's string maps, and hashing every key into a dictionary first cost more than
    /// scanning them.
    typealias Members = [(key: String, value: JSONValue)]

    var header: Members?
    var parameter: Members?
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
    private static func members(_ scanner: inout JSONScanner, path: String) throws -> Members? {
        scanner.skipSpace()
        guard scanner.peek == UInt8(ascii: "{") else {
            let value = try scanner.value()
            if case .null = value { return nil }
            throw GatewayError(.schemaViolation, "\(path): expected object, got \(ASEPayloadItem.describe(value))")
        }
        try scanner.beginObject()
        var members: Members = []
        var first = true
        while let key = try scanner.nextKey(first: &first) {
            members.append((key, try scanner.value(depth: 1)))
        }
        return lastWins(members)
    }

    /// `members` with each repeated key kept only at its last occurrence.
    static func lastWins(_ members: Members) -> Members {
        guard members.count > 1 else { return members }
        var repeated = false
        if members.count <= 16 {
            // A few keys (the usual case): compared pairwise, no set to build.
            search: for i in 1..<members.count {
                for j in 0..<i where members[j].key == members[i].key {
                    repeated = true
                    break search
                }
            }
        } else {
            var seen = Set<String>(minimumCapacity: members.count)
            repeated = members.contains { !seen.insert($0.key).inserted }
        }
        guard repeated else { return members }
        var last: [String: Int] = [:]
        for (i, member) in members.enumerated() { last[member.key] = i }
        return members.enumerated().filter { last[$0.element.key] == $0.offset }.map(\.element)
    }

    /// `members` as a JSON object (for schema validation).
    static func object(_ members: Members?) -> JSONValue {
        .object(dictionary(members ?? []))
    }

    /// `members` as a dictionary (the last value of a repeated key wins).
    static func dictionary(_ members: Members) -> [String: JSONValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
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
    /// Descriptor fields in document order (last one wins, see `ASERequestBody.Members`).
    var desc: ASERequestBody.Members = []

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
                item.desc.append((name, try scanner.value()))
            }
        }
        item.desc = ASERequestBody.lastWins(item.desc)
        return item
    }

    /// The item as a JSON value, for schema validation: the data field as its base64 text when
    /// `dataText`, else as an empty stand-in string (same type, nothing copied) for schemas that
    /// only check that it is there and is a string.
    func jsonValue(_ scanner: JSONScanner, dataText: Bool) -> JSONValue {
        var members = ASERequestBody.dictionary(desc)
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
