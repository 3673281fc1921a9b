import KubeModel

/// Builders of the `Status` bodies the real API server answers with, word for word where tests
/// or `kubectl` might read them.
enum APIErrors {
    static func notFound(_ type: ResourceType, _ name: String) -> Status {
        Status(
            code: 404, reason: "NotFound", message: "\(type.qualifiedResource) \"\(name)\" not found",
            details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static func namespaceNotFound(_ namespace: String) -> Status {
        Status(
            code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found",
            details: StatusDetails(name: namespace, group: "", kind: "namespaces"))
    }

    static func alreadyExists(_ type: ResourceType, _ name: String) -> Status {
        Status(
            code: 409, reason: "AlreadyExists", message: "\(type.qualifiedResource) \"\(name)\" already exists",
            details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static func conflict(_ type: ResourceType, _ name: String, _ why: String) -> Status {
        Status(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(type.qualifiedResource) \"\(name)\": \(why)",
            details: StatusDetails(name: name, group: type.group, kind: type.plural))
    }

    static func staleResourceVersion(_ type: ResourceType, _ name: String) -> Status {
        conflict(
            type, name,
            "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// 422 Invalid: `Kind.group "name" is invalid: field: message` (several causes in `[...]`).
    static func invalid(_ type: ResourceType, _ name: String, _ causes: [StatusCause]) -> Status {
        let parts = causes.map { cause -> String in
            let field = cause.field ?? ""
            return field.isEmpty ? (cause.message ?? "") : "\(field): \(cause.message ?? "")"
        }
        let joined = parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
        return Status(
            code: 422, reason: "Invalid", message: "\(type.qualifiedKind) \"\(name)\" is invalid: \(joined)",
            details: StatusDetails(name: name, group: type.group, kind: type.kind, causes: causes))
    }

    static func badRequest(_ message: String) -> Status {
        Status(code: 400, reason: "BadRequest", message: message)
    }

    static func forbidden(_ message: String) -> Status {
        Status(code: 403, reason: "Forbidden", message: message)
    }

    static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource")
        -> Status
    {
        Status(code: 405, reason: "MethodNotAllowed", message: message)
    }

    static func unsupportedMediaType(_ contentType: String) -> Status {
        Status(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                + (contentType.isEmpty ? "" : " (got \(contentType))"))
    }

    static func gone(_ message: String) -> Status {
        Status(code: 410, reason: "Expired", message: message)
    }

    static func pathNotFound() -> Status {
        Status(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    static func internalError(_ message: String) -> Status {
        Status(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    /// The reason the real server pairs with an HTTP code, for injected faults.
    static func reason(forCode code: Int) -> String {
        switch code {
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 409: "Conflict"
        case 410: "Expired"
        case 415: "UnsupportedMediaType"
        case 422: "Invalid"
        case 429: "TooManyRequests"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: "InternalError"
        }
    }

    /// One cause of a 422, in the real server's wording (`Required value`, `Invalid value: ...`).
    static func cause(_ reason: CauseReason, field: String, _ message: String) -> StatusCause {
        StatusCause(reason: reason.rawValue, message: message, field: field)
    }

    enum CauseReason: String {
        case required = "FieldValueRequired"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case duplicate = "FieldValueDuplicate"
        case typeInvalid = "FieldValueTypeInvalid"
    }
}
