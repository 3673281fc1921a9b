import AthenaAPI
import Foundation

/// The parts of the API server's CRD machinery the tests need, applied to our own schemas:
/// validation (types, enums, ranges, lengths, patterns, required, unknown fields as with
/// `kubectl --validate=strict`) and defaulting (top-down, a `default: {}` parent lets its
/// children's defaults apply).
struct StructuralSchema {
    let root: JSONValue

    // MARK: - Validation

    /// The paths of every violation, `spec.versions[0].weight: must be <= 100`.
    func validate(_ value: JSONValue) -> [String] {
        var errors: [String] = []
        validate(value, root, path: "", into: &errors)
        return errors
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func validate(_ value: JSONValue, _ schema: JSONValue, path: String, into errors: inout [String]) {
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .string(let s): checkString(s, schema, path: path, into: &errors)
            case .number(let n) where n.rounded() == n: checkNumber(n, schema, path: path, into: &errors)
            default: errors.append("\(path): must be an integer or a string")
            }
            return
        }
        let type = schema["type"]?.stringValue
        switch (type, value) {
        case ("object", .object(let members)):
            for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
                errors.append("\(join(path, key)): Required value")
            }
            if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true || path == "metadata" { return }
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            for key in members.keys.sorted() {
                let child = members[key] ?? .null
                if let sub = properties?[key] {
                    validate(child, sub, path: join(path, key), into: &errors)
                } else if let additional, additional.objectValue != nil {
                    validate(child, additional, path: "\(path)[\(key)]", into: &errors)
                } else {
                    errors.append("\(join(path, key)): unknown field")
                }
            }
        case ("array", .array(let items)):
            if let min = schema["minItems"]?.intValue, items.count < min {
                errors.append("\(path): must have at least \(min) items")
            }
            if let itemSchema = schema["items"] {
                for (i, item) in items.enumerated() { validate(item, itemSchema, path: "\(path)[\(i)]", into: &errors) }
            }
        case ("string", .string(let s)):
            checkString(s, schema, path: path, into: &errors)
        case ("integer", .number(let n)) where n.rounded() == n:
            checkNumber(n, schema, path: path, into: &errors)
        case ("number", .number(let n)):
            checkNumber(n, schema, path: path, into: &errors)
        case ("boolean", .bool):
            break
        default:
            errors.append("\(path): must be of type \(type ?? "?")")
        }
    }

    private func checkString(_ s: String, _ schema: JSONValue, path: String, into errors: inout [String]) {
        if let allowed = schema["enum"]?.arrayValue?.compactMap(\.stringValue), !allowed.contains(s) {
            errors.append("\(path): Unsupported value \"\(s)\"")
        }
        if let min = schema["minLength"]?.intValue, s.count < min { errors.append("\(path): too short") }
        if let max = schema["maxLength"]?.intValue, s.count > max { errors.append("\(path): too long") }
        if let pattern = schema["pattern"]?.stringValue {
            let regex = try? NSRegularExpression(pattern: pattern)
            let range = NSRange(s.startIndex..<s.endIndex, in: s)
            if regex?.firstMatch(in: s, range: range) == nil {
                errors.append("\(path): should match '\(pattern)'")
            }
        }
    }

    private func checkNumber(_ n: Double, _ schema: JSONValue, path: String, into errors: inout [String]) {
        if let min = schema["minimum"]?.doubleValue, n < min { errors.append("\(path): should be >= \(min)") }
        if let max = schema["maximum"]?.doubleValue, n > max { errors.append("\(path): should be <= \(max)") }
    }

    // MARK: - Defaulting

    /// `value` with the schema's defaults filled in.
    func applyingDefaults(_ value: JSONValue) -> JSONValue { defaults(value, root) }

    private func defaults(_ value: JSONValue, _ schema: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return value }
            if let properties = schema["properties"]?.objectValue {
                for (key, sub) in properties {
                    if members[key] == nil, let d = sub["default"] { members[key] = d }
                    if let child = members[key] { members[key] = defaults(child, sub) }
                }
            }
            if let additional = schema["additionalProperties"], additional.objectValue != nil {
                for (key, child) in members where schema["properties"]?[key] == nil {
                    members[key] = defaults(child, additional)
                }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.map { defaults($0, itemSchema) })
        default:
            return value
        }
    }

    // MARK: - Walking

    /// Every schema node with its path (`spec.versions[].weight`, map values as `{}`), not
    /// descending into preserve-unknown-fields nodes.
    func nodes() -> [(path: String, schema: JSONValue)] {
        var result: [(String, JSONValue)] = []
        func walk(_ schema: JSONValue, _ path: String) {
            result.append((path, schema))
            if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return }
            for (key, sub) in schema["properties"]?.objectValue ?? [:] { walk(sub, join(path, key)) }
            if let items = schema["items"] { walk(items, path + "[]") }
            if let additional = schema["additionalProperties"], additional.objectValue != nil { walk(additional, path + "{}") }
        }
        walk(root, "")
        return result.sorted { $0.0 < $1.0 }
    }
}
