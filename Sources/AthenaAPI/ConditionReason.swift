/// Condition `reason` values (CamelCase, one word a machine can switch on; the `message` carries
/// the human detail).
public enum ConditionReason {
    // MARK: - Common
    /// The spec failed validation; the message lists every field error.
    public static let invalidSpec = "InvalidSpec"
    /// Everything the spec asks for exists and is current.
    public static let reconciled = "Reconciled"
    /// A referenced AIApplication does not exist.
    public static let applicationNotFound = "ApplicationNotFound"
    /// A referenced AIApplication exists but is not Ready yet.
    public static let applicationNotReady = "ApplicationNotReady"
    /// A referenced AIApplication is Failed.
    public static let applicationFailed = "ApplicationFailed"
    /// A referenced AIApplication's `deployTypes` does not allow this kind of service.
    public static let applicationNotDeployable = "ApplicationNotDeployable"

    // MARK: - AIApplication
    /// The `apis` schemas are valid JSON Schema.
    public static let schemaValid = "SchemaValid"
    /// An `apis` schema is not valid JSON Schema.
    public static let schemaInvalid = "SchemaInvalid"
    /// At least one service references the application.
    public static let referenced = "Referenced"
    /// No service references the application.
    public static let notReferenced = "NotReferenced"
    /// Deletion waits until no service references the application.
    public static let deletionBlocked = "DeletionBlocked"

    // MARK: - OnlineService
    /// Versions are being created or rolled out.
    public static let deploying = "Deploying"
    /// Every version has all its ready replicas.
    public static let running = "Running"
    /// Some version has fewer ready replicas than desired.
    public static let replicasUnavailable = "ReplicasUnavailable"
    /// The service did not become Running within `deployTimeoutSeconds`.
    public static let deployTimeout = "DeployTimeout"
    /// `spec.stopped` is set and replicas are going to zero.
    public static let stopping = "Stopping"
    /// `spec.stopped` is set and every replica is gone.
    public static let stopped = "Stopped"
    /// `autoStop.after` elapsed and the service was stopped.
    public static let autoStopped = "AutoStopped"
    /// A routing rule does not parse or targets an unknown version.
    public static let invalidRoutingRule = "InvalidRoutingRule"
    /// Version weights do not sum to 100.
    public static let invalidWeights = "InvalidWeights"
    /// An object the service needs exists under another controller (a name clash).
    public static let childConflict = "ChildConflict"
    /// An update failed and the previous revision was kept.
    public static let updateFailed = "UpdateFailed"

    // MARK: - BatchService
    /// The Job was created and is waiting for pods.
    public static let jobCreated = "JobCreated"
    /// The Job's pods are running.
    public static let jobRunning = "JobRunning"
    /// Every input was processed.
    public static let jobSucceeded = "JobSucceeded"
    /// The Job failed.
    public static let jobFailed = "JobFailed"
    /// The Job ran past `timeoutSeconds`.
    public static let deadlineExceeded = "DeadlineExceeded"
}
