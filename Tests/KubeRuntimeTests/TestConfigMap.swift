import KubeModel

/// A small typed core/v1 ConfigMap for the runtime tests (the runtime is generic over kinds).
struct TestConfigMap: KubeObject, Hashable {
    static let resource = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let kind = "ConfigMap"

    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta
    var data: [String: String]?

    init(namespace: String = "default", name: String, data: [String: String]? = nil, labels: [String: String]? = nil) {
        apiVersion = "v1"
        kind = "ConfigMap"
        metadata = ObjectMeta(name: name, namespace: namespace, labels: labels)
        self.data = data
    }
}
