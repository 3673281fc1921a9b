import AthenaAPI
import Foundation

/// The OnlineService's status as a pure function of (previous status, observation, now): phase,
/// conditions, per-version counts, and the lifecycle Events of the transition. No I/O, so the
/// whole lifecycle (deploy, success, short replicas, timeout, stop, start again) is table-tested
/// with a manual clock, and an unchanged world gives a byte-identical status (nothing to write).
///
/// Phases: `Deploying` → `Running` when every version is ready; `Warning` when a version falls short
/// after Running; `Failed` on an invalid spec, a missing/failed application or a deploy timeout;
/// `Stopping` → `Stopped` while `spec.stopped`. Auto-stop is armed and found due here too
/// (`ServiceStatusMachine+AutoStop.swift`).
public enum ServiceStatusMachine {
    /// The next status, the Events to record once it is written, and when to look again.
    public struct Outcome: Sendable, Hashable {
        public var status: OnlineServiceStatus
        public var events: [PlannedEvent]
        /// Set while deploying: the time left before the deploy timeout fires; while auto-stop is
        /// armed: the time left before it is due (whichever is sooner).
        public var requeueAfter: Duration?
        /// `spec.autoStop.after` has passed while serving: the reconciler must set `spec.stopped`.
        public var autoStopDue = false
    }

    public static func next(previous: OnlineServiceStatus?, observation o: ServiceObservation, now: Date) -> Outcome {
        let old = previous ?? OnlineServiceStatus()
        var status = old
        status.observedGeneration = o.generation
        let stamp = KubeTime.time(now)
        var conditions = old.conditions ?? []
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            conditions.set(Condition(type: type, status: value ? "True" : "False", reason: reason, message: message,
                                     observedGeneration: o.generation), now: stamp)
        }
        var events: [PlannedEvent] = []
        var requeue: Duration?

        if let blocked = o.blocked {
            status.phase = .failed
            status.autoStopAt = nil
            set(ConditionType.ready, false, blocked.reason, blocked.message)
            set(ConditionType.progressing, false, blocked.reason, "nothing is changed until the problem is fixed")
            set(ConditionType.degraded, true, blocked.reason, blocked.message)
            let before = old.conditions?[type: ConditionType.ready]
            if old.phase != .failed || before?.reason != blocked.reason || before?.message != blocked.message {
                events.append(PlannedEvent(.warning, reason: blocked.reason, message: blocked.message))
            }
            status.conditions = conditions
            return Outcome(status: status, events: events, requeueAfter: nil)
        }

        status.url = o.url
        status.versions = o.versions.map {
            VersionStatus(application: $0.application, weight: $0.weight, replicas: $0.desired, readyReplicas: $0.readyReplicas)
        }
        status.summarize()
        let where_ = reachability(o)

        if o.stopped {
            status.deployStartedAt = nil
            let auto = stoppedByAutoStop(old: old, now: now)
            status.autoStopAt = nil
            let after = o.autoStopSeconds.map { " after serving for \(DurationText.format($0))" } ?? ""
            // An auto-stop says so in every condition; a stop by hand names spec.stopped.
            let cause = auto ? "stopped by auto-stop" : "stopped"
            if o.versions.allSatisfy(\.scaledDown) {
                status.phase = .stopped
                if old.phase != .stopped {
                    status.stoppedAt = stamp
                    events.append(PlannedEvent(.normal, reason: EventReason.stopped,
                                               message: "\(cause): every version scaled to zero replicas (objects kept)"))
                }
                set(ConditionType.ready, false, auto ? ConditionReason.autoStopped : ConditionReason.stopped,
                    auto ? "stopped by auto-stop\(after); set spec.stopped to false to start again" : "spec.stopped is true; no replica is running")
                set(ConditionType.progressing, false, ConditionReason.stopped, "every version is scaled to zero")
            } else {
                status.phase = .stopping
                set(ConditionType.ready, false, auto ? ConditionReason.autoStopped : ConditionReason.stopping,
                    "\(auto ? "auto-stop is due\(after)" : "spec.stopped is true"); scaling every version to zero")
                set(ConditionType.progressing, true, ConditionReason.stopping, "waiting for replicas to terminate")
            }
            set(ConditionType.degraded, false, auto ? ConditionReason.autoStopped : ConditionReason.stopped,
                auto ? "stopped by auto-stop" : "stopped on request")
            status.conditions = conditions
            return Outcome(status: status, events: events, requeueAfter: nil)
        }

        let wasStopped = old.phase == .stopped || old.phase == .stopping
        let previousReason = old.conditions?[type: ConditionType.ready]?.reason
        let timedOut = old.phase == .failed && previousReason == ConditionReason.deployTimeout
        let newDeploy = old.phase == nil || wasStopped || (old.phase == .failed && !timedOut)
            || (o.deploymentsChanged && old.observedGeneration != o.generation)
        if newDeploy {
            status.deployStartedAt = stamp
            status.stoppedAt = nil
        }
        let count = o.versions.count

        if o.allReady {
            status.phase = .running
            if (old.phase != .running && old.phase != .warning) || newDeploy {
                if wasStopped {
                    events.append(PlannedEvent(.normal, reason: EventReason.started, message: "started again: \(status.ready ?? "") replicas ready"))
                }
                events.append(PlannedEvent(.normal, reason: EventReason.deploySucceeded,
                                           message: "running: \(count)/\(count) versions ready (\(status.ready ?? "") replicas)\(where_)"))
            }
            set(ConditionType.ready, true, ConditionReason.running, "\(count)/\(count) versions ready\(where_)")
            set(ConditionType.progressing, false, ConditionReason.running, "deploy complete")
            set(ConditionType.degraded, false, ConditionReason.running, "every version has its ready replicas")
        } else if !newDeploy && (old.phase == .running || old.phase == .warning) {
            status.phase = .warning
            let message = "versions short of ready replicas: \(o.shortVersions)"
            set(ConditionType.ready, false, ConditionReason.replicasUnavailable, message)
            set(ConditionType.progressing, false, ConditionReason.replicasUnavailable, "waiting for replicas to recover")
            set(ConditionType.degraded, true, ConditionReason.replicasUnavailable, message)
        } else if timedOut && !newDeploy {
            // Stays Failed (the timeout was told once) until it becomes ready or the spec changes.
            status.phase = .failed
            let message = old.conditions?[type: ConditionType.ready]?.message ?? "deploy timeout"
            set(ConditionType.ready, false, ConditionReason.deployTimeout, message)
            set(ConditionType.progressing, false, ConditionReason.deployTimeout, message)
            set(ConditionType.degraded, true, ConditionReason.deployTimeout, message)
        } else {
            let started = status.deployStartedAt.flatMap(KubeTime.parse) ?? now
            if status.deployStartedAt == nil { status.deployStartedAt = stamp }
            let elapsed = now.timeIntervalSince(started)
            let timeout = TimeInterval(o.deployTimeoutSeconds)
            if elapsed >= timeout {
                status.phase = .failed
                let message = "deploy timeout: not Running within \(o.deployTimeoutSeconds)s; short: \(o.shortVersions)"
                set(ConditionType.ready, false, ConditionReason.deployTimeout, message)
                set(ConditionType.progressing, false, ConditionReason.deployTimeout, message)
                set(ConditionType.degraded, true, ConditionReason.deployTimeout, message)
                events.append(PlannedEvent(.warning, reason: EventReason.deployTimeout, message: message))
            } else {
                status.phase = .deploying
                if newDeploy {
                    events.append(wasStopped
                        ? PlannedEvent(.normal, reason: EventReason.started, message: "starting again: scaling \(count) \(count == 1 ? "version" : "versions") up")
                        : PlannedEvent(.normal, reason: EventReason.deployStarted, message: "deploying \(count) \(count == 1 ? "version" : "versions")"))
                }
                let message = "waiting for ready replicas: \(o.shortVersions)"
                set(ConditionType.ready, false, ConditionReason.deploying, message)
                set(ConditionType.progressing, true, ConditionReason.deploying, message)
                set(ConditionType.degraded, false, ConditionReason.deploying, "deploying")
                let left = max(1, timeout - elapsed)
                requeue = .milliseconds(Int64((left * 1000).rounded(.up)))
            }
        }
        let timer = autoStop(old: old, phase: status.phase, observation: o, newDeploy: newDeploy, now: now)
        status.autoStopAt = timer.autoStopAt
        events += timer.events
        if let left = timer.left { requeue = min(requeue ?? left, left) }
        status.conditions = conditions
        return Outcome(status: status, events: events, requeueAfter: requeue, autoStopDue: timer.due)
    }

    /// `; in-cluster http://svc.ns.svc:80, node port 31234` for the Ready message.
    static func reachability(_ o: ServiceObservation) -> String {
        var parts: [String] = []
        if let url = o.url { parts.append("in-cluster \(url)") }
        if let port = o.nodePort { parts.append("node port \(port)") }
        return parts.isEmpty ? "" : "; " + parts.joined(separator: ", ")
    }
}
