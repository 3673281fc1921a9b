import KubeClient
import KubeModel
@testable import KubeRuntime
import KubeTesting
import Synchronization
import Testing

/// A toy reconciler: copies `data.want` into the annotation `toy/seen`, writing only on change.
final class ToyReconciler: Reconciler {
    let api: any KubeAPI
    let store: Store<TestConfigMap>
    let calls = Mutex<[String: Int]>([:])

    init(api: any KubeAPI, store: Store<TestConfigMap>) {
        self.api = api
        self.store = store
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        calls.withLock { $0[key.name, default: 0] += 1 }
        guard let cm = store.get(key) else { return .done }
        if key.name.hasPrefix("bad") { throw TerminalError("\(key) can never work") }
        let want = cm.data?["want"] ?? ""
        if cm.metadata.annotations?["toy/seen"] == want { return .done }
        _ = try await api.patch(
            TestConfigMap.self, namespace: key.namespace, name: key.name,
            mergePatch: ["metadata": ["annotations": ["toy/seen": .string(want)]]], subresource: nil)
        return .done
    }

    func count(_ name: String) -> Int { calls.withLock { $0[name, default: 0] } }
}

@Suite("Controller end to end against the in-memory API server", .timeLimit(.minutes(1)))
struct ControllerIntegrationTests {
    func converged(_ cluster: TestCluster, _ names: [String]) async throws -> Bool {
        for name in names {
            let cm = try await cluster.client.get(TestConfigMap.self, namespace: "default", name: name)
            if cm.metadata.annotations?["toy/seen"] != cm.data?["want"] { return false }
        }
        return true
    }

    @Test("objects get reconciled, and still converge when watches drop and writes fail")
    func convergesUnderFaults() async throws {
        try await TestCluster.with { cluster in
            let informer = Informer<TestConfigMap>(
                api: cluster.client, configuration: .init(namespace: "default", backoff: Backoff(initial: .milliseconds(10))))
            let reconciler = ToyReconciler(api: cluster.client, store: informer.store)
            let controller = Controller(
                configuration: .init(name: "toy", workers: 3, rateLimit: .init(baseDelay: .milliseconds(5), maxDelay: .milliseconds(200))),
                reconciler: reconciler)
            controller.watchPrimary(informer)
            let names = (0..<6).map { "toy-\($0)" }
            for name in names.prefix(3) { _ = try await cluster.client.create(TestConfigMap(name: name, data: ["want": "a"])) }
            let runningInformer = Background { try await informer.run() }
            let runningController = Background { try await controller.run() }
            try await eventually("first objects reconciled") { try await converged(cluster, Array(names.prefix(3))) }

            _ = try await cluster.client.patch(TestConfigMap.self, namespace: "default", name: "toy-0", mergePatch: ["data": ["want": "c"]], subresource: nil)
            // Faults: every watch now dies after one event, and the next 4 patches fail with 500.
            cluster.server.faults.closeWatches(afterEvents: 1, resource: "configmaps")
            cluster.server.closeAllWatches()
            cluster.server.faults.failNext(4, status: 500, verb: "patch", resource: "configmaps")
            for name in names.dropFirst(3) { _ = try await cluster.client.create(TestConfigMap(name: name, data: ["want": "b"])) }
            _ = try await cluster.client.create(TestConfigMap(name: "bad-1", data: ["want": "x"]))

            try await eventually("all converged despite faults") { try await converged(cluster, names) }
            // A terminal error is not retried: one reconcile per change of the object.
            try await eventually("bad-1 seen") { reconciler.count("bad-1") >= 1 }
            try await Task.sleep(for: .milliseconds(300))  // give a wrongful retry time to show up
            #expect(reconciler.count("bad-1") == 1)
            // Converged means quiet: the reconciles after the last write write nothing.
            cluster.server.requestLog.reset()
            controller.enqueue(ObjectKey(namespace: "default", name: "toy-1"))
            try await eventually("re-reconciled") { reconciler.count("toy-1") >= 2 }
            #expect(cluster.server.requestLog.writeCount == 0)
            await runningController.stop()
            await runningInformer.stop()
        }
    }

    @Test("owned objects enqueue their controller owner")
    func ownedMapping() async throws {
        try await TestCluster.with { cluster in
            let owners = Informer<TestConfigMap>(api: cluster.client, configuration: .init(namespace: "default", labelSelector: "role=owner"))
            let children = Informer<TestConfigMap>(api: cluster.client, configuration: .init(namespace: "default", labelSelector: "role=child"))
            let seen = Locked<Set<String>>([])
            let controller = Controller(
                configuration: .init(name: "owner"),
                reconciler: ClosureReconciler { key in
                    seen.withLock { _ = $0.insert(key.description) }
                    return .done
                })
            controller.watchOwned(children, owner: TestConfigMap.self)
            let owner = try await cluster.client.create(TestConfigMap(name: "parent", labels: ["role": "owner"]))
            var child = TestConfigMap(name: "kid", labels: ["role": "child"])
            child.metadata.ownerReferences = [
                OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "parent", uid: owner.metadata.uid ?? "", controller: true)
            ]
            let runs = [Background { try await owners.run() }, Background { try await children.run() }, Background { try await controller.run() }]
            _ = try await cluster.client.create(child)
            try await eventually("owner enqueued from child") { seen.withLock { $0.contains("default/parent") } }
            #expect(!seen.withLock { $0.contains("default/kid") })
            for run in runs { await run.stop() }
        }
    }
}
