import AthenaAPI

/// Names and labels of the objects an OnlineService owns. One place, so builders, reconciler and
/// tests agree. Version names are the AIApplication names (`RouteRule.version` refers to them).
public enum ChildNames {
    /// Port the gateway sidecar listens on inside every pod (front Service target).
    public static let gatewayPort = 8080
    /// Port of the front Service (`http`, targeting every gateway's named port).
    public static let frontServicePort = 80
    /// Used instead of `gatewayPort` when the engine itself listens on 8080 (HTTP engines default to it).
    public static let gatewayAlternatePort = 8090
    public static let routingFile = "routing.yaml"
    public static let routingMountPath = "/etc/athena/routing"
    public static let authMountPath = "/etc/athena/auth"
    public static let defaultModelMountPath = "/models"

    /// Deployment of one version: `<service>-<application>`.
    public static func deployment(service: String, application: String) -> String { "\(service)-\(application)" }
    /// Headless Service of one version's engines: `<service>-<application>-engine`.
    public static func engineService(service: String, application: String) -> String {
        "\(service)-\(application)-engine"
    }
    /// The NodePort Service in front of every version's gateways: the service's own name.
    public static func frontService(service: String) -> String { service }
    /// The routing-table ConfigMap: `<service>-routing`.
    public static func routingConfigMap(service: String) -> String { "\(service)-routing" }
    /// The NetworkPolicy guarding the engines: `<service>-engines`.
    public static func networkPolicy(service: String) -> String { "\(service)-engines" }

    /// The gateway port for an engine listening on `enginePort` (never the same port in one pod).
    public static func gatewayPort(enginePort: Int) -> Int {
        enginePort == gatewayPort ? gatewayAlternatePort : gatewayPort
    }

    // MARK: - Labels

    /// `app.kubernetes.io/name` of every child of an OnlineService (the operator's informers select on it).
    public static let serviceAppName = "athena-onlineservice"

    /// Labels on every child of the service.
    public static func labels(service: String, component: String) -> [String: String] {
        [
            LabelKey.name: serviceAppName,
            LabelKey.instance: service,
            LabelKey.component: component,
            LabelKey.managedBy: LabelKey.managedByValue,
            LabelKey.partOf: LabelKey.partOfValue,
            LabelKey.onlineService: service,
        ]
    }

    /// `app.kubernetes.io/name` of a BatchService's Job (the operator's Job informer selects on it).
    public static let batchAppName = "athena-batchservice"

    /// The Job of a BatchService: the BatchService's own name (`kubectl get job NAME`).
    public static func batchJob(batch: String) -> String { batch }

    /// Labels on a BatchService's Job and its pods.
    public static func batchLabels(batch: String) -> [String: String] {
        [
            LabelKey.name: batchAppName,
            LabelKey.instance: batch,
            LabelKey.component: "batch",
            LabelKey.managedBy: LabelKey.managedByValue,
            LabelKey.partOf: LabelKey.partOfValue,
        ]
    }

    /// Selects every pod of the service (all versions).
    public static func serviceSelector(service: String) -> [String: String] {
        [LabelKey.onlineService: service, LabelKey.role: "server"]
    }

    /// Selects the pods of one version.
    public static func versionSelector(service: String, application: String) -> [String: String] {
        serviceSelector(service: service).merging([LabelKey.application: application]) { $1 }
    }
}
