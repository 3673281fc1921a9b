import KubeModel

/// One version of a model and its engine (a ModelArts "AI application"): what image to run, how
/// to reach and probe it, what it accepts and returns, and what it needs. Services reference it
/// by name.
public struct AIApplication: KubeObject, Hashable {
    /// Group, version and plural used to build API paths.
    public static let resource = ServingAPI.resource("aiapplications")
    /// The `kind` field value.
    public static let kind = "AIApplication"

    /// Always `serving.athena.dev/v1alpha1` for objects built here.
    public var apiVersion: String?
    /// The kind, as sent by the API server.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state, written by users.
    public var spec: AIApplicationSpec
    /// The observed state, written by the operator through `/status`.
    public var status: AIApplicationStatus?

    public init(name: String, namespace: String? = nil, spec: AIApplicationSpec, status: AIApplicationStatus? = nil) {
        apiVersion = ServingAPI.apiVersion
        kind = Self.kind
        metadata = ObjectMeta(name: name, namespace: namespace)
        self.spec = spec
        self.status = status
    }
}

/// The desired state of an AIApplication.
public struct AIApplicationSpec: Codable, Sendable, Hashable {
    /// The model version, e.g. `1.0.0` (label `app.kubernetes.io/version` on its pods).
    public var version: String
    public var description: String?
    /// The engine container.
    public var runtime: RuntimeSpec?
    /// A model package to fetch into the pod.
    public var model: ModelSource?
    /// The request/response contract (ModelArts `config.json` `apis`).
    public var apis: [ModelAPI]?
    /// Probes of the engine.
    public var health: HealthSpec?
    /// Per-replica resources; a service version may override them.
    public var resources: ResourceSpec?
    /// Quality figures of the model.
    public var metrics: ModelMetrics?
    /// Which services may run it; both by default.
    public var deployTypes: [DeployType]?

    public init(
        version: String, description: String? = nil, runtime: RuntimeSpec? = nil, model: ModelSource? = nil,
        apis: [ModelAPI]? = nil, health: HealthSpec? = nil, resources: ResourceSpec? = nil,
        metrics: ModelMetrics? = nil, deployTypes: [DeployType]? = nil
    ) {
        self.version = version
        self.description = description
        self.runtime = runtime
        self.model = model
        self.apis = apis
        self.health = health
        self.resources = resources
        self.metrics = metrics
        self.deployTypes = deployTypes
    }
}

/// The observed state of an AIApplication.
public struct AIApplicationStatus: Codable, Sendable, Hashable {
    /// Pending until validated, then Ready or Failed.
    public var phase: AIApplicationPhase?
    /// The `metadata.generation` this status describes.
    public var observedGeneration: Int64?
    /// `Ready`, `SchemaValid`, `InUse`.
    public var conditions: [Condition]?
    /// The services that use this application (deletion waits for them).
    public var referencedBy: [ResourceReference]?

    public init(
        phase: AIApplicationPhase? = nil, observedGeneration: Int64? = nil, conditions: [Condition]? = nil,
        referencedBy: [ResourceReference]? = nil
    ) {
        self.phase = phase
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.referencedBy = referencedBy
    }
}

/// Lifecycle phase of an AIApplication.
public enum AIApplicationPhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// Not validated yet.
    case pending = "Pending"
    /// Valid and usable by services.
    case ready = "Ready"
    /// Invalid; a condition says why.
    case failed = "Failed"
}

/// A service in the same namespace, by kind and name.
public struct ResourceReference: Codable, Sendable, Hashable, Comparable {
    /// `OnlineService` or `BatchService`.
    public var kind: String
    /// The service's name.
    public var name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    public static func < (lhs: ResourceReference, rhs: ResourceReference) -> Bool {
        (lhs.kind, lhs.name) < (rhs.kind, rhs.name)
    }
}
