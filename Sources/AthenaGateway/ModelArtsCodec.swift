import Foundation
import KubeModel
import NIOCore

/// ModelArts style (`POST /v1/infers/{service}`): a JSON body becomes one TEXT item `body`
/// (content-type application/json, the raw bytes); a multipart body one item per part.
enum ModelArtsCodec {
    static func decode(_ body: ByteBuffer, contentType: String?, service: String, sid: String, version: VersionRuntime?) throws -> EngineRequest {
        let type = contentType ?? "application/json"
        if ASCIIBytes.hasPrefix(type, lowercase: "multipart/form-data") {
            guard let boundary = MultipartForm.boundary(fromContentType: contentType ?? "") else {
                throw GatewayError(.invalidRequest, "multipart/form-data without a boundary")
            }
            let form = try MultipartForm(parsing: body, boundary: boundary)
            let items = form.parts.map { part in
                var desc: [String: String] = [:]
                if let filename = part.filename { desc["filename"] = filename }
                if let type = part.contentType { desc["content-type"] = type }
                return EngineItem(dataID: part.name, kind: kind(for: part, version: version), descArgs: desc, data: part.data)
            }
            if let schema = version?.modelArtsSchema {
                let value = JSONValue.object(Dictionary(form.parts.map { ($0.name, JSONValue.string("")) }, uniquingKeysWith: { a, _ in a }))
                if let first = schema.validate(value, path: "body").first {
                    throw GatewayError(.schemaViolation, first.description)
                }
            }
            return EngineRequest(sid: sid, service: service, items: items)
        }
        guard ASCIIBytes.hasPrefix(type, lowercase: "application/json") || ASCIIBytes.hasSuffix(type, lowercase: "+json")
            || ASCIIBytes.hasPrefix(type, lowercase: "text/")
        else {
            throw GatewayError(.invalidRequest, "unsupported content type \(contentType ?? ""): use application/json or multipart/form-data")
        }
        // Without a schema the body only needs to be JSON: check its syntax, do not parse it.
        if let schema = version?.modelArtsSchema {
            let value = try JSONScanner.document(body)
            if let first = schema.validate(value, path: "body").first {
                throw GatewayError(.schemaViolation, first.description)
            }
        } else if let problem = JSONSyntax.problem(in: body) {
            throw GatewayError(.malformedJSON, "malformed JSON: \(problem)")
        }
        return EngineRequest(sid: sid, service: service, items: [EngineItem(dataID: "body", kind: .text, descArgs: EngineItem.jsonDescArgs, bytes: .buffer(body))])
    }

    private static func kind(for part: MultipartForm.Part, version: VersionRuntime?) -> EngineItem.Kind {
        if let kind = version?.payloadKinds[part.name] { return kind }
        let type = part.contentType?.lowercased() ?? ""
        if type.hasPrefix("image/") { return .image }
        if type.hasPrefix("audio/") { return .audio }
        if type.hasPrefix("video/") { return .video }
        return .text
    }

    /// A single result item is the body as is; several become one JSON object.
    static func encode(_ response: EngineResponse) -> (body: ByteBuffer, contentType: String) {
        // Read in place (`items[0]`): a copy of the item would retain its bytes and arguments.
        if response.items.count == 1 {
            let desc = response.items[0].descArgs
            return (response.items[0].byteBuffer, desc["content-type"] ?? desc["content_type"] ?? "application/json")
        }
        var w = JSONWriter(capacity: 256)
        ResultValue.writeItems(response.items, into: &w)
        return (w.buffer, "application/json")
    }
}
