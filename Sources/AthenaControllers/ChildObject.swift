import AthenaAPI

/// The kinds an OnlineService owns, as types, so one generic ``ChildObject`` can be cached by a
/// KubeRuntime informer for each of them without a hand-written model of every Kubernetes kind.
public protocol ChildKind: Sendable {
    /// Group, version and plural of the kind.
    static var resource: GroupVersionResource { get }
    /// The `kind` field.
    static var kind: String { get }
}

/// A child object (Deployment, Service, ConfigMap, NetworkPolicy) as the cache holds it: typed
/// metadata for the indexes plus the whole object as JSON, which is what the builders produce and
/// what ``ChildApplier/contains(_:_:)`` compares. `managedFields` is dropped on decode: the operator
/// never reads it and it is the bulkiest part of a real API server's objects.
public struct ChildObject<Kind: ChildKind>: KubeObject, Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.json == rhs.json }
    public func hash(into hasher: inout Hasher) { hasher.combine(json) }

    public static var resource: GroupVersionResource { Kind.resource }
    public static var kind: String { Kind.kind }

    /// The whole object (metadata included).
    public private(set) var json: JSONValue
    /// Decoded once: the cache's indexes read it on every insert.
    private var meta: ObjectMeta

    /// Wraps an object built as JSON (its metadata read leniently: builders always write valid metadata).
    public init(json: JSONValue) {
        self.json = json
        meta = (try? ObjectMeta(json: json["metadata"] ?? .object([:]))) ?? ObjectMeta()
    }

    public init(from decoder: any Decoder) throws {
        var value = try JSONValue(from: decoder)
        guard case .object = value else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath, debugDescription: "a \(Kind.kind) must be a JSON object"))
        }
        meta = ObjectMeta()
        if let metadata = value["metadata"] {
            meta = try ObjectMeta(json: metadata)
            value["metadata"]?["managedFields"] = nil
        }
        json = value
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    public var apiVersion: String? {
        get { json["apiVersion"]?.stringValue }
        set { json["apiVersion"] = newValue.map(JSONValue.string) }
    }

    public var kind: String? {
        get { json["kind"]?.stringValue }
        set { json["kind"] = newValue.map(JSONValue.string) }
    }

    public var metadata: ObjectMeta {
        get { meta }
        set {
            meta = newValue
            json["metadata"] = newValue.jsonValue
        }
    }
}

// MARK: - The owned kinds

/// `apps/v1` Deployments: one per version of a service.
public enum DeploymentKind: ChildKind {
    public static let resource = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    public static let kind = "Deployment"
}

/// Core `v1` Services: the headless engine Service per version and the NodePort front Service.
public enum ServiceKind: ChildKind {
    public static let resource = GroupVersionResource(group: "", version: "v1", resource: "services")
    public static let kind = "Service"
}

/// Core `v1` ConfigMaps: the routing table.
public enum ConfigMapKind: ChildKind {
    public static let resource = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    public static let kind = "ConfigMap"
}

/// `networking.k8s.io/v1` NetworkPolicies: engines reachable only from the service's gateways.
public enum NetworkPolicyKind: ChildKind {
    public static let resource = GroupVersionResource(group: "networking.k8s.io", version: "v1", resource: "networkpolicies")
    public static let kind = "NetworkPolicy"
}

/// A cached Deployment.
public typealias DeploymentObject = ChildObject<DeploymentKind>
/// A cached core Service.
public typealias ServiceObject = ChildObject<ServiceKind>
/// A cached ConfigMap.
public typealias ConfigMapObject = ChildObject<ConfigMapKind>
/// A cached NetworkPolicy.
public typealias NetworkPolicyObject = ChildObject<NetworkPolicyKind>
