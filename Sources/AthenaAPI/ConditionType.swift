/// Condition `type` names used in the status of Athena resources (API conventions: CamelCase,
/// positive polarity, `Ready` as the summary).
public enum ConditionType {
    /// The object does what it is for: the application is usable, the service answers, the batch
    /// finished successfully.
    public static let ready = "Ready"
    /// The operator is moving the world towards the spec (deploying, rolling out, running a job).
    public static let progressing = "Progressing"
    /// Running, but below what the spec asks (some replicas short, a version failing).
    public static let degraded = "Degraded"
    /// AIApplication: `apis` request/response schemas and the rest of the spec are valid.
    public static let schemaValid = "SchemaValid"
    /// AIApplication: some OnlineService or BatchService references it (deletion is blocked).
    public static let inUse = "InUse"
    /// BatchService: the job finished (successfully or not).
    public static let complete = "Complete"
    /// BatchService: the job failed or timed out.
    public static let failed = "Failed"
}
