import KubeModel

/// Everything a Kubernetes API call can fail with, each case naming what went wrong.
public enum KubeError: Error, Sendable, CustomStringConvertible {
    /// The server answered with an error `Status` (NotFound, Conflict, Gone, Invalid, ...).
    case api(Status)
    /// The request never got an HTTP answer: DNS, connect, TLS, timeout (libcurl's message).
    case transport(String)
    /// The server answered, but the body is not what the call expected.
    case decoding(String)
    /// The kubeconfig or in-cluster configuration is missing or malformed.
    case config(String)

    public var description: String {
        switch self {
        case .api(let s): "API error \(s.code ?? 0) \(s.reason ?? "Unknown"): \(s.message ?? "")"
        case .transport(let m): "transport error: \(m)"
        case .decoding(let m): "decoding error: \(m)"
        case .config(let m): "configuration error: \(m)"
        }
    }

    /// The server's `Status.reason`, if this is an API error.
    public var reason: String? {
        if case .api(let s) = self { return s.reason }
        return nil
    }

    public var isNotFound: Bool { reason == "NotFound" }
    public var isConflict: Bool { reason == "Conflict" }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    public var isGone: Bool { reason == "Gone" || (apiStatus?.code == 410) }

    public var apiStatus: Status? {
        if case .api(let s) = self { return s }
        return nil
    }
}
