import KubeModel

/// The observed state of an OnlineService.
public struct OnlineServiceStatus: Codable, Sendable, Hashable {
    /// Deploying, Running, Warning, Failed, Stopping or Stopped.
    public var phase: OnlineServicePhase?
    /// The `metadata.generation` this status describes.
    public var observedGeneration: Int64?
    /// `Ready`, `Progressing`, `Degraded`.
    public var conditions: [Condition]?
    /// Where clients call the service, e.g. `http://<node>:30080/v1/private/<service>`.
    public var url: String?
    /// One entry per `spec.versions` entry, in the same order.
    public var versions: [VersionStatus]?
    /// Desired engine replicas over all versions.
    public var replicas: Int?
    /// Ready engine replicas over all versions.
    public var readyReplicas: Int?
    /// `readyReplicas/replicas`, e.g. `3/4` (the `Ready` printer column).
    public var ready: String?
    /// `<versions with every replica ready>/<versions>`, e.g. `1/2` (the `Versions` column).
    public var readyVersions: String?
    /// When the current deploy started (RFC 3339); the deploy timeout counts from here.
    public var deployStartedAt: String?
    /// When the service last reached `Stopped`.
    public var stoppedAt: String?
    /// When auto-stop will fire, while armed.
    public var autoStopAt: String?

    public init(
        phase: OnlineServicePhase? = nil, observedGeneration: Int64? = nil, conditions: [Condition]? = nil,
        url: String? = nil, versions: [VersionStatus]? = nil
    ) {
        self.phase = phase
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.url = url
        self.versions = versions
        summarize()
    }

    /// Recomputes `replicas`, `readyReplicas`, `ready` and `readyVersions` from `versions`, so
    /// the printer columns can never disagree with the per-version figures.
    public mutating func summarize() {
        guard let versions else {
            replicas = nil
            readyReplicas = nil
            ready = nil
            readyVersions = nil
            return
        }
        let desired = versions.reduce(0) { $0 + ($1.replicas ?? 0) }
        let readyCount = versions.reduce(0) { $0 + ($1.readyReplicas ?? 0) }
        // A version scaled to zero (stopped) serves nothing, so it does not count as ready.
        let readyVersionCount = versions.filter { version in
            let wanted = version.replicas ?? 0
            return wanted > 0 && (version.readyReplicas ?? 0) >= wanted
        }.count
        replicas = desired
        readyReplicas = readyCount
        ready = "\(readyCount)/\(desired)"
        readyVersions = "\(readyVersionCount)/\(versions.count)"
    }
}

/// Lifecycle phase of an OnlineService.
public enum OnlineServicePhase: String, Codable, Sendable, Hashable, CaseIterable {
    /// Versions are being created or rolled out.
    case deploying = "Deploying"
    /// Every version has all its ready replicas.
    case running = "Running"
    /// Serving, but some version is short of ready replicas.
    case warning = "Warning"
    /// The spec is invalid, an application is missing or failed, or the deploy timed out.
    case failed = "Failed"
    /// `spec.stopped` is set and replicas are going away.
    case stopping = "Stopping"
    /// Every replica is gone; the objects are kept.
    case stopped = "Stopped"
}

/// The observed state of one version.
public struct VersionStatus: Codable, Sendable, Hashable {
    /// The AIApplication of this version.
    public var application: String
    /// Its traffic share, percent.
    public var weight: Int?
    /// Desired engine replicas.
    public var replicas: Int?
    /// Engine replicas ready to serve.
    public var readyReplicas: Int?

    public init(application: String, weight: Int? = nil, replicas: Int? = nil, readyReplicas: Int? = nil) {
        self.application = application
        self.weight = weight
        self.replicas = replicas
        self.readyReplicas = readyReplicas
    }
}
