import Foundation

/// How to verify the server and how to prove who we are, as files or in-memory PEM bytes.
///
/// In-memory PEM is handed to libcurl through `CURLOPT_*_BLOB`, so no secret ever touches
/// the disk.
public struct TLSOptions: Sendable, Hashable {
    /// PEM bundle of trusted CAs, as a path.
    public var caFile: String?
    /// PEM bundle of trusted CAs, as bytes.
    public var caData: Data?
    /// Skip server certificate and host name verification (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    public var clientCertFile: String?
    public var clientCertData: Data?
    public var clientKeyFile: String?
    public var clientKeyData: Data?

    public init(
        caFile: String? = nil, caData: Data? = nil, insecureSkipVerify: Bool = false,
        clientCertFile: String? = nil, clientCertData: Data? = nil, clientKeyFile: String? = nil,
        clientKeyData: Data? = nil
    ) {
        self.caFile = caFile
        self.caData = caData
        self.insecureSkipVerify = insecureSkipVerify
        self.clientCertFile = clientCertFile
        self.clientCertData = clientCertData
        self.clientKeyFile = clientKeyFile
        self.clientKeyData = clientKeyData
    }
}

/// Settings shared by every request of one `CurlTransport`.
public struct TransportConfiguration: Sendable {
    public var tls: TLSOptions
    /// Sent as `Authorization: Bearer ...` unless the request sets its own `Authorization`.
    public var bearerToken: String?
    /// Limit on establishing the TCP + TLS connection.
    public var connectTimeout: Duration
    public var userAgent: String
    /// How many idle easy handles (and so kept-alive connections) to keep for reuse.
    public var maxIdleHandles: Int

    public init(
        tls: TLSOptions = TLSOptions(), bearerToken: String? = nil, connectTimeout: Duration = .seconds(10),
        userAgent: String = "athena-serving", maxIdleHandles: Int = 8
    ) {
        self.tls = tls
        self.bearerToken = bearerToken
        self.connectTimeout = connectTimeout
        self.userAgent = userAgent
        self.maxIdleHandles = maxIdleHandles
    }
}
