import AthenaAPI

/// What one reconcile of an OnlineService found out, the input of ``ServiceStatusMachine``.
/// Gathered from the informer caches and the child writes just made; no I/O happens after it.
public struct ServiceObservation: Sendable, Hashable {
    /// Why the service cannot be deployed at all (invalid spec, application missing or failed).
    public struct Blocked: Sendable, Hashable {
        /// A `ConditionReason`, also used as the Warning Event's reason.
        public var reason: String
        /// Exactly what is wrong (field paths and messages, or which application).
        public var message: String

        public init(reason: String, message: String) {
            self.reason = reason
            self.message = message
        }
    }

    /// The readiness of one version's Deployment.
    public struct Version: Sendable, Hashable {
        public var application: String
        public var weight: Int
        /// Replicas the spec asks for (0 when stopped).
        public var desired: Int
        public var readyReplicas: Int
        /// The Deployment rolled out the current spec and has every replica ready.
        public var ready: Bool
        /// The Deployment has no replica left at all (for Stopped).
        public var scaledDown: Bool

        public init(application: String, weight: Int, desired: Int, readyReplicas: Int, ready: Bool, scaledDown: Bool) {
            self.application = application
            self.weight = weight
            self.desired = desired
            self.readyReplicas = readyReplicas
            self.ready = ready
            self.scaledDown = scaledDown
        }
    }

    public var generation: Int64
    public var blocked: Blocked?
    public var stopped: Bool
    public var deployTimeoutSeconds: Int
    /// `spec.autoStop.after` in seconds; `nil` without auto-stop.
    public var autoStopSeconds: Double?
    public var versions: [Version]
    /// A Deployment was created or had its spec rewritten by this reconcile.
    public var deploymentsChanged: Bool
    /// In-cluster base URL of the front Service.
    public var url: String?
    /// The NodePort the front Service got (allocated or from the spec), once known.
    public var nodePort: Int?

    public init(
        generation: Int64, blocked: Blocked? = nil, stopped: Bool = false, deployTimeoutSeconds: Int = 1200,
        versions: [Version] = [], deploymentsChanged: Bool = false, url: String? = nil, nodePort: Int? = nil,
        autoStopSeconds: Double? = nil
    ) {
        self.generation = generation
        self.blocked = blocked
        self.stopped = stopped
        self.deployTimeoutSeconds = deployTimeoutSeconds
        self.autoStopSeconds = autoStopSeconds
        self.versions = versions
        self.deploymentsChanged = deploymentsChanged
        self.url = url
        self.nodePort = nodePort
    }

    /// Every version has all its replicas ready on the current spec.
    public var allReady: Bool { versions.allSatisfy(\.ready) }

    /// `digits-v1 1/2, digits-v2 0/1`: the short versions, for messages.
    public var shortVersions: String {
        versions.filter { !$0.ready }.map { "\($0.application) \($0.readyReplicas)/\($0.desired)" }
            .joined(separator: ", ")
    }
}
