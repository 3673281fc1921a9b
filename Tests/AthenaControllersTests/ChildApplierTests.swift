import AthenaAPI
import KubeClient
import KubeTesting
import Testing

@testable import AthenaControllers

@Suite("ChildApplier against the in-memory API server")
struct ChildApplierTests {
    let apps = [Fixtures.application("digits-v1"), Fixtures.application("digits-v2")]

    func service(weights: (Int, Int)) -> OnlineService {
        Fixtures.service(versions: [
            ServiceVersion(application: "digits-v1", weight: weights.0, replicas: 2),
            ServiceVersion(application: "digits-v2", weight: weights.1, replicas: 1),
        ], uid: nil)
    }

    func applyAll(_ applier: ChildApplier, _ objects: [JSONValue]) async throws -> [ChildApplier.Outcome] {
        var outcomes: [ChildApplier.Outcome] = []
        for object in objects { outcomes.append(try await applier.apply(object)) }
        return outcomes
    }

    @Test("create all, second apply writes nothing, weights change only the ConfigMap, a deleted Deployment comes back")
    func applyLifecycle() async throws {
        let server = try await APIServer.start()
        defer { Task { await server.stop() } }
        let applier = ChildApplier(api: KubeClient(config: KubeConfig(server: server.url)))

        let first = try OnlineServiceBuilder.desiredObjects(service: service(weights: (90, 10)), applications: apps)
        #expect(try await applyAll(applier, first).allSatisfy { $0 == .created })

        server.requestLog.reset()
        #expect(try await applyAll(applier, first).allSatisfy { $0 == .unchanged })
        #expect(server.requestLog.writeCount == 0)

        server.requestLog.reset()
        let reweighted = try OnlineServiceBuilder.desiredObjects(service: service(weights: (50, 50)), applications: apps)
        let outcomes = try await applyAll(applier, reweighted)
        #expect(outcomes.filter { $0 == .updated }.count == 1)
        #expect(server.requestLog.writeCount == 1)
        #expect(server.requestLog.count(verb: "update", resource: "configmaps") == 1)
        #expect(server.requestLog.count(verb: "update", resource: "deployments") == 0)

        let deployments = try #require(ChildApplier.resource(forKind: "Deployment"))
        try server.delete(deployments, namespace: "default", name: "digits-digits-v1")
        let repaired = try await applyAll(applier, reweighted)
        #expect(repaired.filter { $0 == .created }.count == 1)
        #expect(server.get(deployments, namespace: "default", name: "digits-digits-v1") != nil)

        // Drift: someone scales a Deployment by hand → restored.
        var drifted = try #require(server.get(deployments, namespace: "default", name: "digits-digits-v2"))
        if case .object(var root) = drifted, case .object(var spec)? = root["spec"] {
            spec["replicas"] = 7
            root["spec"] = .object(spec)
            drifted = .object(root)
        }
        _ = try server.update(drifted)
        #expect(try await applier.apply(reweighted[4]) == .updated)
        #expect(server.get(deployments, namespace: "default", name: "digits-digits-v2")?["spec"]?["replicas"] == 1)
    }

    @Test("contains: subset of objects, arrays element-wise, server-added fields ignored")
    func containsTable() {
        let cases: [(JSONValue, JSONValue, Bool)] = [
            (["a": 1, "b": 2], ["a": 1], true),
            (["a": 1], ["a": 2], false),
            (["a": 1], ["b": 1], false),
            ([["x": 1, "y": 2]], [["x": 1]], true),
            ([1, 2], [1], false),
            ("s", "s", true),
        ]
        for (actual, desired, expected) in cases {
            #expect(ChildApplier.contains(actual, desired) == expected, "\(actual) ⊇ \(desired)")
        }
    }
}
