import AthenaAPI
import Foundation

/// The kinds an OnlineService owns, as types, so one generic ``ChildObject`` can be cached by a
/// KubeRuntime informer for each of them without a hand-written model of every Kubernetes kind.
public protocol ChildKind: Sendable {
    /// Group, version and plural of the kind.
    static var resource: GroupVersionResource { get }
    /// The `kind` field.
    static var kind: String { get }
    /// The few integers reconciles read on every pass (replica counts, a node port), taken out
    /// once at decode so reading them never parses the stored bytes.
    static func figures(of object: JSONValue) -> ChildFigures
}

extension ChildKind {
    public static func figures(of object: JSONValue) -> ChildFigures { ChildFigures() }
}

/// Integers of a child that reconciles read often (nil when absent).
public struct ChildFigures: Sendable, Hashable {
    /// Deployment `spec.replicas`.
    public var specReplicas: Int?
    /// Deployment `status.observedGeneration`, `status.replicas`, `readyReplicas`, `updatedReplicas`.
    public var observedGeneration: Int?
    public var replicas: Int?
    public var readyReplicas: Int?
    public var updatedReplicas: Int?
    /// Service `spec.ports[0].nodePort`.
    public var nodePort: Int?
    /// Job `status.active`, `status.succeeded`, `status.failed` (pods).
    public var active: Int?
    public var succeeded: Int?
    public var failed: Int?

    public init() {}
}

/// A child object (Deployment, Service, ConfigMap, NetworkPolicy) as the cache holds it: typed
/// metadata for the indexes plus the whole object as compact JSON bytes, parsed into the
/// ``JSONValue`` the builders produce (what ``ChildApplier/contains(_:_:)`` compares) only when a
/// reconcile looks at it. Bytes rather than a tree because the cache holds every child of every
/// service: for 1,000 two-version services the trees took ~59 MiB, the bytes take ~11 MiB.
/// `managedFields` is dropped on decode: the operator never reads it and it is the bulkiest part of
/// a real API server's objects.
public struct ChildObject<Kind: ChildKind>: KubeObject, Hashable {
    public static var resource: GroupVersionResource { Kind.resource }
    public static var kind: String { Kind.kind }

    /// The whole object (metadata included) as compact JSON.
    public private(set) var body: Data
    /// Decoded once: the cache's indexes read it on every insert.
    private var meta: ObjectMeta
    private var kindField: String?
    /// See ``ChildKind/figures(of:)``.
    public private(set) var figures: ChildFigures
    private var apiVersionField: String?

    /// Wraps an object built as JSON (its metadata read leniently: builders always write valid metadata).
    public init(json: JSONValue) {
        meta = (try? ObjectMeta(json: json["metadata"] ?? .object([:]))) ?? ObjectMeta()
        kindField = json["kind"]?.stringValue
        apiVersionField = json["apiVersion"]?.stringValue
        figures = Kind.figures(of: json)
        body = Self.compact(json)
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
        kindField = value["kind"]?.stringValue
        apiVersionField = value["apiVersion"]?.stringValue
        figures = Kind.figures(of: value)
        body = Self.compact(value)
    }

    /// The whole object as JSON (parsed from ``body`` on every call: keep the result while you need it).
    public var json: JSONValue {
        (try? JSONValue.parse(body)) ?? .object([:])
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }

    public var apiVersion: String? {
        get { apiVersionField }
        set { apiVersionField = newValue; rewrite { $0["apiVersion"] = newValue.map(JSONValue.string) } }
    }

    public var kind: String? {
        get { kindField }
        set { kindField = newValue; rewrite { $0["kind"] = newValue.map(JSONValue.string) } }
    }

    public var metadata: ObjectMeta {
        get { meta }
        set { meta = newValue; rewrite { $0["metadata"] = newValue.jsonValue } }
    }

    private mutating func rewrite(_ change: (inout JSONValue) -> Void) {
        var value = json
        change(&value)
        figures = Kind.figures(of: value)
        body = Self.compact(value)
    }

    private static func compact(_ value: JSONValue) -> Data {
        CompactJSON.data(value)
    }
}

// MARK: - The owned kinds

/// `apps/v1` Deployments: one per version of a service.
public enum DeploymentKind: ChildKind {
    public static let resource = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    public static let kind = "Deployment"

    public static func figures(of object: JSONValue) -> ChildFigures {
        var figures = ChildFigures()
        figures.specReplicas = object["spec"]?["replicas"]?.intValue
        let status = object["status"]
        figures.observedGeneration = status?["observedGeneration"]?.intValue
        figures.replicas = status?["replicas"]?.intValue
        figures.readyReplicas = status?["readyReplicas"]?.intValue
        figures.updatedReplicas = status?["updatedReplicas"]?.intValue
        return figures
    }
}

/// Core `v1` Services: the headless engine Service per version and the NodePort front Service.
public enum ServiceKind: ChildKind {
    public static let resource = GroupVersionResource(group: "", version: "v1", resource: "services")
    public static let kind = "Service"

    public static func figures(of object: JSONValue) -> ChildFigures {
        var figures = ChildFigures()
        figures.nodePort = object["spec"]?["ports"]?.arrayValue?.first?["nodePort"]?.intValue
        return figures
    }
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

/// `batch/v1` Jobs: one indexed Job per BatchService.
public enum JobKind: ChildKind {
    public static let resource = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
    public static let kind = "Job"

    public static func figures(of object: JSONValue) -> ChildFigures {
        var figures = ChildFigures()
        let status = object["status"]
        figures.active = status?["active"]?.intValue
        figures.succeeded = status?["succeeded"]?.intValue
        figures.failed = status?["failed"]?.intValue
        return figures
    }
}

/// A cached Deployment.
public typealias DeploymentObject = ChildObject<DeploymentKind>
/// A cached batch Job.
public typealias JobObject = ChildObject<JobKind>
/// A cached core Service.
public typealias ServiceObject = ChildObject<ServiceKind>
/// A cached ConfigMap.
public typealias ConfigMapObject = ChildObject<ConfigMapKind>
/// A cached NetworkPolicy.
public typealias NetworkPolicyObject = ChildObject<NetworkPolicyKind>
