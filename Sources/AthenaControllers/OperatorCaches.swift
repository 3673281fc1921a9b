import AthenaAPI
import Foundation
import KubeRuntime

/// The informers the operator's reconcilers read from, instead of GETting from the API server:
/// the three Athena kinds and the four kinds an OnlineService owns. Children are watched through a
/// label selector on `app.kubernetes.io/name=athena-onlineservice`, so the cache never holds the
/// cluster's other Deployments, Services or ConfigMaps.
public struct OperatorCaches: Sendable {
    /// The label selector of every child informer.
    public static let childSelector = "\(LabelKey.name)=\(ChildNames.serviceAppName)"
    /// The label selector of the batch Job informer.
    public static let batchSelector = "\(LabelKey.name)=\(ChildNames.batchAppName)"

    public let applications: Informer<AIApplication>
    public let onlineServices: Informer<OnlineService>
    public let batchServices: Informer<BatchService>
    public let deployments: Informer<DeploymentObject>
    public let services: Informer<ServiceObject>
    public let configMaps: Informer<ConfigMapObject>
    public let networkPolicies: Informer<NetworkPolicyObject>
    /// The indexed Jobs of BatchServices.
    public let jobs: Informer<JobObject>

    /// Creates every informer on `manager` (which starts them), watching `namespace` (nil: all).
    public init(manager: Manager, namespace: String?) {
        func configuration<T>(_ type: T.Type, labels: String? = nil) -> Informer<T>.Configuration {
            Informer<T>.Configuration(namespace: namespace, labelSelector: labels)
        }
        applications = manager.informer(for: AIApplication.self, configuration: configuration(AIApplication.self))
        onlineServices = manager.informer(for: OnlineService.self, configuration: configuration(OnlineService.self))
        batchServices = manager.informer(for: BatchService.self, configuration: configuration(BatchService.self))
        deployments = manager.informer(
            for: DeploymentObject.self, configuration: configuration(DeploymentObject.self, labels: Self.childSelector))
        services = manager.informer(
            for: ServiceObject.self, configuration: configuration(ServiceObject.self, labels: Self.childSelector))
        configMaps = manager.informer(
            for: ConfigMapObject.self, configuration: configuration(ConfigMapObject.self, labels: Self.childSelector))
        networkPolicies = manager.informer(
            for: NetworkPolicyObject.self,
            configuration: configuration(NetworkPolicyObject.self, labels: Self.childSelector))
        jobs = manager.informer(for: JobObject.self, configuration: configuration(JobObject.self, labels: Self.batchSelector))
    }

    /// Every informer.
    public var all: [any CacheSyncing] {
        [applications, onlineServices, batchServices, deployments, services, configMaps, networkPolicies, jobs]
    }

    /// Runs every informer until cancelled: for tests that drive reconciles by hand, without a
    /// Manager (which otherwise runs them).
    public func runInformers() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await applications.run() }
            group.addTask { try await onlineServices.run() }
            group.addTask { try await batchServices.run() }
            group.addTask { try await deployments.run() }
            group.addTask { try await services.run() }
            group.addTask { try await configMaps.run() }
            group.addTask { try await networkPolicies.run() }
            group.addTask { try await jobs.run() }
            try await group.waitForAll()
        }
    }

    /// The cached child of `kind` named `name`: its metadata at once, its JSON on demand.
    public func cachedChild(kind: String, namespace: String?, name: String) -> CachedChild? {
        switch kind {
        case DeploymentKind.kind: deployments.store.get(namespace: namespace, name: name).map(CachedChild.init)
        case ServiceKind.kind: services.store.get(namespace: namespace, name: name).map(CachedChild.init)
        case ConfigMapKind.kind: configMaps.store.get(namespace: namespace, name: name).map(CachedChild.init)
        case NetworkPolicyKind.kind: networkPolicies.store.get(namespace: namespace, name: name).map(CachedChild.init)
        default: nil
        }
    }

    /// Every cached child whose owner references include `uid`.
    public func children(ownedBy uid: String) -> [CachedChild] {
        deployments.store.list(ownedBy: uid).map(CachedChild.init) + services.store.list(ownedBy: uid).map(CachedChild.init)
            + configMaps.store.list(ownedBy: uid).map(CachedChild.init)
            + networkPolicies.store.list(ownedBy: uid).map(CachedChild.init)
    }
}

/// A cached child of any kind, for code that handles all four alike.
public struct CachedChild: Sendable {
    public var kind: String
    public var metadata: ObjectMeta
    public var body: Data

    public init<K>(_ object: ChildObject<K>) {
        kind = K.kind
        metadata = object.metadata
        body = object.body
    }

    /// The object as JSON (parsed on every call).
    public var json: JSONValue { (try? JSONValue.parse(body)) ?? .object([:]) }
}
