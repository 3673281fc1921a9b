import KubeModel

/// Checks that a JSON value is a well-formed JSON Schema (the draft-04 to 2020-12 keywords an
/// API contract uses, plus ModelArts' `"type": "file"`). It checks the schema's own shape, not
/// any instance: the gateway validates requests; this makes sure the contract it will use means
/// something.
public enum JSONSchemaLint {
    /// The `type` names accepted.
    public static let types: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null", "file"]

    static let maxDepth = 64
    private static let schemaMaps = ["properties", "patternProperties", "definitions", "$defs", "dependentSchemas"]
    private static let schemaLists = ["allOf", "anyOf", "oneOf", "prefixItems"]
    private static let singleSchemas = ["not", "if", "then", "else", "contains", "propertyNames"]
    private static let nonNegativeInts = [
        "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains",
    ]
    private static let numbers = ["minimum", "maximum", "multipleOf"]

    /// Every problem in `schema`, with paths under `path` (e.g. `spec.apis[0].request.data.properties.x.type`).
    public static func check(_ schema: JSONValue, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        check(schema, at: path, depth: 0, into: &errors)
        return errors
    }

    private static func check(_ schema: JSONValue, at path: FieldPath, depth: Int, into errors: inout [FieldError]) {
        guard depth <= maxDepth else {
            errors.append(FieldError(path, "schema is nested more than \(maxDepth) levels deep"))
            return
        }
        if case .bool = schema { return }  // `true` / `false` are schemas since draft-06
        guard let members = schema.objectValue else {
            errors.append(FieldError(path, "a JSON Schema must be an object (or true/false), got \(kindName(schema))"))
            return
        }
        if let type = members["type"] { checkType(type, at: path.child("type"), into: &errors) }
        for key in schemaMaps {
            guard let value = members[key] else { continue }
            guard let map = value.objectValue else {
                errors.append(FieldError(path.child(key), "must be an object mapping names to schemas"))
                continue
            }
            for name in map.keys.sorted() {
                check(map[name] ?? .null, at: path.child(key).child(name), depth: depth + 1, into: &errors)
            }
        }
        for key in schemaLists {
            guard let value = members[key] else { continue }
            guard let list = value.arrayValue, !list.isEmpty else {
                errors.append(FieldError(path.child(key), "must be a non-empty array of schemas"))
                continue
            }
            for (i, item) in list.enumerated() { check(item, at: path.child(key).index(i), depth: depth + 1, into: &errors) }
        }
        for key in singleSchemas + ["additionalProperties", "additionalItems", "unevaluatedProperties"] {
            guard let value = members[key] else { continue }
            check(value, at: path.child(key), depth: depth + 1, into: &errors)
        }
        if let items = members["items"] {
            if let list = items.arrayValue {  // draft-04 tuple form, used by ModelArts examples
                for (i, item) in list.enumerated() { check(item, at: path.child("items").index(i), depth: depth + 1, into: &errors) }
            } else {
                check(items, at: path.child("items"), depth: depth + 1, into: &errors)
            }
        }
        if let required = members["required"] {
            if let list = required.arrayValue {
                if !list.allSatisfy({ $0.stringValue != nil }) {
                    errors.append(FieldError(path.child("required"), "must be an array of property names (strings)"))
                }
            } else if required.boolValue == nil {  // draft-03 allowed a boolean
                errors.append(FieldError(path.child("required"), "must be an array of property names"))
            }
        }
        if let values = members["enum"], values.arrayValue == nil {
            errors.append(FieldError(path.child("enum"), "must be an array of allowed values"))
        }
        for key in nonNegativeInts {
            guard let value = members[key] else { continue }
            if (value.intValue ?? -1) < 0 {
                errors.append(FieldError(path.child(key), "must be a non-negative integer"))
            }
        }
        for key in numbers {
            guard let value = members[key] else { continue }
            if value.doubleValue == nil { errors.append(FieldError(path.child(key), "must be a number")) }
        }
        if let pattern = members["pattern"], pattern.stringValue == nil {
            errors.append(FieldError(path.child("pattern"), "must be a string (a regular expression)"))
        }
    }

    private static func checkType(_ type: JSONValue, at path: FieldPath, into errors: inout [FieldError]) {
        let names: [JSONValue]
        if let list = type.arrayValue { names = list } else { names = [type] }
        for name in names {
            guard let s = name.stringValue, types.contains(s) else {
                let shown = name.stringValue.map { "\"\($0)\"" } ?? kindName(name)
                errors.append(FieldError(
                    path, "unknown type \(shown); use one of \(types.sorted().joined(separator: ", "))",
                    code: .notSupported))
                continue
            }
        }
    }

    private static func kindName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
