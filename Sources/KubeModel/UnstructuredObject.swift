/// Any object as plain JSON, for kinds the program has no type for.
///
/// Decoding validates that `metadata`, when present, is well-formed `ObjectMeta`, so an object
/// read from the server never carries metadata the accessors below would misread.
public struct UnstructuredObject: Codable, Sendable, Hashable {
    public var json: JSONValue

    public init(json: JSONValue) { self.json = json }

    public init(from decoder: any Decoder) throws {
        json = try JSONValue(from: decoder)
        guard case .object = json else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "a Kubernetes object must be a JSON object"))
        }
        if let metadata = json["metadata"] {
            _ = try ObjectMeta(json: metadata)
        }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    /// The object's metadata. Reading is a lenient projection of `json["metadata"]` (a member of
    /// the wrong type reads as absent; `ObjectMeta(json:)` is the strict form); writing replaces it.
    public var metadata: ObjectMeta {
        get { ObjectMeta(projecting: json["metadata"] ?? .object([:])) }
        set { json["metadata"] = newValue.jsonValue }
    }

    public var apiVersion: String? {
        get { json["apiVersion"]?.stringValue }
        set { json["apiVersion"] = newValue.map(JSONValue.string) }
    }

    public var kind: String? {
        get { json["kind"]?.stringValue }
        set { json["kind"] = newValue.map(JSONValue.string) }
    }

    public var name: String? { json[path: ["metadata", "name"]]?.stringValue }
    public var namespace: String? { json[path: ["metadata", "namespace"]]?.stringValue }
    public var resourceVersion: String? { json[path: ["metadata", "resourceVersion"]]?.stringValue }

    /// `namespace/name`, or `name` when cluster-scoped: the same key typed objects use.
    public var key: String {
        if let ns = namespace, !ns.isEmpty { return "\(ns)/\(name ?? "")" }
        return name ?? ""
    }
}
