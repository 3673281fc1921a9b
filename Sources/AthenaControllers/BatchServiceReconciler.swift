import AthenaAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging

/// Runs every BatchService as an indexed Job (``BatchJobBuilder``) and reports the Job's progress
/// as the BatchService's status. Level-triggered: each pass reads the spec, the application and
/// the cached Job, makes the Job exist, and writes the status only when it changes.
///
/// - invalid spec → `Failed`, reason `InvalidSpec` (every field error), one Warning Event;
/// - application missing, invalid or not allowing batch, or without what the input needs (a file
///   field for a folder or manifest, a request schema for CSV rows) → `Pending` with that reason
///   (re-checked when the application changes); no Job;
/// - otherwise the Job is created once (its pod template is immutable; a spec changed afterwards
///   does not touch it — delete and apply the BatchService to run again), with a `JobCreated`
///   Event, and the status follows it: `Pending/JobCreated` → `Running/JobRunning` →
///   `Completed/JobSucceeded` or `Failed/JobFailed` (`DeadlineExceeded` past `timeoutSeconds`),
///   each end with an Event. Deleting the BatchService deletes the Job (owner reference).
public struct BatchServiceReconciler: Reconciler {
    public let api: any KubeAPI
    public let caches: OperatorCaches
    public let options: BuildOptions
    public let events: EventRecorder
    public let now: @Sendable () -> Date
    /// Statuses written but not yet seen by the BatchService informer (key `namespace/name`).
    let statusWrites = RecentWrites<BatchService>()

    public init(api: any KubeAPI, caches: OperatorCaches, options: BuildOptions = BuildOptions(), events: EventRecorder,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.api = api
        self.caches = caches
        self.options = options
        self.events = events
        self.now = now
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var batch = caches.batchServices.store.get(key), batch.metadata.deletionTimestamp == nil else { return .done }
        if let written = statusWrites.pending(key.description, cachedVersion: batch.metadata.resourceVersion) {
            batch = written
        }
        let namespace = key.namespace ?? "default"
        let applications = caches.applications.store.list(namespace: namespace)
        let jobName = ChildNames.batchJob(batch: batch.metadata.name ?? "")
        var job = caches.jobs.store.get(ObjectKey(namespace: namespace, name: jobName))
        var jobGone = false
        if job == nil, batch.status?.jobName != nil {
            // It ran before: confirm it is gone (the cache may not have seen our create yet). A
            // deleted Job is not made again: that would run the whole batch a second time.
            do {
                job = try await api.get(JobObject.self, namespace: namespace, name: jobName)
            } catch let error as KubeError where error.isNotFound {
                jobGone = true
            }
        }
        if jobGone {
            return try await write(batch, Self.statusAfterJobDeleted(previous: batch.status, batch: batch, now: now()))
        }
        if job == nil, Self.precheck(batch, applications: applications) == nil {
            do {
                let desired = try BatchJobBuilder.build(batch, applications: applications, options: options)
                if case .created = try await ChildApplier(api: api).apply(desired) {
                    job = JobObject(json: desired)
                    await events.record(.normal, for: batch, reason: EventReason.jobCreated,
                                        message: "Job \(ChildNames.batchJob(batch: batch.metadata.name ?? "")) created with \(max(1, batch.spec.parallelism ?? 1)) shard(s)")
                }
            } catch let error as BuildError {
                return try await write(batch, Self.status(previous: batch.status, batch: batch, applications: applications, job: nil,
                                                          buildError: error, now: now()))
            }
        }
        return try await write(batch, Self.status(previous: batch.status, batch: batch, applications: applications, job: job,
                                                  buildError: nil, now: now()))
    }

    private func write(_ batch: BatchService, _ planned: (BatchServiceStatus, PlannedEvent?)) async throws -> ReconcileResult {
        let (status, event) = planned
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
        if let event { await events.record(event.type, for: batch, reason: event.reason, message: event.message) }
        return .done
    }

    // MARK: - Status

    /// Why no Job can run for `batch` now (phase, reason, message), or nil when one can.
    static func precheck(_ batch: BatchService, applications: [AIApplication]) -> (BatchServicePhase, String, String)? {
        let errors = batch.validate()
        if !errors.isEmpty { return (.failed, ConditionReason.invalidSpec, errors.summary) }
        if let problem = ServicePrecheck.applicationProblem(
            batch.spec.application, field: "spec.application", namespace: batch.metadata.namespace ?? "default",
            applications: applications, for: .batch)
        {
            return (.pending, problem.reason, problem.message)
        }
        if let application = applications.first(where: { $0.metadata.name == batch.spec.application }) {
            if batch.spec.withDefaults().input.type == .csv {
                if let problem = BatchJobBuilder.csvProblem(batch, application: application) {
                    return (.pending, ConditionReason.applicationNotDeployable, problem)
                }
            } else if BatchJobBuilder.inputField(of: application) == nil {
                return (.pending, ConditionReason.applicationNotDeployable, BatchJobBuilder.noFileField(batch.spec.application))
            }
        }
        return nil
    }

    /// The status once the Job that ran is gone: a finished batch keeps its status; an unfinished
    /// one failed (its pods went with the Job).
    static func statusAfterJobDeleted(previous: BatchServiceStatus?, batch: BatchService, now: Date) -> (BatchServiceStatus, PlannedEvent?) {
        var status = previous ?? BatchServiceStatus()
        if status.phase == .completed || status.phase == .failed { return (status, nil) }
        let generation = batch.metadata.generation ?? 0
        let message = "the Job \(status.jobName ?? "") was deleted before it finished; delete and apply the BatchService to run it again"
        var conditions = status.conditions ?? []
        let stamp = KubeTime.time(now)
        for (type, value) in [(ConditionType.ready, false), (ConditionType.progressing, false), (ConditionType.complete, true), (ConditionType.failed, true)] {
            conditions.set(Condition(type: type, status: value ? "True" : "False", reason: ConditionReason.jobFailed, message: message,
                                     observedGeneration: generation), now: stamp)
        }
        status.phase = .failed
        status.observedGeneration = generation
        status.conditions = conditions
        return (status, PlannedEvent(.warning, reason: EventReason.jobFailed, message: message))
    }

    /// The status for `batch` and the Event to record with it (a Warning when it newly became
    /// invalid or its Job failed; a Normal one when the Job succeeded).
    static func status(
        previous: BatchServiceStatus?, batch: BatchService, applications: [AIApplication], job: JobObject?, buildError: BuildError?,
        now: Date
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
        let before = previous?.conditions?[type: ConditionType.ready]
        var event: PlannedEvent?
        if let job {
            let progress = JobProgress(job)
            status.phase = progress.phase
            status.jobName = job.metadata.name
            status.startTime = progress.startTime ?? status.startTime
            status.completionTime = progress.completionTime
            set(ConditionType.ready, progress.phase == .completed, progress.reason, progress.message)
            set(ConditionType.progressing, progress.phase == .pending || progress.phase == .running, progress.reason, progress.message)
            set(ConditionType.complete, progress.phase == .completed || progress.phase == .failed, progress.reason, progress.message)
            set(ConditionType.failed, progress.phase == .failed, progress.reason, progress.message)
            if before?.reason != progress.reason {
                if progress.phase == .completed { event = PlannedEvent(.normal, reason: EventReason.jobSucceeded, message: progress.message) }
                if progress.phase == .failed { event = PlannedEvent(.warning, reason: EventReason.jobFailed, message: progress.message) }
            }
        } else {
            let (phase, reason, message) = buildError.map { (.failed, ConditionReason.invalidSpec, $0.message) }
                ?? precheck(batch, applications: applications)
                ?? (.pending, ConditionReason.jobCreated, "creating the Job")
            status.phase = phase
            set(ConditionType.ready, false, reason, message)
            set(ConditionType.progressing, false, reason, phase == .failed ? "nothing runs until the spec is fixed" : message)
            if phase == .failed, before?.reason != reason || before?.message != message {
                event = PlannedEvent(.warning, reason: EventReason.invalidSpec, message: message)
            }
        }
        status.conditions = conditions
        return (status, event)
    }
}

/// A batch Job's progress in the BatchService's terms, read from its status.
struct JobProgress {
    var phase: BatchServicePhase
    var reason: String
    var message: String
    var startTime: String?
    var completionTime: String?

    init(_ job: JobObject) {
        let json = job.json
        let status = json["status"]
        let spec = json["spec"]
        let shards = spec?["completions"]?.intValue ?? 1
        let conditions = status?["conditions"]?.arrayValue ?? []
        func condition(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        startTime = status?["startTime"]?.stringValue
        completionTime = status?["completionTime"]?.stringValue
        let succeeded = job.figures.succeeded ?? 0
        let active = job.figures.active ?? 0
        if let failed = condition("Failed") {
            phase = .failed
            let why = failed["reason"]?.stringValue ?? ""
            reason = why == "DeadlineExceeded" ? ConditionReason.deadlineExceeded : ConditionReason.jobFailed
            message = "Job failed (\(why.isEmpty ? "no reason given" : why)): \(failed["message"]?.stringValue ?? "")"
                + " — \(succeeded) of \(shards) shard(s) succeeded"
        } else if condition("Complete") != nil {
            phase = .completed
            reason = ConditionReason.jobSucceeded
            message = "all \(shards) shard(s) done; results and infer-result-<shard>.manifest in the output folder"
        } else if active > 0 || succeeded > 0 {
            phase = .running
            reason = ConditionReason.jobRunning
            message = "\(active) shard(s) running, \(succeeded) of \(shards) done"
        } else {
            phase = .pending
            reason = ConditionReason.jobCreated
            message = "Job created, waiting for its pods"
        }
    }
}
