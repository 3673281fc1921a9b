/// The API server's `Status` object: the body of every error response (and of a `DELETE`).
/// Kept whole so callers can tell NotFound from Conflict from Gone and read `causes`.
public struct Status: Codable, Sendable, Hashable, Error {
    public var kind: String?
    public var apiVersion: String?
    public var status: String?
    public var message: String?
    /// Machine-readable reason: `NotFound`, `AlreadyExists`, `Conflict`, `Gone`, `Invalid`,
    /// `Forbidden`, `Unauthorized`, `TooManyRequests`, `InternalError`, ...
    public var reason: String?
    public var details: StatusDetails?
    public var code: Int?

    public init(code: Int, reason: String, message: String, details: StatusDetails? = nil) {
        self.kind = "Status"
        self.apiVersion = "v1"
        self.status = "Failure"
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }
}

/// Extra detail of a `Status`: which object, which fields were invalid, when to retry.
public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    public init(
        name: String? = nil, group: String? = nil, kind: String? = nil, causes: [StatusCause]? = nil,
        retryAfterSeconds: Int? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One reason a request was invalid, e.g. `FieldValueRequired` at `spec.versions[0].weight`.
public struct StatusCause: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
