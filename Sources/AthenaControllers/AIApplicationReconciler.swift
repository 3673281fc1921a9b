import AthenaAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging

/// Keeps an AIApplication's status honest and protects it from deletion while services use it.
///
/// 1. gone → done; 2. not deleting → ensure the finalizer `serving.athena.dev/finalizer`;
/// 3. deleting and unused → drop the finalizer (the API server completes the deletion); deleting and
/// used → keep it, say so in the `InUse` condition (reason `DeletionBlocked`) and a Warning Event;
/// 4. status = ``ApplicationStatusMachine`` over K3's validation and the services that reference it
/// (from the OnlineService and BatchService caches), written only when it changed.
public struct AIApplicationReconciler: Reconciler {
    public let api: any KubeAPI
    public let caches: OperatorCaches
    public let events: EventRecorder
    public let now: @Sendable () -> Date
    let logger: Logger
    /// Objects written but not yet seen by the AIApplication informer (finalizer patch, status).
    let writes = RecentWrites<AIApplication>()

    public init(
        api: any KubeAPI, caches: OperatorCaches, events: EventRecorder,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "athena.aiapplication")
    ) {
        self.api = api
        self.caches = caches
        self.events = events
        self.now = now
        self.logger = logger
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let cached = caches.applications.store.get(key) else { return .done }
        var application = writes.pending(key.description, cachedVersion: cached.metadata.resourceVersion) ?? cached
        let users = Self.users(of: application, onlineServices: caches.onlineServices.store, batchServices: caches.batchServices.store)
        let deleting = application.metadata.deletionTimestamp != nil
        let hasFinalizer = application.metadata.finalizers?.contains(ServingAPI.finalizer) == true

        if deleting && users.isEmpty {
            if hasFinalizer {
                try await setFinalizers(of: application, to: (application.metadata.finalizers ?? []).filter { $0 != ServingAPI.finalizer })
                logger.info("\(key): no service uses it any more, deletion proceeds")
            }
            return .done
        }
        if !deleting && !hasFinalizer {
            application = try await setFinalizers(of: application, to: (application.metadata.finalizers ?? []) + [ServingAPI.finalizer])
            writes.remember(key.description, before: cached.metadata.resourceVersion, value: application,
                            version: application.metadata.resourceVersion)
        }

        let outcome = ApplicationStatusMachine.next(
            previous: application.status, generation: application.metadata.generation ?? 0,
            errors: application.validate(), users: users, deleting: deleting, now: now())
        if outcome.status != application.status {
            var updated = application
            updated.status = outcome.status
            let stored = try await api.updateStatus(updated)
            writes.remember(key.description, before: application.metadata.resourceVersion, value: stored,
                            version: stored.metadata.resourceVersion)
            for event in outcome.events {
                await events.record(event.type, for: application, reason: event.reason, message: event.message)
            }
        }
        return .done
    }

    /// Replaces `metadata.finalizers` with a merge patch guarded by the cached resourceVersion (a
    /// stale cache gets a 409 and the key is retried), returning the patched object.
    @discardableResult
    func setFinalizers(of application: AIApplication, to finalizers: [String]) async throws -> AIApplication {
        var metadata: [String: JSONValue] = ["finalizers": .array(finalizers.map(JSONValue.string))]
        if let version = application.metadata.resourceVersion { metadata["resourceVersion"] = .string(version) }
        return try await api.patch(
            AIApplication.self, namespace: application.metadata.namespace, name: application.metadata.name ?? "",
            mergePatch: .object(["metadata": .object(metadata)]), subresource: nil)
    }

    /// The OnlineServices and BatchServices of the application's namespace that name it, sorted.
    /// Services being deleted still count until they are gone (their children may still run it).
    public static func users(
        of application: AIApplication, onlineServices: Store<OnlineService>, batchServices: Store<BatchService>
    ) -> [ResourceReference] {
        let name = application.metadata.name ?? ""
        let namespace = application.metadata.namespace ?? "default"
        let online = onlineServices.list(namespace: namespace)
            .filter { $0.spec.versions.contains { $0.application == name } }
            .map { ResourceReference(kind: OnlineService.kind, name: $0.metadata.name ?? "") }
        let batch = batchServices.list(namespace: namespace)
            .filter { $0.spec.application == name }
            .map { ResourceReference(kind: BatchService.kind, name: $0.metadata.name ?? "") }
        return (online + batch).sorted()
    }
}
