import Foundation
import KubeModel
import NIOCore

/// Converts the ASE protocol (`POST /v1/private/{service}`) to an engine request and back.
enum ASECodec {
    /// Parses and validates an ASE body. `version` supplies the schemas; errors are 400s with the
    /// field path in the message.
    static func decode(_ body: ByteBuffer, service: String, sid: String, version: VersionRuntime?) throws -> EngineRequest {
        try body.withUnsafeReadableBytes { bytes in
            var scanner = JSONScanner(bytes: bytes)
            let decoded: ASERequestBody
            do {
                decoded = try ASERequestBody.read(&scanner)
            } catch let failure as JSONScanner.Failure {
                throw GatewayError(.malformedJSON, "malformed JSON: \(failure.description)")
            } catch let error as GatewayError {
                // A shape error found before the end: bad syntax further on still wins.
                if let problem = JSONSyntax.problem(in: body) { throw GatewayError(.malformedJSON, "malformed JSON: \(problem)") }
                throw error
            }
            return try request(decoded, scanner: scanner, service: service, sid: sid, version: version)
        }
    }

    private static func request(
        _ decoded: ASERequestBody, scanner: JSONScanner, service: String, sid: String, version: VersionRuntime?
    ) throws -> EngineRequest {
        if let schema = version?.parameterSchema {
            let value = ASERequestBody.object(decoded.parameter)
            if let first = schema.validate(value, path: "parameter").first {
                throw GatewayError(.schemaViolation, first.description)
            }
        }
        if let schema = version?.payloadSchema {
            var members: [String: JSONValue] = [:]
            for item in decoded.payload {
                let field = item.kind?.fieldName ?? "text"
                members[item.dataID] = item.jsonValue(scanner, dataText: schema.inspectsString(at: [item.dataID, field]))
            }
            if let first = schema.validate(.object(members), path: "payload").first {
                throw GatewayError(.schemaViolation, first.description)
            }
        }
        var parameters: [String: String] = [:]
        for (key, value) in decoded.parameter ?? [] {
            if case .object(let members) = value {
                for (name, member) in members { parameters[name] = member.parameterText }
            } else {
                parameters[key] = value.parameterText
            }
        }
        var headers = [String: String](minimumCapacity: decoded.header?.count ?? 0)
        for (key, value) in decoded.header ?? [] where value.objectValue == nil && value.arrayValue == nil {
            headers[key] = value.parameterText
        }
        var items: [EngineItem] = []
        items.reserveCapacity(decoded.payload.count)
        for item in decoded.payload.sorted(by: { $0.dataID < $1.dataID }) {
            var data = Data()
            if let raw = item.base64 {
                let span = UnsafeRawBufferPointer(rebasing: scanner.bytes[raw.start..<raw.end])
                let bytes = raw.hasEscapes
                    ? JSONScanner.unescaped(span).withUnsafeBytes { Base64Bytes.decode($0) }
                    : Base64Bytes.decode(span)
                guard let bytes else {
                    throw GatewayError(.invalidBase64, "payload.\(item.dataID).\(item.kind?.fieldName ?? "text"): invalid base64")
                }
                data = bytes
            }
            var desc = [String: String](minimumCapacity: item.desc.count)
            for (name, value) in item.desc { desc[name] = value.parameterText }
            items.append(EngineItem(
                dataID: item.dataID, kind: item.kind ?? .text,
                status: EngineItem.Status(rawValue: item.status ?? 3) ?? .once, descArgs: desc, data: data))
        }
        let requestSID = headers["sid"].flatMap { $0.isEmpty ? nil : $0 } ?? sid
        return EngineRequest(sid: requestSID, service: service, parameters: parameters, headers: headers, items: items)
    }

    // MARK: - Responses

    /// `{"header":{code,message,sid,status},"payload":{id:{…}}}` with base64 data.
    /// `status` is `header.status`: by default the last frame's (a once answer: 3); a session's
    /// results carry the session's (1 continue, 2 end).
    static func encode(_ response: EngineResponse, sid: String, status: Int? = nil) -> ByteBuffer {
        let size = response.items.reduce(128) { $0 + $1.byteCount * 4 / 3 + 96 }
        var w = JSONWriter(capacity: size)
        let status = status ?? response.items.last?.status.rawValue ?? 3
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
            func descriptor(_ name: String, _ value: String) {
                guard EngineItem.Kind(fieldName: name) == nil && name != "status" else { return }
                w.key(name)
                if isPlainInteger(value) { w.rawBytes(value.utf8) } else { w.string(value) }
                w.comma()
            }
            if item.descArgs.count == 1, let (name, value) = item.descArgs.first {
                descriptor(name, value)  // the usual single one (`encoding`) needs no sorted copy
            } else {
                for (name, value) in item.descArgs.sorted(by: { $0.key < $1.key }) { descriptor(name, value) }
            }
            w.raw("\"status\":")
            w.int(item.status.rawValue)
            w.comma()
            w.key(item.kind.fieldName)
            item.withUnsafeBytes { w.base64($0) }
            w.raw("}")
        }
        w.raw("}}")
        return w.buffer
    }

    /// The ASE error body every front-end answers with. `error` repeats the message for OIP/KServe
    /// clients, which read that key.
    static func encodeError(_ error: GatewayError, sid: String, status: Int = 3) -> ByteBuffer {
        var w = JSONWriter(capacity: 128 + error.message.utf8.count * 2)
        w.raw("{\"header\":{\"code\":")
        w.int(error.code)
        w.raw(",\"message\":")
        w.string(error.message)
        w.raw(",\"sid\":")
        w.string(sid)
        w.raw(",\"status\":")
        w.int(status)
        w.raw("},\"error\":")
        w.string(error.message)
        w.raw("}")
        return w.buffer
    }

    private static func isPlainInteger(_ text: String) -> Bool {
        // Read in place (an `Array` of the bytes cost an allocation per descriptor value).
        let count = text.utf8.count
        guard count > 0, count < 16 else { return false }
        if count > 1 && text.utf8.first == UInt8(ascii: "0") { return false }
        return !ASCIIBytes.contains(text) { $0 < UInt8(ascii: "0") || $0 > UInt8(ascii: "9") }
    }
}
