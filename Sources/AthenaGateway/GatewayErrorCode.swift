public import HTTPTypes

/// Every error code the gateway puts in `header.code`, with the HTTP status it travels with.
///
/// 10xxx are gateway/framework codes (AIGES / iFlytek webgate numbering kept where one exists:
/// 10105, 10106, 10114, 10160, 10161, 10163, 10222, 10700); 30xxx come from the wrapper/SDK and
/// are passed through (`EngineCodeRange`). The table is published in `docs/error-codes.md`.
public enum GatewayErrorCode: Int, Sendable, CaseIterable {
    /// Caller not authenticated or not allowed.
    case unauthorized = 10105
    /// Request shape not understood (wrong protocol path, unsupported content type, bad multipart).
    case invalidRequest = 10106
    /// The engine did not answer within the service timeout.
    case timeout = 10114
    /// The body is not valid JSON.
    case malformedJSON = 10160
    /// A payload field is not valid base64.
    case invalidBase64 = 10161
    /// A field is missing, wrongly typed or out of its schema's range.
    case schemaViolation = 10163
    /// Engine unreachable or the connection broke mid-request.
    case engineUnreachable = 10222
    /// No service by that name, or no such route.
    case notFound = 10404
    /// HTTP method not allowed on the route.
    case methodNotAllowed = 10405
    /// Body larger than `limits.maxBodyBytes`.
    case bodyTooLarge = 10413
    /// Too many requests (rate limit).
    case rateLimited = 10429
    /// Every endpoint is at its concurrency limit and none freed up within the queue timeout.
    case overloaded = 10503
    /// No healthy engine endpoint for the chosen version.
    case noHealthyEndpoint = 10504
    /// The engine failed without a code of its own, or answered something the gateway cannot read.
    case engineError = 10700
    /// A bug or unexpected state in the gateway.
    case internalError = 10999

    /// The HTTP status sent with this code.
    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .unauthorized: .unauthorized
        case .invalidRequest, .malformedJSON, .invalidBase64, .schemaViolation: .badRequest
        case .timeout: .gatewayTimeout
        case .engineUnreachable: .badGateway
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .bodyTooLarge: .contentTooLarge
        case .rateLimited: .tooManyRequests
        case .overloaded, .noHealthyEndpoint: .serviceUnavailable
        case .engineError, .internalError: .internalServerError
        }
    }

    /// A short stable name for logs and metrics.
    public var name: String { String(describing: self) }
}

/// How codes returned by an engine map onto HTTP statuses.
public enum EngineCodeRange {
    /// Wrapper codes meaning "your input was rejected" (AIGES-style 30xxx client faults).
    public static let clientFault = 30400...30499
    /// "Engine still loading": the engine did not run the request; another endpoint may.
    public static let notReady = 30010

    /// 400 for client-fault codes (and gateway 4xx codes an engine may echo), 500 otherwise.
    public static func httpStatus(forEngineCode code: Int) -> HTTPResponse.Status {
        if clientFault.contains(code) { return .badRequest }
        if code == notReady { return .serviceUnavailable }
        if let known = GatewayErrorCode(rawValue: code), known.httpStatus.code < 500 { return known.httpStatus }
        return .internalServerError
    }
}

/// An error answered to the client as an ASE response: a code, a message and a status.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var status: HTTPResponse.Status
    /// Headers the answer carries besides the usual ones (`WWW-Authenticate` with a 401,
    /// `Retry-After` with a 429).
    public var headers: [(name: String, value: String)] = []

    public init(_ code: GatewayErrorCode, _ message: String, headers: [(name: String, value: String)] = []) {
        self.code = code.rawValue
        self.message = message
        self.status = code.httpStatus
        self.headers = headers
    }

    /// An error that came from the engine: its own code, a status from `EngineCodeRange`.
    public init(engineCode: Int, message: String) {
        self.code = engineCode
        self.message = message
        self.status = EngineCodeRange.httpStatus(forEngineCode: engineCode)
    }

    public var description: String { "\(code) \(message)" }
}
