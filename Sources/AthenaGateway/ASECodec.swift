import Foundation
import KubeModel
import NIOCore

/// Converts the ASE protocol (`POST /v1/private/{service}`) to an engine request and back.
enum ASECodec {
    /// Parses and validates an ASE body. `version` supplies the schemas; errors are 400s with the
    /// field path in the message.
    static func decode(_ body: ByteBuffer, service: String, sid: String, version: VersionRuntime?) throws -> EngineRequest {
        let decoded: ASERequestBody
        do {
            decoded = try JSONDecoder().decode(ASERequestBody.self, from: body)
        } catch let error as GatewayError {
            throw error
        } catch let error as DecodingError {
            throw Self.gatewayError(error)
        }
        if let schema = version?.parameterSchema {
            let value = JSONValue.object(decoded.parameter ?? [:])
            if let first = schema.validate(value, path: "parameter").first {
                throw GatewayError(.schemaViolation, first.description)
            }
        }
        if let schema = version?.payloadSchema {
            let value = JSONValue.object((decoded.payload ?? [:]).mapValues(\.jsonValue))
            if let first = schema.validate(value, path: "payload").first {
                throw GatewayError(.schemaViolation, first.description)
            }
        }
        var parameters: [String: String] = [:]
        for (key, value) in decoded.parameter ?? [:] {
            if case .object(let members) = value {
                for (name, member) in members { parameters[name] = member.parameterText }
            } else {
                parameters[key] = value.parameterText
            }
        }
        var headers: [String: String] = [:]
        for (key, value) in decoded.header ?? [:] where value.objectValue == nil && value.arrayValue == nil {
            headers[key] = value.parameterText
        }
        let payload = decoded.payload ?? [:]
        var items: [EngineItem] = []
        items.reserveCapacity(payload.count)
        for (dataID, item) in payload.sorted(by: { $0.key < $1.key }) {
            var data = Data()
            if let base64 = item.base64 {
                guard let bytes = Data(base64Encoded: base64) else {
                    throw GatewayError(.invalidBase64, "payload.\(dataID).\(item.kind?.fieldName ?? "text"): invalid base64")
                }
                data = bytes
            }
            var desc: [String: String] = [:]
            for (name, value) in item.desc { desc[name] = value.parameterText }
            items.append(EngineItem(
                dataID: dataID, kind: item.kind ?? .text,
                status: EngineItem.Status(rawValue: item.status ?? 3) ?? .once, descArgs: desc, data: data))
        }
        let requestSID = headers["sid"].flatMap { $0.isEmpty ? nil : $0 } ?? sid
        return EngineRequest(sid: requestSID, service: service, parameters: parameters, headers: headers, items: items)
    }

    /// A readable 400 for a JSON decoding failure.
    static func gatewayError(_ error: DecodingError) -> GatewayError {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "body" : p
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let detail = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return GatewayError(.malformedJSON, "malformed JSON: \(detail ?? context.debugDescription)")
        case .dataCorrupted(let context):
            return GatewayError(.schemaViolation, "\(path(context)): \(context.debugDescription)")
        case .typeMismatch(let type, let context):
            return GatewayError(.schemaViolation, "\(path(context)): expected \(describe(type))")
        case .valueNotFound(let type, let context):
            return GatewayError(.schemaViolation, "\(path(context)): expected \(describe(type)), got null")
        case .keyNotFound(let key, let context):
            let base = path(context)
            return GatewayError(.schemaViolation, "\(base == "body" ? key.stringValue : "\(base).\(key.stringValue)"): required field is missing")
        @unknown default:
            return GatewayError(.malformedJSON, "malformed JSON: \(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Int.Type, is Int32.Type, is Int64.Type: "integer"
        case is Double.Type, is Float.Type: "number"
        case is Bool.Type: "boolean"
        case is [Any].Type: "array"
        default: "object"
        }
    }

    // MARK: - Responses

    /// `{"header":{code,message,sid,status},"payload":{id:{…}}}` with base64 data.
    static func encode(_ response: EngineResponse, sid: String) -> ByteBuffer {
        let size = response.items.reduce(128) { $0 + $1.data.count * 4 / 3 + 96 }
        var w = JSONWriter(capacity: size)
        let status = response.items.last?.status.rawValue ?? 3
        w.raw("{\"header\":{\"code\":")
        w.int(response.code)
        w.raw(",\"message\":")
        w.string(response.message)
        w.raw(",\"sid\":")
        w.string(sid)
        w.raw(",\"status\":")
        w.int(status)
        w.raw("},\"payload\":{")
        for (i, item) in response.items.enumerated() {
            if i > 0 { w.comma() }
            w.key(item.dataID)
            w.raw("{")
            for (name, value) in item.descArgs.sorted(by: { $0.key < $1.key }) where EngineItem.Kind(fieldName: name) == nil && name != "status" {
                w.key(name)
                if isPlainInteger(value) { w.rawBytes(value.utf8) } else { w.string(value) }
                w.comma()
            }
            w.raw("\"status\":")
            w.int(item.status.rawValue)
            w.comma()
            w.key(item.kind.fieldName)
            w.base64(item.data)
            w.raw("}")
        }
        w.raw("}}")
        return w.buffer
    }

    /// The ASE error body every front-end answers with. `error` repeats the message for OIP/KServe
    /// clients, which read that key.
    static func encodeError(_ error: GatewayError, sid: String) -> ByteBuffer {
        var w = JSONWriter(capacity: 128 + error.message.utf8.count * 2)
        w.raw("{\"header\":{\"code\":")
        w.int(error.code)
        w.raw(",\"message\":")
        w.string(error.message)
        w.raw(",\"sid\":")
        w.string(sid)
        w.raw(",\"status\":3},\"error\":")
        w.string(error.message)
        w.raw("}")
        return w.buffer
    }

    private static func isPlainInteger(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count < 16 else { return false }
        let bytes = Array(text.utf8)
        if bytes.count > 1 && bytes[0] == UInt8(ascii: "0") { return false }
        return bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
