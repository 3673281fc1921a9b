import AthenaAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging

/// Everything `athena-operator` runs, wired on a KubeRuntime ``Manager`` in one call: the informer
/// caches, the AIApplication, OnlineService and BatchService controllers and their reconcilers, one
/// ``EventRecorder``. The executable stays a thin main; tests get every part back to drive
/// reconciles directly.
public struct OperatorControllers: Sendable {
    public let caches: OperatorCaches
    public let events: EventRecorder
    public let applicationReconciler: AIApplicationReconciler
    public let serviceReconciler: OnlineServiceReconciler
    public let batchReconciler: BatchServiceReconciler
    public let applicationController: Controller
    public let serviceController: Controller
    public let batchController: Controller

    /// Creates and registers the caches and controllers on `manager` (which runs them).
    /// - Parameters:
    ///   - options: the builders' settings, usually `BuildOptions.fromEnvironment()` (the chart's env).
    ///   - namespace: the namespace to watch; nil or empty watches all.
    ///   - workers: concurrent reconciles per controller.
    ///   - now: the clock of status times and deploy timeouts.
    @discardableResult
    public static func register(
        on manager: Manager, options: BuildOptions, namespace: String? = nil, workers: Int = 4,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "athena.operator")
    ) -> OperatorControllers {
        let scope = (namespace ?? "").isEmpty ? nil : namespace
        let caches = OperatorCaches(manager: manager, namespace: scope)
        let events = EventRecorder(api: manager.api, component: ServingAPI.fieldManager,
                                   host: ProcessInfo.processInfo.environment["POD_NAME"])
        let applicationReconciler = AIApplicationReconciler(api: manager.api, caches: caches, events: events, now: now)
        let serviceReconciler = OnlineServiceReconciler(
            api: manager.api, caches: caches, options: options, events: events, now: now)
        let applicationController = Controller(
            configuration: .init(name: "aiapplication", workers: workers), reconciler: applicationReconciler)
        let serviceController = Controller(
            configuration: .init(name: "onlineservice", workers: workers), reconciler: serviceReconciler)
        let batchReconciler = BatchServiceReconciler(api: manager.api, caches: caches, options: options, events: events, now: now)
        let batchController = Controller(configuration: .init(name: "batchservice", workers: 1), reconciler: batchReconciler)

        watchPrimary(caches.applications, applicationController, writes: applicationReconciler.writes)
        watchUsers(caches, applicationController)
        watchPrimary(caches.onlineServices, serviceController, writes: serviceReconciler.statusWrites)
        watchOwned(caches.deployments, serviceController, writes: serviceReconciler.childWrites)
        watchOwned(caches.services, serviceController, writes: serviceReconciler.childWrites)
        watchOwned(caches.configMaps, serviceController, writes: serviceReconciler.childWrites)
        watchOwned(caches.networkPolicies, serviceController, writes: serviceReconciler.childWrites)
        watchApplications(caches, serviceController) { namespace, name in
            caches.onlineServices.store.list(namespace: namespace)
                .filter { $0.spec.versions.contains { $0.application == name } }.map { ObjectKey($0) }
        }
        watchPrimary(caches.batchServices, batchController, writes: batchReconciler.statusWrites)
        watchJobs(caches.jobs, batchController)
        watchApplications(caches, batchController) { namespace, name in
            caches.batchServices.store.list(namespace: namespace).filter { $0.spec.application == name }.map { ObjectKey($0) }
        }

        manager.add(applicationController)
        manager.add(serviceController)
        manager.add(batchController)
        logger.info("registered controllers aiapplication and onlineservice (\(workers) workers each) and batchservice",
                    metadata: ["namespace": "\(scope ?? "<all>")"])
        return OperatorControllers(
            caches: caches, events: events, applicationReconciler: applicationReconciler,
            serviceReconciler: serviceReconciler, batchReconciler: batchReconciler, applicationController: applicationController,
            serviceController: serviceController, batchController: batchController)
    }

    // MARK: - Own kinds

    /// Like `Controller.watchPrimary`, but the echo of the reconciler's own write (its status
    /// update, a finalizer patch) is not enqueued: the reconcile that wrote it already knew.
    static func watchPrimary<T: KubeObject>(_ informer: Informer<T>, _ controller: Controller, writes: RecentWrites<T>) {
        controller.watch(informer) { _ in [] }  // sync before the first reconcile
        informer.addHandler { event in
            if !writes.observed(event.object.key, version: version(after: event)) { controller.enqueue(ObjectKey(event.object)) }
        }
    }

    /// Like `Controller.watchOwned(_:owner: OnlineService.self)`, skipping echoes of the
    /// reconciler's own creates and updates (a new 2-version service makes 7 of them).
    static func watchOwned<K>(_ informer: Informer<ChildObject<K>>, _ controller: Controller, writes: RecentWrites<JSONValue>) {
        controller.watch(informer) { _ in [] }
        informer.addHandler { event in
            let echo = writes.observed(OnlineServiceReconciler.childKey(event.object), version: version(after: event))
            var owners: Set<ObjectKey> = []
            if let key = ownerKey(event.object.metadata) { owners.insert(key) }
            if case .updated(let old, _) = event, let key = ownerKey(old.metadata) { owners.insert(key) }
            if echo, owners.count == 1 { return }
            for key in owners { controller.enqueue(key) }
        }
    }

    /// A BatchService is reconciled again when its Job changes (progress, completion, deletion).
    static func watchJobs(_ informer: Informer<JobObject>, _ controller: Controller) {
        controller.watch(informer) { _ in [] }
        informer.addHandler { event in
            if let key = OwnerMapping.controllerOwnerKey(of: event.object.metadata, ownerKind: BatchService.kind, ownerGroup: ServingAPI.group) {
                controller.enqueue(key)
            }
        }
    }

    static func ownerKey(_ metadata: ObjectMeta) -> ObjectKey? {
        OwnerMapping.controllerOwnerKey(of: metadata, ownerKind: OnlineService.kind, ownerGroup: ServingAPI.group)
    }

    /// The version an informer event leaves in the cache (nil after a delete).
    static func version<T: KubeObject>(after event: InformerEvent<T>) -> String? {
        if case .deleted = event { return nil }
        return event.object.metadata.resourceVersion
    }

    // MARK: - Cross-kind watches

    /// An AIApplication is reconciled again when the set of services naming it changes (its
    /// `referencedBy` and deletion guard depend on them); service status churn is ignored.
    static func watchUsers(_ caches: OperatorCaches, _ controller: Controller) {
        controller.watch(caches.onlineServices) { _ in [] }  // sync before the first reconcile
        controller.watch(caches.batchServices) { _ in [] }
        caches.onlineServices.addHandler { event in
            let apps: Set<String>
            switch event {
            case .added(let s), .deleted(let s): apps = Set(s.spec.versions.map(\.application))
            case .updated(let old, let new):
                let before = Set(old.spec.versions.map(\.application))
                let after = Set(new.spec.versions.map(\.application))
                apps = before.symmetricDifference(after)
            }
            for app in apps { controller.enqueue(ObjectKey(namespace: event.object.metadata.namespace, name: app)) }
        }
        caches.batchServices.addHandler { event in
            var apps: Set<String> = [event.object.spec.application]
            if case .updated(let old, let new) = event {
                apps = old.spec.application == new.spec.application ? [] : [old.spec.application, new.spec.application]
            }
            for app in apps { controller.enqueue(ObjectKey(namespace: event.object.metadata.namespace, name: app)) }
        }
    }

    /// A service (online or batch) is reconciled again when an application it names appears,
    /// disappears or changes its spec; an application's status updates alone change nothing for it.
    /// `users` lists the services of a namespace that name an application.
    static func watchApplications(
        _ caches: OperatorCaches, _ controller: Controller,
        users: @escaping @Sendable (_ namespace: String, _ application: String) -> [ObjectKey]
    ) {
        controller.watch(caches.applications) { _ in [] }  // sync before the first reconcile
        caches.applications.addHandler { event in
            if case .updated(let old, let new) = event,
                old.metadata.generation == new.metadata.generation, old.spec == new.spec
            {
                return
            }
            for key in users(event.object.metadata.namespace ?? "default", event.object.metadata.name ?? "") {
                controller.enqueue(key)
            }
        }
    }
}
