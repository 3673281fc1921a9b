/// A pointer to another object (`core/v1 ObjectReference`), e.g. an Event's `involvedObject`.
public struct ObjectReference: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var fieldPath: String?

    public init(
        apiVersion: String? = nil, kind: String? = nil, name: String? = nil, namespace: String? = nil,
        uid: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }

    /// A reference to `object`, using its type's apiVersion and kind when the object's own
    /// fields are empty (list items and freshly built objects often lack them).
    public init<T: KubeObject>(for object: T) {
        self.init(
            apiVersion: object.apiVersion ?? T.resource.apiVersion, kind: object.kind ?? T.kind,
            name: object.metadata.name, namespace: object.metadata.namespace, uid: object.metadata.uid,
            resourceVersion: object.metadata.resourceVersion)
    }
}
