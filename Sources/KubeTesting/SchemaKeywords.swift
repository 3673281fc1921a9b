import Foundation
import KubeModel

/// The value-level keywords of an OpenAPI v3 schema (bounds, lengths, patterns, enums), each
/// reported with the real server's message.
enum SchemaKeywords {
    static func checkScalars(_ value: JSONValue, schema: JSONValue, path: String, into causes: inout [StatusCause]) {
        let name = path.isEmpty ? "body" : path
        func invalid(_ message: String) {
            causes.append(APIErrors.cause(.invalid, field: path, "Invalid value: \(render(value)): \(name) in body \(message)"))
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            let supported = options.map(render).joined(separator: ", ")
            causes.append(
                APIErrors.cause(.notSupported, field: path, "Unsupported value: \(render(value)): supported values: \(supported)"))
        }
        switch value {
        case .number(let number):
            if let maximum = schema["maximum"]?.doubleValue {
                if schema["exclusiveMaximum"]?.boolValue == true, number >= maximum {
                    invalid("should be less than \(render(.number(maximum)))")
                } else if number > maximum {
                    invalid("should be less than or equal to \(render(.number(maximum)))")
                }
            }
            if let minimum = schema["minimum"]?.doubleValue {
                if schema["exclusiveMinimum"]?.boolValue == true, number <= minimum {
                    invalid("should be greater than \(render(.number(minimum)))")
                } else if number < minimum {
                    invalid("should be greater than or equal to \(render(.number(minimum)))")
                }
            }
            if let multiple = schema["multipleOf"]?.doubleValue, multiple > 0,
                (number / multiple).rounded() != number / multiple
            {
                invalid("should be a multiple of \(render(.number(multiple)))")
            }
        case .string(let text):
            let length = text.count
            if let minLength = schema["minLength"]?.intValue, length < minLength {
                invalid("should be at least \(minLength) chars long")
            }
            if let maxLength = schema["maxLength"]?.intValue, length > maxLength {
                causes.append(
                    APIErrors.cause(.tooLong, field: path, "Too long: may not be more than \(maxLength) bytes"))
            }
            if let pattern = schema["pattern"]?.stringValue {
                if let regex = try? NSRegularExpression(pattern: pattern),
                    regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
                {
                    invalid("should match '\(pattern)'")
                }
            }
        case .array(let items):
            if let minItems = schema["minItems"]?.intValue, items.count < minItems {
                causes.append(
                    APIErrors.cause(.invalid, field: path, "Invalid value: \(items.count): \(name) in body should have at least \(minItems) items"))
            }
            if let maxItems = schema["maxItems"]?.intValue, items.count > maxItems {
                causes.append(APIErrors.cause(.tooMany, field: path, "Too many: \(items.count): must have at most \(maxItems) items"))
            }
        case .object(let members):
            if let minProperties = schema["minProperties"]?.intValue, members.count < minProperties {
                invalid("should have at least \(minProperties) properties")
            }
            if let maxProperties = schema["maxProperties"]?.intValue, members.count > maxProperties {
                invalid("should have at most \(maxProperties) properties")
            }
        default:
            break
        }
    }

    /// A value as the real server prints it in messages: numbers bare, strings quoted.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return String(b)
        case .number(let n): return value.intValue.map(String.init) ?? String(n)
        case .string(let s): return "\"\(s)\""
        case .array: return "\"array\""
        case .object: return "\"object\""
        }
    }
}
