/// A typed Kubernetes object: knows its API coordinates and carries `metadata`.
///
/// Typed objects (CRDs, Deployments) and `UnstructuredObject` both conform, so the client,
/// cache and controllers work on either.
public protocol KubeObject: Codable, Sendable {
    /// The resource coordinates (group, version, plural) used to build URLs.
    static var resource: GroupVersionResource { get }
    /// The `kind` field, e.g. `OnlineService`.
    static var kind: String { get }
    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: ObjectMeta { get set }
}

extension KubeObject {
    /// `namespace/name`, or `name` for cluster-scoped objects: the work-queue and cache key.
    public var key: String {
        if let ns = metadata.namespace, !ns.isEmpty { return "\(ns)/\(metadata.name ?? "")" }
        return metadata.name ?? ""
    }
}

/// Group, version and plural resource name, plus whether the resource is namespaced.
public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String
    public var namespaced: Bool

    public init(group: String, version: String, resource: String, namespaced: Bool = true) {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespaced = namespaced
    }

    /// `v1` for the core group, `group/version` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? "\(resource).\(version)" : "\(resource).\(version).\(group)" }
}
