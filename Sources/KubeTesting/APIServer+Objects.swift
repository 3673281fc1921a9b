import Foundation
import KubeModel

/// Direct access to the cluster state, without HTTP and without entries in the request log:
/// for seeding fixtures and asserting on results. Same semantics (and watch events) as the
/// HTTP API. Errors are the `Status` the HTTP API would answer.
extension APIServer {
    /// Creates an object; its `apiVersion` and `kind` pick the resource (CRD kinds included),
    /// `metadata.namespace` the namespace.
    @discardableResult
    public func create(_ object: JSONValue) throws(Status) -> JSONValue {
        try store.withCluster { cluster throws(Status) in
            let type = try Self.resolve(object, in: cluster)
            return Cluster.view(
                try cluster.create(type, namespace: object[path: ["metadata", "namespace"]]?.stringValue, body: object),
                as: type)
        }
    }

    /// The object, or nil when it does not exist.
    public func get(_ resource: GroupVersionResource, namespace: String?, name: String) -> JSONValue? {
        store.read { cluster in
            guard let type = cluster.resourceType(group: resource.group, version: resource.version, plural: resource.resource),
                let object = cluster.object(type, cluster.key(type, namespace: namespace, name: name))
            else { return nil }
            return Cluster.view(object, as: type)
        }
    }

    /// All objects of a resource (in one namespace, or all), sorted by namespace and name.
    public func list(_ resource: GroupVersionResource, namespace: String? = nil) -> [JSONValue] {
        store.read { cluster in
            guard let type = cluster.resourceType(group: resource.group, version: resource.version, plural: resource.resource)
            else { return [] }
            return (try? cluster.list(type, ListRequest(namespace: namespace)).items) ?? []
        }
    }

    /// PUT semantics: 409 on a stale `metadata.resourceVersion` (omit it to overwrite).
    @discardableResult
    public func update(_ object: JSONValue) throws(Status) -> JSONValue {
        try put(object, subresource: nil)
    }

    /// PUT to `/status`: only `status` is taken from `object`.
    @discardableResult
    public func updateStatus(_ object: JSONValue) throws(Status) -> JSONValue {
        try put(object, subresource: "status")
    }

    /// DELETE with the API's semantics (finalizers, garbage collection, preconditions).
    public func delete(
        _ resource: GroupVersionResource, namespace: String?, name: String, propagationPolicy: String? = nil
    ) throws(Status) {
        _ = try store.withCluster { cluster throws(Status) -> JSONValue in
            guard let type = cluster.resourceType(group: resource.group, version: resource.version, plural: resource.resource)
            else { throw APIErrors.pathNotFound() }
            return try cluster.delete(type, namespace: namespace, name: name, request: DeleteRequest(propagationPolicy: propagationPolicy))
        }
    }

    private func put(_ object: JSONValue, subresource: String?) throws(Status) -> JSONValue {
        try store.withCluster { cluster throws(Status) in
            let type = try Self.resolve(object, in: cluster)
            let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
            return Cluster.view(
                try cluster.update(
                    type, namespace: object[path: ["metadata", "namespace"]]?.stringValue, name: name, body: object,
                    subresource: subresource),
                as: type)
        }
    }

    static func resolve(_ object: JSONValue, in cluster: Cluster) throws(Status) -> ResourceType {
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        let kind = object["kind"]?.stringValue ?? ""
        guard let type = cluster.resourceType(apiVersion: apiVersion, kind: kind) else {
            throw APIErrors.badRequest("no resource serves apiVersion \"\(apiVersion)\" kind \"\(kind)\"")
        }
        return type
    }
}
