import Foundation
import KubeModel

/// What the real server does with a custom resource against its CRD's `openAPIV3Schema`, in the
/// same order: drop `null`s that are not `nullable`, prune unknown fields, apply `default`s,
/// then validate. Messages follow the real server's wording.
///
/// Supported keywords: type (incl. `x-kubernetes-int-or-string`), properties, required, items,
/// additionalProperties, `x-kubernetes-preserve-unknown-fields`, enum, minimum/maximum (and
/// exclusive), minLength/maxLength, pattern, minItems/maxItems, minProperties/maxProperties,
/// nullable, default, allOf. Not evaluated: CEL `x-kubernetes-validations`, anyOf/oneOf/not, format.
enum CustomResourceSchema {
    /// Prunes, defaults and validates `object` in place. With `strict` (the request's
    /// `fieldValidation=Strict`), an unknown field is a 400 instead of being dropped silently.
    static func admit(_ type: ResourceType, _ object: inout JSONValue, strict: Bool = false) throws(Status) -> [StatusCause] {
        guard let schema = type.schema else { return [] }
        let metadata = object["metadata"]
        let apiVersion = object["apiVersion"]
        let kind = object["kind"]
        var body = object
        body["metadata"] = nil
        body["apiVersion"] = nil
        body["kind"] = nil
        var unknown: [String] = []
        body = prune(body, schema: schema, isRoot: true, path: "", unknown: &unknown)
        if strict && !unknown.isEmpty {
            let fields = unknown.sorted().map { "unknown field \"\($0)\"" }.joined(separator: ", ")
            throw APIErrors.badRequest(
                "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): strict decoding error: \(fields)")
        }
        body = applyDefaults(body, schema: schema)
        var causes: [StatusCause] = []
        validate(body, schema: schema, path: "", into: &causes)
        body["metadata"] = metadata
        body["apiVersion"] = apiVersion
        body["kind"] = kind
        object = body
        return causes
    }

    // MARK: - Pruning

    static func prune(_ value: JSONValue, schema: JSONValue) -> JSONValue {
        var ignored: [String] = []
        return prune(value, schema: schema, isRoot: false, path: "", unknown: &ignored)
    }

    /// Drops fields the schema does not know, recording their paths in `unknown`.
    static func prune(_ value: JSONValue, schema: JSONValue, isRoot: Bool, path: String, unknown: inout [String]) -> JSONValue {
        switch value {
        case .object(let members):
            let properties = schema["properties"]?.objectValue ?? [:]
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
            let additional = schema["additionalProperties"]
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                if let propertySchema = properties[key] {
                    if member.isNull && !(propertySchema["nullable"]?.boolValue ?? false) { continue }
                    result[key] = prune(member, schema: propertySchema, isRoot: false, path: join(path, key), unknown: &unknown)
                } else if let additional, case .object = additional {
                    result[key] = prune(member, schema: additional, isRoot: false, path: join(path, key), unknown: &unknown)
                } else if preserve || additional?.boolValue == true {
                    result[key] = member
                } else if isRoot && (key == "metadata" || key == "apiVersion" || key == "kind") {
                    result[key] = member
                } else {
                    unknown.append(join(path, key))
                }
            }
            return .object(result)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(
                items.enumerated().map { index, item in
                    prune(item, schema: itemSchema, isRoot: false, path: "\(path)[\(index)]", unknown: &unknown)
                })
        default:
            return value
        }
    }

    // MARK: - Defaulting

    static func applyDefaults(_ value: JSONValue, schema: JSONValue) -> JSONValue {
        switch value {
        case .object(var members):
            for (key, propertySchema) in schema["properties"]?.objectValue ?? [:] {
                if members[key] == nil, let defaultValue = propertySchema["default"] {
                    members[key] = prune(defaultValue, schema: propertySchema)
                }
                if let member = members[key] { members[key] = applyDefaults(member, schema: propertySchema) }
            }
            if let additional = schema["additionalProperties"], case .object = additional {
                let known = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
                for (key, member) in members where !known.contains(key) {
                    members[key] = applyDefaults(member, schema: additional)
                }
            }
            return .object(members)
        case .array(let items):
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.map { applyDefaults($0, schema: itemSchema) })
        default:
            return value
        }
    }

    // MARK: - Validation

    static func validate(_ value: JSONValue, schema: JSONValue, path: String, into causes: inout [StatusCause]) {
        for sub in schema["allOf"]?.arrayValue ?? [] { validate(value, schema: sub, path: path, into: &causes) }
        if value.isNull {
            if !(schema["nullable"]?.boolValue ?? false), schema["type"] != nil {
                causes.append(typeCause(value, schema: schema, path: path))
            }
            return
        }
        if !matchesType(value, schema: schema) {
            causes.append(typeCause(value, schema: schema, path: path))
            return
        }
        SchemaKeywords.checkScalars(value, schema: schema, path: path, into: &causes)
        switch value {
        case .object(let members):
            for name in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where members[name] == nil {
                causes.append(APIErrors.cause(.required, field: join(path, name), "Required value"))
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for key in members.keys.sorted() {
                guard let member = members[key] else { continue }
                if let propertySchema = properties[key] {
                    validate(member, schema: propertySchema, path: join(path, key), into: &causes)
                } else if let additional = schema["additionalProperties"], case .object = additional {
                    validate(member, schema: additional, path: join(path, key), into: &causes)
                }
            }
        case .array(let items):
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    validate(item, schema: itemSchema, path: "\(path)[\(index)]", into: &causes)
                }
            }
        default:
            break
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    static func matchesType(_ value: JSONValue, schema: JSONValue) -> Bool {
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            if case .string = value { return true }
            return value.intValue != nil
        }
        guard let type = schema["type"]?.stringValue else { return true }
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number):
            return true
        case ("integer", .number):
            return value.intValue != nil
        default:
            return false
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: value.intValue != nil ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private static func typeCause(_ value: JSONValue, schema: JSONValue, path: String) -> StatusCause {
        let expected = schema["x-kubernetes-int-or-string"]?.boolValue == true
            ? "integer,string" : (schema["type"]?.stringValue ?? "")
        let actual = typeName(value)
        let name = path.isEmpty ? "body" : path
        return APIErrors.cause(
            .typeInvalid, field: path,
            "Invalid value: \"\(actual)\": \(name) in body must be of type \(expected): \"\(actual)\"")
    }
}
