import Foundation

/// Turns an ASE response into what `athena call` prints: base64 text decoded, JSON pretty-printed,
/// binary results saved to files, and an error response into a ``CLIError`` with its code.
struct ASEResponsePrinter {
    /// Where binary results are written; nil prints a size summary instead.
    var outputDirectory: String?

    /// The lines to print for a successful response, or throws the response's error.
    func render(status: Int, body: Data) throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: body), let response = object as? [String: Any] else {
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            if (200..<300).contains(status) { throw CLIError("HTTP \(status): the response is not JSON: \(text)") }
            throw CLIError("HTTP \(status): \(text.isEmpty ? "(empty body)" : text)")
        }
        let header = response["header"] as? [String: Any] ?? [:]
        let code = (header["code"] as? NSNumber)?.intValue ?? 0
        if code != 0 || !(200..<300).contains(status) {
            let message = header["message"] as? String ?? "(no message)"
            let sid = (header["sid"] as? String).map { " (sid \($0))" } ?? ""
            throw CLIError("error \(code) (HTTP \(status)): \(message)\(sid)")
        }
        guard let payload = response["payload"] as? [String: Any], !payload.isEmpty else {
            return Self.pretty(response)
        }
        let keys = payload.keys.sorted()
        var out: [String] = []
        for key in keys {
            let rendered = try renderItem(key: key, value: payload[key] as Any)
            out.append(keys.count == 1 ? rendered : "\(key):\n\(rendered)")
        }
        return out.joined(separator: "\n")
    }

    private func renderItem(key: String, value: Any) throws -> String {
        guard let item = value as? [String: Any] else { return Self.pretty(value) }
        for dataType in ["text", "image", "audio", "video"] {
            guard let b64 = item[dataType] as? String else { continue }
            guard let data = Data(base64Encoded: b64, options: .ignoreUnknownCharacters) else {
                return "\(key): (\(dataType) is not valid base64) \(b64.prefix(80))"
            }
            if dataType == "text", let text = String(data: data, encoding: .utf8) {
                if let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
                   json is [String: Any] || json is [Any] {
                    return Self.pretty(json)
                }
                return text
            }
            let encoding = item["encoding"] as? String
            guard let outputDirectory else {
                return "\(key): \(data.count) bytes of \(dataType) (\(encoding ?? "unknown encoding")); use --output-dir to save it"
            }
            let name = "\(key).\(MediaKind.fileExtension(dataType: dataType, encoding: encoding))"
            let url = URL(fileURLWithPath: outputDirectory).appendingPathComponent(name)
            do {
                try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
                try data.write(to: url)
            } catch {
                throw CLIError("cannot write \(url.path): \(error.localizedDescription)")
            }
            return "\(key): \(data.count) bytes of \(dataType) saved to \(url.path)"
        }
        return Self.pretty(item)
    }

    /// Pretty JSON with sorted keys (stable output for scripts and tests).
    static func pretty(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject(value),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return String(describing: value) }
        return String(decoding: data, as: UTF8.self)
    }
}
