import KubeModel

/// The seam between everything that talks to a Kubernetes API server and the server itself.
///
/// `KubeClient` implements it over libcurl; the controller runtime and the reconcilers only see
/// this protocol, so their tests can also run against a `Fake*` or `Recording*` double.
/// All calls throw `KubeError`; an error response from the server keeps its `Status`.
public protocol KubeAPI: Sendable {
    func get<T: KubeObject>(_ type: T.Type, namespace: String?, name: String) async throws -> T
    func list<T: KubeObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws -> ObjectList<T>
    func create<T: KubeObject>(_ object: T) async throws -> T
    /// PUT of the whole object; 409 `Conflict` when its resourceVersion is stale.
    func update<T: KubeObject>(_ object: T) async throws -> T
    /// PUT to the `/status` subresource.
    func updateStatus<T: KubeObject>(_ object: T) async throws -> T
    /// JSON merge patch (RFC 7386), optionally of a subresource such as `status`.
    func patch<T: KubeObject>(
        _ type: T.Type, namespace: String?, name: String, mergePatch: JSONValue, subresource: String?
    ) async throws -> T
    func delete<T: KubeObject>(_ type: T.Type, namespace: String?, name: String, options: DeleteOptions) async throws
    /// A watch from `options.resourceVersion`; ends when the server closes the stream.
    /// Reconnecting and relisting is the reflector's job (KubeRuntime), not this call's.
    func watch<T: KubeObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws
        -> WatchStream<T>

    // Unstructured access for any group/version/resource, CRDs included.
    func get(_ resource: GroupVersionResource, namespace: String?, name: String) async throws -> UnstructuredObject
    func list(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) async throws
        -> ObjectList<UnstructuredObject>
    func create(_ resource: GroupVersionResource, _ object: UnstructuredObject) async throws -> UnstructuredObject
    func update(_ resource: GroupVersionResource, _ object: UnstructuredObject) async throws -> UnstructuredObject
    func patch(
        _ resource: GroupVersionResource, namespace: String?, name: String, mergePatch: JSONValue, subresource: String?
    ) async throws -> UnstructuredObject
    func delete(_ resource: GroupVersionResource, namespace: String?, name: String, options: DeleteOptions) async throws
}

/// Options of list and watch calls.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var `continue`: String?
    public var resourceVersion: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continue: String? = nil,
        resourceVersion: String? = nil, timeoutSeconds: Int? = nil, allowWatchBookmarks: Bool = false
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continue = `continue`
        self.resourceVersion = resourceVersion
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }
}

/// Options of a delete call.
public struct DeleteOptions: Sendable, Hashable {
    public enum PropagationPolicy: String, Sendable {
        case orphan = "Orphan", background = "Background", foreground = "Foreground"
    }
    public var propagationPolicy: PropagationPolicy?
    /// Delete only if the object still has this uid / resourceVersion.
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?

    public init(
        propagationPolicy: PropagationPolicy? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil
    ) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
    }
}

/// A list response: items plus the list's resourceVersion and continue token.
public struct ObjectList<T: Sendable>: Sendable {
    public var items: [T]
    public var resourceVersion: String
    public var `continue`: String?

    public init(items: [T], resourceVersion: String, continue: String? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continue = `continue`
    }
}
