import Foundation
import NIOCore

/// A parsed `multipart/form-data` body (RFC 7578): the parts in order.
struct MultipartForm {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var data: Data
    }

    var parts: [Part]

    /// The boundary parameter of a `multipart/form-data` content type, if present.
    static func boundary(fromContentType contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Parses `body`; throws a 400 naming what is wrong.
    init(parsing body: ByteBuffer, boundary: String) throws {
        let bytes = Array(body.readableBytesView)
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        guard var cursor = Self.find(delimiter, in: bytes, from: 0) else {
            throw GatewayError(.invalidRequest, "multipart body: boundary not found")
        }
        cursor += delimiter.count
        for _ in 0..<10_000 {
            // "--" after a delimiter ends the body.
            if cursor + 1 < bytes.count, bytes[cursor] == UInt8(ascii: "-"), bytes[cursor + 1] == UInt8(ascii: "-") { break }
            guard let headerStart = Self.find(Array("\r\n".utf8), in: bytes, from: cursor).map({ $0 + 2 }),
                let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: bytes, from: headerStart - 2)
            else { throw GatewayError(.invalidRequest, "multipart body: truncated part headers") }
            let headerText = String(decoding: bytes[headerStart..<max(headerStart, headerEnd)], as: UTF8.self)
            let dataStart = headerEnd + 4
            guard let next = Self.find(Array("\r\n".utf8) + delimiter, in: bytes, from: dataStart) else {
                throw GatewayError(.invalidRequest, "multipart body: missing closing boundary")
            }
            var part = Part(name: "", filename: nil, contentType: nil, data: Data(bytes[dataStart..<next]))
            for line in headerText.components(separatedBy: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces)
                switch pair[0].lowercased() {
                case "content-disposition":
                    for parameter in value.split(separator: ";").dropFirst() {
                        let kv = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                        guard kv.count == 2 else { continue }
                        let v = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                        if kv[0].lowercased() == "name" { part.name = v }
                        if kv[0].lowercased() == "filename" { part.filename = v }
                    }
                case "content-type":
                    part.contentType = value
                default:
                    break
                }
            }
            guard !part.name.isEmpty else { throw GatewayError(.invalidRequest, "multipart body: a part has no name") }
            parts.append(part)
            cursor = next + 2 + delimiter.count
        }
        self.parts = parts
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        let first = needle[0]
        var i = start
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
