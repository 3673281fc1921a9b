// The API types are built from KubeModel's (ObjectMeta, Condition, JSONValue), so importing
// AthenaAPI brings them along.
@_exported import KubeModel

/// The API coordinates of Athena's custom resources, shared by the operator, the gateway and the
/// CLI so every component spells them the same way.
public enum ServingAPI {
    /// The API group of every Athena custom resource.
    public static let group = "serving.athena.dev"
    /// The only served (and storage) version.
    public static let version = "v1alpha1"
    /// `group/version`, the `apiVersion` field of every object.
    public static let apiVersion = "\(group)/\(version)"
    /// The finalizer the operator puts on objects whose clean-up reaches outside their owner tree
    /// (an AIApplication still referenced by a service).
    public static let finalizer = "serving.athena.dev/finalizer"
    /// The field manager the operator writes with, so server-side ownership is attributable.
    public static let fieldManager = "athena-operator"
    /// The `kubectl get` category that lists every Athena kind (`kubectl get athena`).
    public static let category = "athena"

    /// The resource coordinates of a kind in this group.
    static func resource(_ plural: String) -> GroupVersionResource {
        GroupVersionResource(group: group, version: version, resource: plural, namespaced: true)
    }
}
