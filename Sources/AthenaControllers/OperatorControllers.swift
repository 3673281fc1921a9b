import AthenaAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging

/// Everything `athena-operator` runs, wired on a KubeRuntime ``Manager`` in one call: the informer
/// caches, the AIApplication and OnlineService controllers and their reconcilers, one
/// ``EventRecorder``. The executable stays a thin main; tests get every part back to drive
/// reconciles directly.
public struct OperatorControllers: Sendable {
    public let caches: OperatorCaches
    public let events: EventRecorder
    public let applicationReconciler: AIApplicationReconciler
    public let serviceReconciler: OnlineServiceReconciler
    public let applicationController: Controller
    public let serviceController: Controller

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

        applicationController.watchPrimary(caches.applications)
        watchUsers(caches, applicationController)
        serviceController.watchPrimary(caches.onlineServices)
        serviceController.watchOwned(caches.deployments, owner: OnlineService.self)
        serviceController.watchOwned(caches.services, owner: OnlineService.self)
        serviceController.watchOwned(caches.configMaps, owner: OnlineService.self)
        serviceController.watchOwned(caches.networkPolicies, owner: OnlineService.self)
        watchApplications(caches, serviceController)

        manager.add(applicationController)
        manager.add(serviceController)
        logger.info("registered controllers aiapplication and onlineservice (\(workers) workers each)",
                    metadata: ["namespace": "\(scope ?? "<all>")"])
        return OperatorControllers(
            caches: caches, events: events, applicationReconciler: applicationReconciler,
            serviceReconciler: serviceReconciler, applicationController: applicationController,
            serviceController: serviceController)
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

    /// An OnlineService is reconciled again when an application it names appears, disappears or
    /// changes its spec; an application's status updates alone change nothing for the service.
    static func watchApplications(_ caches: OperatorCaches, _ controller: Controller) {
        controller.watch(caches.applications) { _ in [] }  // sync before the first reconcile
        caches.applications.addHandler { event in
            if case .updated(let old, let new) = event,
                old.metadata.generation == new.metadata.generation, old.spec == new.spec
            {
                return
            }
            let name = event.object.metadata.name ?? ""
            let namespace = event.object.metadata.namespace
            for service in caches.onlineServices.store.list(namespace: namespace ?? "default")
            where service.spec.versions.contains(where: { $0.application == name }) {
                controller.enqueue(ObjectKey(service))
            }
        }
    }
}
