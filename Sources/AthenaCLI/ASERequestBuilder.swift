import Foundation

/// Builds an ASE request body from the `athena call` flags.
///
/// Shape (seed 003): `header` (platform fields), `parameter.{service}` (engine switches),
/// `payload.{data_id}` = `{encoding, status: 3, <type>: base64}` — one complete ("once") frame each.
struct ASERequestBuilder {
    /// The service id: the key under `parameter`.
    var service: String
    /// `--param k=v` pairs (string values) and `k:=json` pairs (raw JSON values), in order.
    var parameters: [(key: String, value: Any)] = []
    /// Payload items by data id.
    var payload: [(id: String, item: [String: Any])] = []
    /// `header.app_id`.
    var appID = "athena-cli"

    /// Adds `--param k=v` (a string) or `--param k:=JSON` (a typed value: number, bool, object…).
    mutating func addParameter(_ flag: String) throws {
        if let range = flag.range(of: ":="), !flag[..<range.lowerBound].isEmpty {
            let key = String(flag[..<range.lowerBound])
            let raw = String(flag[range.upperBound...])
            guard let value = try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed]) else {
                throw CLIError("--param \(flag): '\(raw)' is not valid JSON (use k=v for a string)", exitCode: 2)
            }
            parameters.append((key, value))
            return
        }
        guard let eq = flag.firstIndex(of: "="), eq != flag.startIndex else {
            throw CLIError("--param \(flag): expected key=value or key:=json", exitCode: 2)
        }
        parameters.append((String(flag[..<eq]), String(flag[flag.index(after: eq)...])))
    }

    /// Adds `--file name=@path` (also `name=path`): type and encoding from the extension.
    mutating func addFile(_ flag: String, workingDirectory: String) throws {
        let (name, rawPath) = try Self.split(flag, option: "--file", example: "image=@digit.png")
        let path = rawPath.hasPrefix("@") ? String(rawPath.dropFirst()) : rawPath
        let data = try Self.read(path, workingDirectory: workingDirectory, option: "--file")
        let kind: MediaKind
        if let known = MediaKind.forFile(path) {
            kind = known
        } else if String(data: data, encoding: .utf8) != nil {
            kind = MediaKind(dataType: "text", encoding: "utf8")
        } else {
            throw CLIError("--file \(flag): unknown file type '\(path)' (use .png/.jpg/.wav/.mp4/.txt/...)", exitCode: 2)
        }
        payload.append((name, ["encoding": kind.encoding, "status": 3, kind.dataType: data.base64EncodedString()]))
    }

    /// Adds `--text name=value` (or `name=@file`): a UTF-8 text payload item.
    mutating func addText(_ flag: String, workingDirectory: String) throws {
        let (name, value) = try Self.split(flag, option: "--text", example: "text=hello")
        let data = value.hasPrefix("@")
            ? try Self.read(String(value.dropFirst()), workingDirectory: workingDirectory, option: "--text")
            : Data(value.utf8)
        payload.append((name, ["encoding": "utf8", "status": 3, "text": data.base64EncodedString()]))
    }

    /// The request as a JSON object.
    func body() -> [String: Any] {
        var params: [String: Any] = [:]
        for (key, value) in parameters { params[key] = value }
        var items: [String: Any] = [:]
        for (id, item) in payload { items[id] = item }
        return [
            "header": ["app_id": appID, "uid": "athena-cli", "request_id": UUID().uuidString.lowercased(), "status": 3],
            "parameter": [service: params],
            "payload": items,
        ]
    }

    /// The request serialized.
    func bodyData() throws -> Data {
        try JSONSerialization.data(withJSONObject: body(), options: [.sortedKeys, .withoutEscapingSlashes])
    }

    private static func split(_ flag: String, option: String, example: String) throws -> (String, String) {
        guard let eq = flag.firstIndex(of: "="), eq != flag.startIndex else {
            throw CLIError("\(option) \(flag): expected name=value, e.g. \(option) \(example)", exitCode: 2)
        }
        return (String(flag[..<eq]), String(flag[flag.index(after: eq)...]))
    }

    private static func read(_ path: String, workingDirectory: String, option: String) throws -> Data {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true))
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CLIError("\(option): cannot read \(path)", exitCode: 2)
        }
        return data
    }
}
