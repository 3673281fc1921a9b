import AthenaAPI
import AthenaControllers
import Foundation
import KubeClient
import KubeRuntime
import KubeTesting
import Synchronization
import Testing

/// A clock the tests move by hand (deploy timeouts without waiting 20 minutes).
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(seconds: TimeInterval) { current.withLock { $0 += seconds } }
    var function: @Sendable () -> Date { { self.now } }
}

/// The in-memory API server with the CRDs installed, the operator's caches running and its
/// reconcilers ready to be called by hand (our envtest). `settle()` waits until every cache shows
/// the server's current state, so a reconcile reads the world the test just made.
final class OperatorHarness: Sendable {
    let server: APIServer
    let client: KubeClient
    let manager: Manager
    let operators: OperatorControllers
    let clock = ManualClock()
    private let informers: Task<Void, any Error>

    static let applications = GroupVersionResource(group: ServingAPI.group, version: ServingAPI.version, resource: "aiapplications")
    static let onlineServices = GroupVersionResource(group: ServingAPI.group, version: ServingAPI.version, resource: "onlineservices")
    static let batchServices = GroupVersionResource(group: ServingAPI.group, version: ServingAPI.version, resource: "batchservices")
    static let events = GroupVersionResource(group: "", version: "v1", resource: "events")
    static let childResources = [DeploymentKind.resource, ServiceKind.resource, ConfigMapKind.resource, NetworkPolicyKind.resource]

    private init(server: APIServer, runInformers: Bool) {
        self.server = server
        client = KubeClient(config: KubeConfig(server: server.url))
        manager = Manager(api: client)
        let clock = clock
        operators = OperatorControllers.register(on: manager, options: BuildOptions(), workers: 2, now: clock.function)
        let caches = operators.caches
        informers = Task { if runInformers { try await caches.runInformers() } }
    }

    /// Starts a server (optionally simulating the Deployment controller) with the CRDs from `crds/`.
    /// `runInformers: false` leaves the caches to a Manager the test runs itself.
    static func start(simulateWorkloads: Bool = false, runInformers: Bool = true) async throws -> OperatorHarness {
        let server = try await APIServer.start(APIServer.Options(
            simulateWorkloads: simulateWorkloads, workloadDelay: .milliseconds(30)))
        let crdDirectory = URL(fileURLWithPath: Fixtures.root).appendingPathComponent("crds")
        for file in try FileManager.default.contentsOfDirectory(atPath: crdDirectory.path).sorted() where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: crdDirectory.appendingPathComponent(file), encoding: .utf8)
            for document in try YAMLTestDecoding.documents(text) { _ = try server.create(document) }
        }
        let harness = OperatorHarness(server: server, runInformers: runInformers)
        if runInformers { try await harness.settle() }
        return harness
    }

    func stop() async {
        informers.cancel()
        _ = await informers.result
        await server.stop()
    }

    /// Runs `body` with a fresh harness and always stops it.
    static func with(simulateWorkloads: Bool = false, _ body: (OperatorHarness) async throws -> Void) async throws {
        let harness = try await start(simulateWorkloads: simulateWorkloads)
        do {
            try await body(harness)
            await harness.stop()
        } catch {
            await harness.stop()
            throw error
        }
    }

    // MARK: - Caches

    /// Waits until every cache holds exactly the server's objects at their current versions.
    func settle(timeout: Duration = .seconds(30)) async throws {
        try await eventually("caches match the server", timeout: timeout) { self.cachesMatchServer() }
    }

    private func cachesMatchServer() -> Bool {
        let caches = operators.caches
        func versions(_ list: [JSONValue], childrenOnly: Bool = false, appName: String = ChildNames.serviceAppName) -> [String: String] {
            var result: [String: String] = [:]
            for object in list {
                let meta = object["metadata"]
                if childrenOnly, meta?["labels"]?[LabelKey.name]?.stringValue != appName { continue }
                let key = "\(meta?["namespace"]?.stringValue ?? "")/\(meta?["name"]?.stringValue ?? "")"
                result[key] = meta?["resourceVersion"]?.stringValue ?? ""
            }
            return result
        }
        func cached<T: KubeObject>(_ store: Store<T>) -> [String: String] {
            var result: [String: String] = [:]
            for object in store.list() {
                result["\(object.metadata.namespace ?? "")/\(object.metadata.name ?? "")"] = object.metadata.resourceVersion ?? ""
            }
            return result
        }
        return caches.all.allSatisfy(\.hasSynced)
            && versions(server.list(Self.applications)) == cached(caches.applications.store)
            && versions(server.list(Self.onlineServices)) == cached(caches.onlineServices.store)
            && versions(server.list(Self.batchServices)) == cached(caches.batchServices.store)
            && versions(server.list(DeploymentKind.resource), childrenOnly: true) == cached(caches.deployments.store)
            && versions(server.list(ServiceKind.resource), childrenOnly: true) == cached(caches.services.store)
            && versions(server.list(ConfigMapKind.resource), childrenOnly: true) == cached(caches.configMaps.store)
            && versions(server.list(NetworkPolicyKind.resource), childrenOnly: true) == cached(caches.networkPolicies.store)
            && versions(server.list(JobKind.resource), childrenOnly: true, appName: ChildNames.batchAppName) == cached(caches.jobs.store)
    }

    // MARK: - Driving reconciles

    /// Settles the caches, then reconciles the application `name` once.
    @discardableResult
    func reconcileApplication(_ name: String, namespace: String = "default") async throws -> ReconcileResult {
        try await settle()
        return try await operators.applicationReconciler.reconcile(ObjectKey(namespace: namespace, name: name))
    }

    /// Settles the caches, then reconciles the service `name` once.
    @discardableResult
    func reconcileService(_ name: String = "digits", namespace: String = "default") async throws -> ReconcileResult {
        try await settle()
        return try await operators.serviceReconciler.reconcile(ObjectKey(namespace: namespace, name: name))
    }

    // MARK: - World

    /// Creates `object` as a user would (no uid, generation or resourceVersion: the server sets them).
    func create<T: KubeObject>(_ object: T) throws {
        var object = object
        object.metadata.uid = nil
        object.metadata.generation = nil
        object.metadata.resourceVersion = nil
        _ = try server.create(try JSONValue(encoding: object))
    }

    /// Changes the spec of the OnlineService `name` (a user's `kubectl apply`).
    func updateService(_ name: String = "digits", _ change: (inout OnlineServiceSpec) -> Void) throws {
        var service = try #require(try self.service(name))
        change(&service.spec)
        _ = try server.update(try JSONValue(encoding: service))
    }

    /// Changes the spec of the AIApplication `name`.
    func updateApplication(_ name: String, _ change: (inout AIApplicationSpec) -> Void) throws {
        var application = try #require(try self.application(name))
        change(&application.spec)
        _ = try server.update(try JSONValue(encoding: application))
    }

    func application(_ name: String, namespace: String = "default") throws -> AIApplication? {
        try server.get(Self.applications, namespace: namespace, name: name).map { try $0.decode(as: AIApplication.self) }
    }

    func service(_ name: String = "digits", namespace: String = "default") throws -> OnlineService? {
        try server.get(Self.onlineServices, namespace: namespace, name: name).map { try $0.decode(as: OnlineService.self) }
    }

    func child(_ resource: GroupVersionResource, _ name: String, namespace: String = "default") -> JSONValue? {
        server.get(resource, namespace: namespace, name: name)
    }

    /// Events about `name`, as `reason: message` lines.
    func events(about name: String) -> [String] {
        server.list(Self.events).filter { $0["involvedObject"]?["name"]?.stringValue == name }
            .map { "\($0["reason"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }
    }

    /// Writes the status the Deployment controller would report for `name`: every replica ready.
    func markDeploymentReady(_ name: String, namespace: String = "default", ready: Int? = nil) throws {
        var deployment = try #require(server.get(DeploymentKind.resource, namespace: namespace, name: name))
        let replicas = deployment["spec"]?["replicas"]?.intValue ?? 1
        let count = JSONValue.number(Double(ready ?? replicas))
        deployment["status"] = [
            "observedGeneration": deployment["metadata"]?["generation"] ?? 1,
            "replicas": .number(Double(replicas)), "readyReplicas": count, "availableReplicas": count, "updatedReplicas": count,
        ]
        _ = try server.updateStatus(deployment)
    }

    /// Children of the service (any kind) as `Kind/name`, sorted.
    func childNames(of service: String = "digits") -> [String] {
        Self.childResources.flatMap { resource in
            server.list(resource, namespace: "default")
                .filter { $0["metadata"]?["labels"]?[LabelKey.onlineService]?.stringValue == service }
                .map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" }
        }.sorted()
    }

    /// Mutating requests since the last `requestLog.reset()`, as `verb resource[/sub] name` lines.
    var writes: [String] {
        server.requestLog.entries.filter { ["create", "update", "patch", "delete"].contains($0.verb) }
            .map { "\($0.verb) \($0.resource)\($0.subresource.map { "/\($0)" } ?? "") \($0.name ?? "")" }
    }
}

/// Polls `condition` until it holds or `timeout` passes (no fixed sleeps in tests); generous because the machine is shared.
func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    var attempts = 0
    while ContinuousClock.now < deadline, attempts < 10_000 {
        attempts += 1
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out after \(timeout) waiting for: \(what)")
    throw HarnessTimeout(what: what)
}

struct HarnessTimeout: Error { var what: String }
