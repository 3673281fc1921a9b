import Foundation

extension FieldError {
    /// The decoding error as a field error at the path where decoding stopped, so a wrong type or
    /// a missing required field reads like any other validation problem:
    /// `spec.versions[0].weight: expected an integer`.
    public init(decoding error: DecodingError) {
        func render(_ path: [any CodingKey]) -> FieldPath {
            var result = FieldPath("")
            for key in path {
                if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
                    result = result.index(index)
                } else {
                    result = result.child(key.stringValue)
                }
            }
            return result
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .required(render(context.codingPath + [key]))
        case .typeMismatch(let type, let context):
            self = FieldError(render(context.codingPath), "expected \(Self.typeName(type)); \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            self = .required(render(context.codingPath), "must be \(Self.typeName(type)), not null")
        case .dataCorrupted(let context):
            self = FieldError(render(context.codingPath), context.debugDescription)
        @unknown default:
            self = FieldError(FieldPath(""), String(describing: error))
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object (\(type))"
        }
    }
}
