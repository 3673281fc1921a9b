/// Label keys put on every object the operator creates, so `kubectl get -l` and the operator's
/// own caches can find an object's children (Kubernetes recommended labels plus Athena's own).
public enum LabelKey {
    // MARK: - Kubernetes recommended labels
    /// The application's name, e.g. the OnlineService name.
    public static let name = "app.kubernetes.io/name"
    /// A unique name for this instance of the application.
    public static let instance = "app.kubernetes.io/instance"
    /// The role within the architecture: `engine`, `gateway`, `batch`.
    public static let component = "app.kubernetes.io/component"
    /// The tool that manages the object: always `athena-operator` for our children.
    public static let managedBy = "app.kubernetes.io/managed-by"
    /// The higher-level product: always `athena-serving`.
    public static let partOf = "app.kubernetes.io/part-of"
    /// The AIApplication's `spec.version`.
    public static let version = "app.kubernetes.io/version"

    // MARK: - Athena labels
    /// The OnlineService a child belongs to.
    public static let onlineService = "serving.athena.dev/onlineservice"
    /// The BatchService a child belongs to.
    public static let batchService = "serving.athena.dev/batchservice"
    /// The AIApplication a Deployment or Job runs.
    public static let application = "serving.athena.dev/application"
    /// The role of a pod inside a service: `engine` or `gateway`.
    public static let role = "serving.athena.dev/role"

    // MARK: - Values
    /// The value of `app.kubernetes.io/managed-by` on everything the operator creates.
    public static let managedByValue = "athena-operator"
    /// The value of `app.kubernetes.io/part-of`.
    public static let partOfValue = "athena-serving"
}

/// Annotation keys Athena reads or writes.
public enum AnnotationKey {
    /// A hash of the desired child spec, so a reconcile can tell drift from an unchanged world.
    public static let specHash = "serving.athena.dev/spec-hash"
    /// The generation of the owner a child was built from.
    public static let ownerGeneration = "serving.athena.dev/owner-generation"
}
