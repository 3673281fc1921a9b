import AthenaAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging

/// Gives every BatchService an honest status while this operator does not run batch Jobs yet:
/// a user who applies one learns at once whether it is valid and whether its application is usable,
/// and that nothing will run it here (the same batch runs locally with `athena batch`), instead
/// of an object that never gets a status.
///
/// - invalid spec → `Failed`, reason `InvalidSpec` (every field error), one Warning Event;
/// - application missing, invalid or not allowing batch → `Pending`, reason `ApplicationNotFound`,
///   `ApplicationFailed` or `ApplicationNotDeployable` (re-checked when the application changes);
/// - otherwise → `Pending`, reason `NotImplemented`.
/// Written only when it changes, like the OnlineService status.
public struct BatchServiceReconciler: Reconciler {
    public let api: any KubeAPI
    public let caches: OperatorCaches
    public let events: EventRecorder
    public let now: @Sendable () -> Date
    /// Statuses written but not yet seen by the BatchService informer (key `namespace/name`).
    let statusWrites = RecentWrites<BatchService>()

    public init(api: any KubeAPI, caches: OperatorCaches, events: EventRecorder, now: @escaping @Sendable () -> Date = { Date() }) {
        self.api = api
        self.caches = caches
        self.events = events
        self.now = now
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var batch = caches.batchServices.store.get(key), batch.metadata.deletionTimestamp == nil else { return .done }
        if let written = statusWrites.pending(key.description, cachedVersion: batch.metadata.resourceVersion) {
            batch = written
        }
        let applications = caches.applications.store.list(namespace: key.namespace ?? "default")
        let (status, warning) = Self.status(previous: batch.status, batch: batch, applications: applications, now: now())
        guard status != batch.status else { return .done }
        var updated = batch
        updated.status = status
        let stored: BatchService
        do {
            stored = try await api.updateStatus(updated)
        } catch let error as KubeError where error.isNotFound {
            return .done
        }
        statusWrites.remember(batch.key, before: batch.metadata.resourceVersion, value: stored, version: stored.metadata.resourceVersion)
        if let warning { await events.record(.warning, for: batch, reason: warning.reason, message: warning.message) }
        return .done
    }

    /// The status for `batch`, and the Warning Event to record when it newly became invalid.
    static func status(
        previous: BatchServiceStatus?, batch: BatchService, applications: [AIApplication], now: Date
    ) -> (BatchServiceStatus, PlannedEvent?) {
        var status = previous ?? BatchServiceStatus()
        let generation = batch.metadata.generation ?? 0
        status.observedGeneration = generation
        var conditions = status.conditions ?? []
        let stamp = KubeTime.time(now)
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            conditions.set(Condition(type: type, status: value ? "True" : "False", reason: reason, message: message,
                                     observedGeneration: generation), now: stamp)
        }
        let (phase, reason, message) = verdict(batch, applications: applications)
        let before = previous?.conditions?[type: ConditionType.ready]
        status.phase = phase
        set(ConditionType.ready, false, reason, message)
        set(ConditionType.progressing, false, reason, phase == .failed ? "nothing runs until the spec is fixed" : message)
        status.conditions = conditions
        let newlyInvalid = phase == .failed && (before?.reason != reason || before?.message != message)
        return (status, newlyInvalid ? PlannedEvent(.warning, reason: EventReason.invalidSpec, message: message) : nil)
    }

    private static func verdict(_ batch: BatchService, applications: [AIApplication]) -> (BatchServicePhase, String, String) {
        let errors = batch.validate()
        if !errors.isEmpty { return (.failed, ConditionReason.invalidSpec, errors.summary) }
        if let problem = ServicePrecheck.applicationProblem(
            batch.spec.application, field: "spec.application", namespace: batch.metadata.namespace ?? "default",
            applications: applications, for: .batch)
        {
            return (.pending, problem.reason, problem.message)
        }
        return (.pending, ConditionReason.notImplemented,
                "valid, but this operator version runs no batch Job yet; run the same batch locally with "
                    + "`athena batch <app folder> --input <folder or .manifest> --output <folder>`")
    }
}
