import KubeModel

/// One thing wrong with a spec, at a path such as `spec.versions[1].weight`.
///
/// Validation returns every error at once (not the first), so a user fixes a spec in one go; the
/// operator writes them into a condition message and the API server-style `Status` causes.
public struct FieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem, mapped to the Kubernetes `StatusCause.reason` vocabulary.
    public enum Code: String, Sendable, Hashable {
        case required = "FieldValueRequired"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case duplicate = "FieldValueDuplicate"
        case tooLong = "FieldValueTooLong"
        case notFound = "FieldValueNotFound"
    }

    /// The field, dotted with indices: `spec.rules[0].expression`.
    public var path: String
    /// What is wrong.
    public var message: String
    /// The kind of problem.
    public var code: Code

    public init(_ path: FieldPath, _ message: String, code: Code = .invalid) {
        self.path = path.description
        self.message = message
        self.code = code
    }

    public var description: String { "\(path): \(message)" }

    /// A required field is missing.
    public static func required(_ path: FieldPath, _ what: String = "is required") -> FieldError {
        FieldError(path, what, code: .required)
    }

    /// A value outside an enumerated set.
    public static func notSupported(_ path: FieldPath, _ value: String, supported: [String]) -> FieldError {
        let list = supported.map { "\"\($0)\"" }.joined(separator: ", ")
        return FieldError(path, "unsupported value \"\(value)\": supported values: \(list)", code: .notSupported)
    }
}

/// A path to a field, built as validation descends: `FieldPath("spec").child("versions").index(1)`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// The dotted path.
    public private(set) var description: String

    public init(_ root: String) { description = root }

    /// `path.name`.
    public func child(_ name: String) -> FieldPath {
        var copy = self
        copy.description += description.isEmpty ? name : ".\(name)"
        return copy
    }

    /// `path[i]`.
    public func index(_ i: Int) -> FieldPath {
        var copy = self
        copy.description += "[\(i)]"
        return copy
    }

    /// `path[key]` for map entries.
    public func key(_ key: String) -> FieldPath {
        var copy = self
        copy.description += "[\(key)]"
        return copy
    }
}

extension Array where Element == FieldError {
    /// All errors as one line each, for a condition message or a CLI.
    public var summary: String { map(\.description).joined(separator: "; ") }

    /// The API server's 422 `Invalid` status for these errors, with one cause per error, so tools
    /// that already read Kubernetes errors (kubectl, the client) show them naturally.
    public func status(kind: String, name: String) -> Status {
        let causes = map { StatusCause(reason: $0.code.rawValue, message: $0.message, field: $0.path) }
        let message = "\(kind).\(ServingAPI.group) \"\(name)\" is invalid: \(summary)"
        return Status(
            code: 422, reason: "Invalid", message: message,
            details: StatusDetails(name: name, group: ServingAPI.group, kind: kind, causes: causes)
        )
    }
}
