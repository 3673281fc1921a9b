import Foundation
import KubeModel
import KubeTransport
import Logging

/// `KubeAPI` over HTTP: builds API paths, encodes objects as JSON, maps error responses to
/// `KubeError.api(Status)`, and turns watch streams into `WatchStream`s.
///
/// Retry policy: only `429 TooManyRequests` is retried here, up to `maxThrottleRetries` times,
/// sleeping for the server's `Retry-After` (default 1 s, capped at `maxRetryAfter`). After that
/// the 429 surfaces as `KubeError.api` with `details.retryAfterSeconds` set. Everything else
/// (conflicts, 5xx, transport errors) is the caller's decision, i.e. the work queue's backoff.
public final class KubeClient: KubeAPI {
    public let config: KubeConfig
    public let maxThrottleRetries: Int
    public let maxRetryAfter: Duration
    /// Limit on each non-watch request.
    public let requestTimeout: Duration
    let transport: any HTTPTransport
    let logger: Logger
    private let tokens: TokenSource
    private let baseURL: String

    /// - Parameters:
    ///   - transport: defaults to a `CurlTransport` configured from `config.tls`.
    ///   - userAgent: the `User-Agent` of the default transport; give each process its own (e.g.
    ///     `athena-operator/<identity>`) so audit logs can tell replicas apart, as client-go does.
    public init(
        config: KubeConfig, transport: (any HTTPTransport)? = nil, requestTimeout: Duration = .seconds(60),
        maxThrottleRetries: Int = 3, maxRetryAfter: Duration = .seconds(10),
        userAgent: String = "athena-serving",
        logger: Logger = Logger(label: "athena.kube-client")
    ) {
        self.config = config
        self.transport = transport
            ?? CurlTransport(configuration: TransportConfiguration(tls: config.tls, userAgent: userAgent))
        self.requestTimeout = requestTimeout
        self.maxThrottleRetries = maxThrottleRetries
        self.maxRetryAfter = maxRetryAfter
        self.logger = logger
        self.tokens = TokenSource(token: config.token, file: config.tokenFile)
        var base = config.server
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    /// A client from `KubeConfig.load` (explicit path → `$KUBECONFIG` → `~/.kube/config` → in-cluster).
    public static func fromEnvironment(kubeconfigPath: String? = nil, context: String? = nil) throws(KubeError)
        -> KubeClient
    {
        KubeClient(config: try KubeConfig.load(kubeconfigPath: kubeconfigPath, context: context))
    }

    // MARK: - Requests

    /// Sends one request and returns the 2xx body; error statuses become `KubeError.api`.
    func perform(_ method: String, _ pathAndQuery: String, body: Data? = nil, contentType: String = "application/json")
        async throws(KubeError) -> Data
    {
        let request = try makeRequest(method, pathAndQuery, body: body, contentType: contentType, timeout: requestTimeout)
        var attempt = 0
        while true {
            let response: HTTPResponse
            do {
                response = try await transport.send(request)
            } catch {
                throw Self.transportError(error)
            }
            if (200..<300).contains(response.status) { return response.body }
            let status = Self.status(from: response, method: method, path: pathAndQuery)
            if response.status == 429, attempt < maxThrottleRetries {
                attempt += 1
                let wait = min(Duration.seconds(status.details?.retryAfterSeconds ?? 1), maxRetryAfter)
                logger.debug("throttled by the API server, retrying", metadata: ["path": "\(pathAndQuery)", "after": "\(wait)"])
                do { try await Task.sleep(for: wait) } catch { throw .transport("\(method) \(pathAndQuery): cancelled while throttled") }
                continue
            }
            throw .api(status)
        }
    }

    func makeRequest(_ method: String, _ pathAndQuery: String, body: Data?, contentType: String, timeout: Duration?)
        throws(KubeError) -> HTTPRequest
    {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if body != nil { headers.add(name: "Content-Type", value: contentType) }
        if let token = try tokens.token() { headers.add(name: "Authorization", value: "Bearer \(token)") }
        return HTTPRequest(method: method, url: baseURL + pathAndQuery, headers: headers, body: body, timeout: timeout)
    }

    // MARK: - Error mapping

    static func transportError(_ error: any Error) -> KubeError {
        if let error = error as? KubeError { return error }
        if let error = error as? TransportError { return .transport(error.message) }
        if error is CancellationError { return .transport("cancelled") }
        return .transport("\(error)")
    }

    /// The server's `Status` when the body is one; otherwise a `Status` made from the HTTP code
    /// and the start of the body, so the caller still sees what happened.
    static func status(from response: HTTPResponse, method: String, path: String) -> Status {
        let retryAfter = response.headers["Retry-After"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if var status = try? JSONDecoder().decode(Status.self, from: response.body),
            status.kind == "Status" || status.reason != nil
        {
            if status.code == nil { status.code = response.status }
            if let retryAfter, status.details?.retryAfterSeconds == nil {
                var details = status.details ?? StatusDetails()
                details.retryAfterSeconds = retryAfter
                status.details = details
            }
            return status
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let message = "HTTP \(response.status) from \(method) \(path)" + (text.isEmpty ? "" : ": \(text)")
        return Status(
            code: response.status, reason: reason(forHTTPStatus: response.status), message: message,
            details: retryAfter.map { StatusDetails(retryAfterSeconds: $0) })
    }

    /// The `Status.reason` Kubernetes uses for an HTTP code.
    static func reason(forHTTPStatus code: Int) -> String {
        switch code {
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 406: "NotAcceptable"
        case 409: "Conflict"
        case 410: "Gone"
        case 413: "RequestEntityTooLarge"
        case 415: "UnsupportedMediaType"
        case 422: "Invalid"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        case 504: "Timeout"
        default: "Unknown"
        }
    }

    // MARK: - Coding

    static func encode(_ value: some Encodable, what: String) throws(KubeError) -> Data {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(value)
        } catch {
            throw .decoding("cannot encode \(what) as JSON: \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String) throws(KubeError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw .decoding("\(what): \(KubeConfig.describe(error))")
        } catch {
            throw .decoding("\(what): \(error)")
        }
    }
}
