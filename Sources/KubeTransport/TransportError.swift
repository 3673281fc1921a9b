/// The request got no (complete) HTTP answer. Carries libcurl's own message, which names the
/// host, the port and the reason ("Failed to connect to 127.0.0.1 port 1: Connection refused").
public struct TransportError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for callers that decide whether to retry.
    public enum Code: Sendable, Hashable {
        case couldNotResolveHost
        case couldNotConnect
        case timedOut
        case tls
        /// The transfer was cancelled by us (task cancelled or stream dropped).
        case cancelled
        /// The connection broke or the server sent something that is not HTTP.
        case connectionLost
        case invalidRequest
        case other
    }

    public var code: Code
    public var message: String
    /// libcurl's `CURLcode`, 0 when the error did not come from libcurl.
    public var curlCode: Int

    public init(code: Code, message: String, curlCode: Int = 0) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String { message }
}
