import KubeModel

/// A JSON Schema subset, enough for ModelArts `apis` and AIGES schemas: `type` (object, array,
/// string, integer, number, boolean, null, and ModelArts' `file`), `properties`, `required`,
/// `items` (or ModelArts' `item`), `enum`, `minimum`/`maximum`, `minLength`/`maxLength`,
/// `minItems`/`maxItems`, `additionalProperties: false`.
///
/// Kept as the raw `JSONValue` so unknown keywords survive into `/openapi.json`; validation reads
/// the keywords it knows and ignores the rest, like JSON Schema itself.
public struct APISchema: Sendable, Hashable {
    public var json: JSONValue

    public init(json: JSONValue) {
        self.json = json
    }

    /// Checks `value`, reporting every violation with a dotted path rooted at `path`.
    public func validate(_ value: JSONValue, path: String) -> [APISchemaViolation] {
        var violations: [APISchemaViolation] = []
        Self.check(value, against: json, path: path, into: &violations)
        return violations
    }

    /// Whether validation would look at the characters of a string at `path` (an object path
    /// through `properties`, or `additionalProperties` schemas): `minLength`, `maxLength` or
    /// `enum` there. When it would not, a caller may validate a stand-in string instead of
    /// building a large one (a payload's base64 data: megabytes copied only to check its type).
    public func inspectsString(at path: [String]) -> Bool {
        var schema = json
        for name in path {
            guard case .object(let keywords) = schema else { return false }
            if let sub = keywords["properties"]?.objectValue?[name] {
                schema = sub
            } else if let sub = keywords["additionalProperties"], sub.objectValue != nil {
                schema = sub
            } else {
                return false  // not checked at all
            }
        }
        guard case .object(let keywords) = schema else { return false }
        return keywords["minLength"] != nil || keywords["maxLength"] != nil || keywords["enum"] != nil
    }

    // MARK: - Checking

    private static func check(_ value: JSONValue, against schema: JSONValue, path: String, into out: inout [APISchemaViolation]) {
        guard case .object(let keywords) = schema else { return }
        if let types = typeNames(keywords["type"]), !types.contains(where: { matches(value, type: $0) }) {
            out.append(.init(path: path, message: "expected \(types.joined(separator: " or ")), got \(describe(value))"))
            return
        }
        if let allowed = keywords["enum"]?.arrayValue, !allowed.contains(value) {
            let list = allowed.map { display($0) }.joined(separator: ", ")
            out.append(.init(path: path, message: "expected one of [\(list)], got \(display(value))"))
        }
        switch value {
        case .object(let members):
            for name in keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                out.append(.init(path: join(path, name), message: "required field is missing"))
            }
            let properties = keywords["properties"]?.objectValue ?? [:]
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let sub = properties[name] {
                    check(member, against: sub, path: join(path, name), into: &out)
                } else if keywords["additionalProperties"] == .bool(false) {
                    out.append(.init(path: join(path, name), message: "unknown field"))
                } else if let sub = keywords["additionalProperties"], sub.objectValue != nil {
                    check(member, against: sub, path: join(path, name), into: &out)
                }
            }
        case .array(let elements):
            if let min = keywords["minItems"]?.intValue, elements.count < min {
                out.append(.init(path: path, message: "expected at least \(min) items, got \(elements.count)"))
            }
            if let max = keywords["maxItems"]?.intValue, elements.count > max {
                out.append(.init(path: path, message: "expected at most \(max) items, got \(elements.count)"))
            }
            // ModelArts writes `item: [schema]`; JSON Schema writes `items: schema`.
            let itemSchema = keywords["items"] ?? keywords["item"]?.arrayValue?.first ?? keywords["item"]
            if let itemSchema {
                for (i, element) in elements.enumerated() {
                    check(element, against: itemSchema, path: "\(path)[\(i)]", into: &out)
                }
            }
        case .string(let text):
            let count = text.count
            if let min = keywords["minLength"]?.intValue, count < min {
                out.append(.init(path: path, message: "expected at least \(min) characters, got \(count)"))
            }
            if let max = keywords["maxLength"]?.intValue, count > max {
                out.append(.init(path: path, message: "expected at most \(max) characters, got \(count)"))
            }
        case .number(let n):
            if let min = keywords["minimum"]?.doubleValue, n < min {
                out.append(.init(path: path, message: "expected >= \(display(.number(min))), got \(display(value))"))
            }
            if let max = keywords["maximum"]?.doubleValue, n > max {
                out.append(.init(path: path, message: "expected <= \(display(.number(max))), got \(display(value))"))
            }
        case .null, .bool:
            break
        }
    }

    private static func typeNames(_ type: JSONValue?) -> [String]? {
        switch type {
        case .string(let name): return [name]
        case .array(let names): return names.compactMap(\.stringValue)
        default: return nil
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
            ("number", .number):
            return true
        case ("integer", .number(let n)): return n.rounded() == n
        // ModelArts `file`: a multipart part or, in JSON, its base64 text.
        case ("file", .string): return true
        case ("object", _), ("array", _), ("string", _), ("boolean", _), ("null", _), ("number", _), ("integer", _), ("file", _):
            return false
        default: return true  // unknown type names do not reject anything
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let n): return n.rounded() == n ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    private static func display(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "\"\(s)\""
        case .number(let n): return n.rounded() == n && abs(n) < 9e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array, .object: return describe(value)
        }
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}

/// One place a value breaks its schema: `parameter.digits.top_k: expected integer, got string`.
public struct APISchemaViolation: Sendable, Hashable, CustomStringConvertible, Error {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
