import AthenaAPI
import Foundation
import KubeModel

/// Checks one request against an app's schema: the ASE envelope (header, parameter, payload items
/// with a valid status and base64 data) and the declared fields via ``APISchema``, or a ModelArts
/// JSON body against `apis[0].request.data`.
struct RequestValidator: Sendable {
    var description: AppDescription

    /// Every problem, one sentence each, with a dotted path; empty when valid.
    func validate(_ value: JSONValue) -> [String] {
        guard let object = value.objectValue else { return ["request: expected a JSON object, got \(kind(value))"] }
        let isASE = object["payload"] != nil || object["header"] != nil || object["parameter"] != nil
        if !isASE {
            guard let data = modelArtsRequestSchema() else {
                return ["request: not an ASE request (no header/parameter/payload) and \(description.service) declares no ModelArts apis"]
            }
            return APISchema(json: data).validate(value, path: "body").map(\.description)
        }
        var problems: [String] = []
        if let header = object["header"], header.objectValue == nil {
            problems.append("header: expected object, got \(kind(header))")
        }
        if let status = object["header"]?.objectValue?["status"], !isStatus(status) {
            problems.append("header.status: expected one of [0, 1, 2, 3], got \(display(status))")
        }
        if let parameter = object["parameter"] {
            if let schema = description.schema?.parameter {
                problems += APISchema(json: schema).validate(parameter, path: "parameter").map(\.description)
            } else if parameter.objectValue == nil {
                problems.append("parameter: expected object, got \(kind(parameter))")
            }
        }
        guard let payload = object["payload"] else {
            problems.append("payload: required field is missing")
            return problems
        }
        guard let items = payload.objectValue else {
            problems.append("payload: expected object, got \(kind(payload))")
            return problems
        }
        if items.isEmpty { problems.append("payload: at least one data item is required") }
        for (id, item) in items.sorted(by: { $0.key < $1.key }) {
            problems += envelopeProblems(id: id, item: item)
        }
        if let schema = description.schema?.payload {
            problems += APISchema(json: schema).validate(payload, path: "payload").map(\.description)
        }
        return problems
    }

    // MARK: - ASE payload items

    private func envelopeProblems(id: String, item: JSONValue) -> [String] {
        let path = "payload.\(id)"
        guard let fields = item.objectValue else { return ["\(path): expected object, got \(kind(item))"] }
        var problems: [String] = []
        if let status = fields["status"], !isStatus(status) {
            problems.append("\(path).status: expected one of [0, 1, 2, 3], got \(display(status))")
        }
        let dataKeys = ["text", "image", "audio", "video"].filter { fields[$0] != nil }
        if dataKeys.isEmpty {
            problems.append("\(path): no data field (one of text, image, audio, video)")
        }
        for key in dataKeys {
            guard let text = fields[key]?.stringValue else {
                problems.append("\(path).\(key): expected base64 string, got \(kind(fields[key] ?? .null))")
                continue
            }
            if Data(base64Encoded: text) == nil {
                problems.append("\(path).\(key): not valid base64")
            }
        }
        return problems
    }

    private func modelArtsRequestSchema() -> JSONValue? {
        guard let apis = description.schema?.apis?.arrayValue, let first = apis.first?.objectValue else { return nil }
        return first["request"]?.objectValue?["data"]
    }

    private func isStatus(_ value: JSONValue) -> Bool {
        guard let number = value.doubleValue else { return false }
        return [0, 1, 2, 3].contains(number)
    }

    private func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private func display(_ value: JSONValue) -> String {
        guard let data = try? JSONEncoder().encode(value) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
