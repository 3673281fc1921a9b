/// Kubernetes Event reasons for lifecycle news (DESIGN.md: deploy started, started successfully,
/// deploy timeout, update failed → rolled back, auto-stop armed / fired, stopped, started).
public enum EventReason {
    /// A deploy (first or after a spec change) began.
    public static let deployStarted = "DeployStarted"
    /// Every version became ready; the service is Running.
    public static let deploySucceeded = "DeploySucceeded"
    /// The deploy did not finish within `deployTimeoutSeconds`.
    public static let deployTimeout = "DeployTimeout"
    /// An update could not be applied.
    public static let updateFailed = "UpdateFailed"
    /// After a failed update, the previous revision was restored.
    public static let rolledBack = "RolledBack"
    /// Auto-stop is scheduled (`status.autoStopAt`).
    public static let autoStopArmed = "AutoStopArmed"
    /// Auto-stop stopped the service.
    public static let autoStopFired = "AutoStopFired"
    /// `spec.autoStop` was removed while armed.
    public static let autoStopOff = "AutoStopOff"
    /// `spec.stopped` took effect: no replicas remain.
    public static let stopped = "Stopped"
    /// A stopped service was started again.
    public static let started = "Started"
    /// The spec failed validation; the message lists the problems.
    public static let invalidSpec = "InvalidSpec"
    /// Deletion waits until no service references the application.
    public static let deletionBlocked = "DeletionBlocked"
    /// The batch Job was created.
    public static let jobCreated = "JobCreated"
    /// The batch Job processed every input.
    public static let jobSucceeded = "JobSucceeded"
    /// The batch Job failed.
    public static let jobFailed = "JobFailed"
}
