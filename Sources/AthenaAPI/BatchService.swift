import KubeModel

/// An AIApplication run over a batch of inputs (a ModelArts "batch service"): becomes an indexed
/// Job whose driver feeds each input to the engine and writes one result per input plus a
/// result manifest.
public struct BatchService: KubeObject, Hashable {
    /// Group, version and plural used to build API paths.
    public static let resource = ServingAPI.resource("batchservices")
    /// The `kind` field value.
    public static let kind = "BatchService"

    /// Always `serving.athena.dev/v1alpha1` for objects built here.
    public var apiVersion: String?
    /// The kind, as sent by the API server.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The desired state, written by users.
    public var spec: BatchServiceSpec
    /// The observed state, written by the operator through `/status`.
    public var status: BatchServiceStatus?

    public init(name: String, namespace: String? = nil, spec: BatchServiceSpec, status: BatchServiceStatus? = nil) {
        apiVersion = ServingAPI.apiVersion
        kind = Self.kind
        metadata = ObjectMeta(name: name, namespace: namespace)
        self.spec = spec
        self.status = status
    }
}

/// The desired state of a BatchService.
public struct BatchServiceSpec: Codable, Sendable, Hashable {
    /// The AIApplication's name (same namespace).
    public var application: String
    /// Where the inputs are and how to read them.
    public var input: BatchInput
    /// Where the results go.
    public var output: BatchOutput
    /// Pods working at once (indexed Job completions are split between them); 1 by default.
    public var parallelism: Int?
    /// Overrides fields of the application's resources.
    public var resources: ResourceSpec?
    /// Extra engine environment.
    public var env: [EnvVar]?
    /// Deadline of the whole job; none by default.
    public var timeoutSeconds: Int?

    public init(
        application: String, input: BatchInput, output: BatchOutput, parallelism: Int? = nil,
        resources: ResourceSpec? = nil, env: [EnvVar]? = nil, timeoutSeconds: Int? = nil
    ) {
        self.application = application
        self.input = input
        self.output = output
        self.parallelism = parallelism
        self.resources = resources
        self.env = env
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Where the inputs are and how to read them.
public struct BatchInput: Codable, Sendable, Hashable {
    /// `pvc://<claim>/<path>` or an absolute path inside the pod.
    public var path: String
    /// Inferred from `path` when absent: `.manifest` → manifest, `.csv` → csv, else folder.
    public var type: BatchInputType?
    /// CSV only: request field → column (0-based index or header name).
    public var mapping: [String: IntOrString]?

    public init(path: String, type: BatchInputType? = nil, mapping: [String: IntOrString]? = nil) {
        self.path = path
        self.type = type
        self.mapping = mapping
    }
}

/// The shape of a batch input.
public enum BatchInputType: String, Codable, Sendable, Hashable, CaseIterable {
    /// Every file in the folder is one input.
    case folder
    /// JSON lines `{"source": "<path>"}`, one input each.
    case manifest
    /// One input per row; `mapping` says which column feeds which field.
    case csv
}

/// Where results go: `<name>_result.txt` per input and `infer-result-<task>.manifest`.
public struct BatchOutput: Codable, Sendable, Hashable {
    /// `pvc://<claim>/<path>` or an absolute path inside the pod.
    public var path: String

    public init(path: String) { self.path = path }
}

/// The observed state of a BatchService.
public struct BatchServiceStatus: Codable, Sendable, Hashable {
    /// Pending, Running, Completed or Failed.
    public var phase: BatchServicePhase?
    /// The `metadata.generation` this status describes.
    public var observedGeneration: Int64?
    /// `Ready`, `Progressing`, `Complete`, `Failed`.
    public var conditions: [Condition]?
    /// Inputs found.
    public var total: Int?
    /// Inputs processed successfully.
    public var succeeded: Int?
    /// Inputs that failed.
    public var failed: Int?
    /// When the Job started (RFC 3339).
    public var startTime: String?
    /// When the Job finished (RFC 3339).
    public var completionTime: String?
    /// The Job running the batch.
    public var jobName: String?
    /// The path of the `infer-result-<task>.manifest` written so far.
    public var outputManifest: String?

    public init(
        phase: BatchServicePhase? = nil, observedGeneration: Int64? = nil, conditions: [Condition]? = nil,
        total: Int? = nil, succeeded: Int? = nil, failed: Int? = nil
    ) {
        self.phase = phase
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
    }
}

/// Lifecycle phase of a BatchService.
public enum BatchServicePhase: String, Codable, Sendable, Hashable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case completed = "Completed"
    case failed = "Failed"
}
