import AthenaAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging

/// Turns an OnlineService into its running children and an honest status (STYLE.md's reconcile
/// shape). Level-triggered and idempotent: every pass reads the service, its applications and its
/// children from the informer caches, so a converged service costs no request at all.
///
/// 1. gone or being deleted → done (owner references garbage-collect the children);
/// 2. invalid spec or an unusable application → a Failed status saying exactly what, no child touched;
/// 3. desired children = ``OnlineServiceBuilder/desiredObjects(service:applications:options:)``;
///    create the missing, repair the drifted (``ChildApplier``), delete owned children no longer desired;
/// 4. status = ``ServiceStatusMachine`` over the observed Deployments; written only when it changed,
///    then the transition's Events.
public struct OnlineServiceReconciler: Reconciler {
    public let api: any KubeAPI
    public let caches: OperatorCaches
    public let options: BuildOptions
    public let events: EventRecorder
    /// The clock of deploy timeouts and transition times (injected by tests).
    public let now: @Sendable () -> Date
    let applier: ChildApplier
    let logger: Logger
    /// Children written but not yet seen by their informer (key `Kind/namespace/name`).
    let childWrites = RecentWrites<JSONValue>()
    /// Statuses written but not yet seen by the OnlineService informer (key `namespace/name`).
    let statusWrites = RecentWrites<OnlineService>()
    /// Cached child versions already known to hold the desired object.
    let memo = ContainmentMemo()

    public init(
        api: any KubeAPI, caches: OperatorCaches, options: BuildOptions, events: EventRecorder,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "athena.onlineservice")
    ) {
        self.api = api
        self.caches = caches
        self.options = options
        self.events = events
        self.now = now
        self.applier = ChildApplier(api: api)
        self.logger = logger
    }

    static func childKey<K>(_ object: ChildObject<K>) -> String {
        "\(K.kind)/\(object.metadata.namespace ?? "")/\(object.metadata.name ?? "")"
    }

    static func childKey(kind: String, namespace: String?, name: String) -> String {
        "\(kind)/\(namespace ?? "")/\(name)"
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var service = caches.onlineServices.store.get(key), service.metadata.deletionTimestamp == nil else {
            return .done
        }
        if let written = statusWrites.pending(key.description, cachedVersion: service.metadata.resourceVersion) {
            service = written
        }
        let generation = service.metadata.generation ?? 0
        let applications = caches.applications.store.list(namespace: key.namespace ?? "default")
        if let blocked = ServicePrecheck.blocked(service, applications: applications) {
            return try await publish(service, ServiceObservation(generation: generation, blocked: blocked))
        }
        let desired: [JSONValue]
        do {
            desired = try OnlineServiceBuilder.desiredObjects(service: service, applications: applications, options: options)
        } catch {
            let blocked = ServiceObservation.Blocked(reason: ConditionReason.invalidSpec, message: error.message)
            return try await publish(service, ServiceObservation(generation: generation, blocked: blocked))
        }
        let changed: Set<String>
        do {
            changed = try await applyChildren(desired, of: service)
        } catch let conflict as ChildConflictError {
            let blocked = ServiceObservation.Blocked(reason: ConditionReason.childConflict, message: conflict.description)
            return try await publish(service, ServiceObservation(generation: generation, blocked: blocked))
        }
        try await pruneChildren(of: service, keeping: desired)
        return try await publish(service, observe(service, changedDeployments: changed))
    }

    // MARK: - Status

    /// Computes the next status, writes it if it differs, then records the transition's Events.
    func publish(_ service: OnlineService, _ observation: ServiceObservation) async throws -> ReconcileResult {
        let outcome = ServiceStatusMachine.next(previous: service.status, observation: observation, now: now())
        var current = service
        if outcome.status != service.status {
            var updated = service
            updated.status = outcome.status
            let stored: OnlineService
            do {
                stored = try await api.updateStatus(updated)
            } catch let error as KubeError where error.isNotFound {
                return .done  // deleted while we reconciled: its children go with it
            }
            statusWrites.remember(
                service.key, before: service.metadata.resourceVersion, value: stored, version: stored.metadata.resourceVersion)
            current = stored
            for event in outcome.events {
                await events.record(event.type, for: service, reason: event.reason, message: event.message)
            }
        }
        if outcome.autoStopDue {
            try await fireAutoStop(current, after: observation.autoStopSeconds)
            return .done  // the spec change brings the service back as a stop
        }
        return outcome.requeueAfter.map { .requeue(after: $0) } ?? .done
    }

    /// Auto-stop is due: sets `spec.stopped`, the way a user stops a service, so the stop shows in
    /// the spec and `stopped: false` undoes it. The patch carries the resourceVersion this
    /// reconcile read: from a stale cache it fails with 409 and changes nothing (the informer
    /// brings the newer object and the next pass decides again), so the Event is told once.
    func fireAutoStop(_ service: OnlineService, after seconds: Double?) async throws {
        guard let name = service.metadata.name, let version = service.metadata.resourceVersion else { return }
        let patch: JSONValue = ["metadata": ["resourceVersion": .string(version)], "spec": ["stopped": true]]
        do {
            _ = try await api.patch(OnlineService.self, namespace: service.metadata.namespace, name: name,
                                    mergePatch: patch, subresource: nil)
        } catch let error as KubeError where error.isNotFound || error.isConflict {
            return
        }
        let after = seconds.map { " after serving for \(DurationText.format($0))" } ?? ""
        await events.record(.normal, for: service, reason: EventReason.autoStopFired,
                            message: "auto-stop is due\(after): stopping the service (set spec.stopped to false to start again)")
    }
}
