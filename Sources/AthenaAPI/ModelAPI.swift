import KubeModel

/// One API of an application, in the shape of a ModelArts `config.json` `apis` entry: the request
/// and response bodies are described by JSON Schema, which the gateway validates and publishes.
public struct ModelAPI: Codable, Sendable, Hashable {
    /// `http` or `https` (informational, kept for ModelArts compatibility).
    public var `protocol`: String?
    /// The request path, `/` by default.
    public var url: String?
    /// The HTTP method, `POST` by default (any case).
    public var method: String?
    /// The request body.
    public var request: ModelAPIMessage?
    /// The response body.
    public var response: ModelAPIMessage?

    /// The path when `url` is absent.
    public static let defaultURL = "/"
    /// The method when `method` is absent.
    public static let defaultMethod = "POST"
    /// Methods an API may declare (compared case-insensitively).
    public static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    public init(
        protocol: String? = nil, url: String? = nil, method: String? = nil, request: ModelAPIMessage? = nil,
        response: ModelAPIMessage? = nil
    ) {
        self.protocol = `protocol`
        self.url = url
        self.method = method
        self.request = request
        self.response = response
    }
}

/// A request or response body: its content type and the JSON Schema of its data.
public struct ModelAPIMessage: Codable, Sendable, Hashable {
    /// `application/json` (default) or `multipart/form-data` (file uploads).
    public var contentType: String?
    /// The JSON Schema of the body. ModelArts' `"type": "file"` extension is allowed.
    public var data: JSONValue?

    /// The content type when `Content-type` is absent.
    public static let defaultContentType = "application/json"
    /// Content types an API may declare.
    public static let contentTypes = ["application/json", "multipart/form-data"]

    enum CodingKeys: String, CodingKey {
        case contentType = "Content-type"
        case data
    }

    public init(contentType: String? = nil, data: JSONValue? = nil) {
        self.contentType = contentType
        self.data = data
    }
}
