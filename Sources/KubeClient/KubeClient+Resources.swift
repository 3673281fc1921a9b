import Foundation
import KubeModel

/// The body of a list response.
struct ListBody<T: Decodable>: Decodable {
    var kind: String?
    var metadata: ListMeta?
    var items: [T]?
}

/// The body of a `DELETE`.
struct DeleteBody: Encodable {
    struct Preconditions: Encodable {
        var uid: String?
        var resourceVersion: String?
    }
    var kind = "DeleteOptions"
    var apiVersion = "v1"
    var propagationPolicy: String?
    var preconditions: Preconditions?

    init(_ options: DeleteOptions) {
        propagationPolicy = options.propagationPolicy?.rawValue
        if options.preconditionUID != nil || options.preconditionResourceVersion != nil {
            preconditions = Preconditions(uid: options.preconditionUID, resourceVersion: options.preconditionResourceVersion)
        }
    }
}

// MARK: - Shared implementation of typed and unstructured calls

extension KubeClient {
    /// The namespace a single-object call uses: the given one for namespaced resources, falling
    /// back to the configuration's default; none for cluster-scoped resources.
    func effectiveNamespace(_ resource: GroupVersionResource, _ namespace: String?) -> String? {
        guard resource.namespaced else { return nil }
        if let namespace, !namespace.isEmpty { return namespace }
        return config.namespace
    }

    func getObject<T: Decodable>(_ type: T.Type, _ resource: GroupVersionResource, namespace: String?, name: String)
        async throws(KubeError) -> T
    {
        let path = ResourcePath.path(resource, namespace: effectiveNamespace(resource, namespace), name: name)
        let data = try await perform("GET", path)
        return try Self.decode(T.self, from: data, what: "GET \(path) response")
    }

    func listObjects<T: Decodable & Sendable>(
        _ type: T.Type, _ resource: GroupVersionResource, namespace: String?, options: ListOptions
    ) async throws(KubeError) -> (list: ObjectList<T>, kind: String?) {
        let path =
            ResourcePath.path(resource, namespace: namespace)
            + ResourcePath.encode(ResourcePath.query(options, watch: false))
        let data = try await perform("GET", path)
        let body = try Self.decode(ListBody<T>.self, from: data, what: "GET \(path) list response")
        let list = ObjectList(
            items: body.items ?? [], resourceVersion: body.metadata?.resourceVersion ?? "",
            continue: body.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 })
        return (list, body.kind)
    }

    func writeObject<T: Codable>(
        _ method: String, _ object: T, _ resource: GroupVersionResource, namespace: String?, name: String?,
        subresource: String? = nil
    ) async throws(KubeError) -> T {
        let path = ResourcePath.path(
            resource, namespace: effectiveNamespace(resource, namespace), name: name, subresource: subresource)
        let body = try Self.encode(object, what: "\(method) \(path) body")
        let data = try await perform(method, path, body: body)
        return try Self.decode(T.self, from: data, what: "\(method) \(path) response")
    }

    func patchObject<T: Decodable>(
        _ type: T.Type, _ resource: GroupVersionResource, namespace: String?, name: String, mergePatch: JSONValue,
        subresource: String?
    ) async throws(KubeError) -> T {
        let path = ResourcePath.path(
            resource, namespace: effectiveNamespace(resource, namespace), name: name, subresource: subresource)
        let body = try Self.encode(mergePatch, what: "merge patch for \(path)")
        let data = try await perform("PATCH", path, body: body, contentType: "application/merge-patch+json")
        return try Self.decode(T.self, from: data, what: "PATCH \(path) response")
    }

    func deleteObject(_ resource: GroupVersionResource, namespace: String?, name: String, options: DeleteOptions)
        async throws(KubeError)
    {
        let path = ResourcePath.path(resource, namespace: effectiveNamespace(resource, namespace), name: name)
        let body = try Self.encode(DeleteBody(options), what: "DeleteOptions")
        _ = try await perform("DELETE", path, body: body)
    }
}
