/// The engine container of an AIApplication: what to run and how the gateway talks to it.
public struct RuntimeSpec: Codable, Sendable, Hashable {
    /// The engine image. May be omitted when `model.uri` is set: the operator then runs its
    /// default engine image (the Athena Python SDK) over the fetched model package.
    public var image: String?
    /// Overrides the image's entrypoint.
    public var command: [String]?
    /// Arguments to the entrypoint.
    public var args: [String]?
    /// Environment of the container.
    public var env: [EnvVar]?
    /// How the gateway reaches the engine; `grpc` (the Athena engine protocol) by default.
    public var `protocol`: EngineProtocolKind?
    /// The engine's listening port; defaults to 50051 for `grpc` and 8080 for `http`.
    public var port: Int?
    /// How the gateway batches requests to a `grpc` engine (`InferBatch`); the routing table's
    /// defaults (one call in flight, batches of up to 32) when absent.
    public var batching: BatchingSpec?

    public init(
        image: String? = nil, command: [String]? = nil, args: [String]? = nil, env: [EnvVar]? = nil,
        protocol: EngineProtocolKind? = nil, port: Int? = nil, batching: BatchingSpec? = nil
    ) {
        self.image = image
        self.command = command
        self.args = args
        self.env = env
        self.protocol = `protocol`
        self.port = port
        self.batching = batching
    }
}

/// Request batching to one engine replica: `maxCallsInFlight` calls at once, and the requests
/// that arrive while they run go out together as one `InferBatch` of up to `maxBatchSize`.
/// A Python engine runs one request at a time (keep 1 call in flight); a wrapper that waits on
/// I/O wants more; `maxBatchSize: 1` turns batching off. `maxDelayMicroseconds` bounds how long
/// a freed call slot waits for the clients of the batch it just answered (see `EngineBatching`).
public struct BatchingSpec: Codable, Sendable, Hashable {
    public var maxBatchSize: Int?
    public var maxCallsInFlight: Int?
    public var maxDelayMicroseconds: Int?

    /// Ranges accepted (the routing table's own).
    public static let batchSizeRange = EngineBatching.batchSizeRange
    public static let callsInFlightRange = EngineBatching.callsInFlightRange
    public static let delayMicrosecondsRange = EngineBatching.delayMicrosecondsRange

    public init(maxBatchSize: Int? = nil, maxCallsInFlight: Int? = nil, maxDelayMicroseconds: Int? = nil) {
        self.maxBatchSize = maxBatchSize
        self.maxCallsInFlight = maxCallsInFlight
        self.maxDelayMicroseconds = maxDelayMicroseconds
    }
}

/// The protocol between the gateway and an engine.
public enum EngineProtocolKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// `athena.engine.v1` over gRPC, with `grpc.health.v1`.
    case grpc
    /// A plain HTTP engine that takes the declared JSON or multipart request.
    case http

    /// The port an engine of this protocol listens on unless told otherwise.
    public var defaultPort: Int {
        switch self {
        case .grpc: 50051
        case .http: 8080
        }
    }
}

/// A model package fetched into the pod before the engine starts.
public struct ModelSource: Codable, Sendable, Hashable {
    /// `http(s)://…` (an archive or file, downloaded by an init container) or
    /// `pvc://<claim>[/<sub/path>]` (a PersistentVolumeClaim mounted read-only).
    public var uri: String
    /// Where the engine sees the model; `/models` by default.
    public var mountPath: String?

    /// Where a model is mounted unless `mountPath` says otherwise.
    public static let defaultMountPath = "/models"

    public init(uri: String, mountPath: String? = nil) {
        self.uri = uri
        self.mountPath = mountPath
    }
}

/// Quality figures of the model, shown to users choosing a version (ModelArts `metrics`).
public struct ModelMetrics: Codable, Sendable, Hashable {
    /// 0–1.
    public var accuracy: Double?
    /// 0–1.
    public var precision: Double?
    /// 0–1.
    public var recall: Double?
    /// 0–1.
    public var f1: Double?

    public init(accuracy: Double? = nil, precision: Double? = nil, recall: Double? = nil, f1: Double? = nil) {
        self.accuracy = accuracy
        self.precision = precision
        self.recall = recall
        self.f1 = f1
    }
}

/// The kinds of service an application may be deployed as.
public enum DeployType: String, Codable, Sendable, Hashable, CaseIterable {
    /// Real-time, behind an OnlineService.
    case online
    /// Offline, inside a BatchService.
    case batch
}
