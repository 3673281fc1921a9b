/// An environment variable for a container: a literal `value`, or `valueFrom` a Secret key,
/// ConfigMap key or pod field (the subset of core/v1 `EnvVar` an inference engine needs).
public struct EnvVar: Codable, Sendable, Hashable {
    /// The name of the variable or object.
    public var name: String
    /// A literal value.
    public var value: String?
    /// A value read from a Secret, ConfigMap or pod field.
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// Where an environment variable's value comes from.
public struct EnvVarSource: Codable, Sendable, Hashable {
    /// A key of a Secret.
    public var secretKeyRef: KeySelector?
    /// A key of a ConfigMap.
    public var configMapKeyRef: KeySelector?
    /// A field of the pod.
    public var fieldRef: FieldSelector?

    public init(secretKeyRef: KeySelector? = nil, configMapKeyRef: KeySelector? = nil, fieldRef: FieldSelector? = nil) {
        self.secretKeyRef = secretKeyRef
        self.configMapKeyRef = configMapKeyRef
        self.fieldRef = fieldRef
    }
}

/// A key of a Secret or ConfigMap in the object's namespace.
public struct KeySelector: Codable, Sendable, Hashable {
    /// The name of the variable or object.
    public var name: String
    /// The key within the object.
    public var key: String
    /// Whether a missing object or key is tolerated.
    public var optional: Bool?

    public init(name: String, key: String, optional: Bool? = nil) {
        self.name = name
        self.key = key
        self.optional = optional
    }
}

/// A field of the pod, e.g. `metadata.name` or `status.podIP`.
public struct FieldSelector: Codable, Sendable, Hashable {
    /// The pod field, e.g. `status.podIP`.
    public var fieldPath: String

    public init(fieldPath: String) { self.fieldPath = fieldPath }
}

/// A Secret in the object's namespace.
public struct SecretReference: Codable, Sendable, Hashable {
    /// The name of the variable or object.
    public var name: String

    public init(name: String) { self.name = name }
}
