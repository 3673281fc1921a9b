/// An environment variable for a container: a literal `value`, or `valueFrom` a Secret key,
/// ConfigMap key or pod field (the subset of core/v1 `EnvVar` an inference engine needs).
public struct EnvVar: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// Where an environment variable's value comes from.
public struct EnvVarSource: Codable, Sendable, Hashable {
    public var secretKeyRef: KeySelector?
    public var configMapKeyRef: KeySelector?
    public var fieldRef: FieldSelector?

    public init(secretKeyRef: KeySelector? = nil, configMapKeyRef: KeySelector? = nil, fieldRef: FieldSelector? = nil) {
        self.secretKeyRef = secretKeyRef
        self.configMapKeyRef = configMapKeyRef
        self.fieldRef = fieldRef
    }
}

/// A key of a Secret or ConfigMap in the object's namespace.
public struct KeySelector: Codable, Sendable, Hashable {
    public var name: String
    public var key: String
    public var optional: Bool?

    public init(name: String, key: String, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// A field of the pod, e.g. `metadata.name` or `status.podIP`.
public struct FieldSelector: Codable, Sendable, Hashable {
    public var fieldPath: String

    public init(fieldPath: String) { self.fieldPath = fieldPath }
}

/// A Secret in the object's namespace.
public struct SecretReference: Codable, Sendable, Hashable {
    public var name: String

    public init(name: String) { self.name = name }
}
