import KubeClient
import KubeModel
@testable import KubeRuntime
import KubeTesting
import Synchronization
import Testing

/// Records what an informer delivered, per key.
final class EventLog: Sendable {
    private let entries = Mutex<[(String, String)]>([])
    func record(_ event: InformerEvent<TestConfigMap>) {
        let name = event.object.metadata.name ?? "?"
        let kind: String = switch event { case .added: "added"; case .updated: "updated"; case .deleted: "deleted" }
        entries.withLock { $0.append((kind, name)) }
    }
    func count(_ kind: String, _ name: String) -> Int { entries.withLock { $0.filter { $0 == (kind, name) }.count } }
}

@Suite("Informer against the in-memory API server", .timeLimit(.minutes(1)))
struct InformerIntegrationTests {
    @Test("relist after a forced 410 Gone loses no key and duplicates none")
    func relistAfterGone() async throws {
        try await TestCluster.with { cluster in
            for i in 0..<5 { _ = try await cluster.client.create(TestConfigMap(name: "cm-\(i)", data: ["v": "0"])) }
            let informer = Informer<TestConfigMap>(
                api: cluster.client,
                configuration: .init(namespace: "default", pageSize: 2, backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200))))
            let log = EventLog()
            informer.addHandler { log.record($0) }
            let running = Background { try await informer.run() }
            try await eventually("synced") { informer.hasSynced && informer.store.count == 5 }

            // Cut the watch and hold the reconnect back while the world changes and the server
            // forgets its history: the reconnect from the old resourceVersion then gets 410 Gone.
            cluster.server.faults.setLatency(.milliseconds(1500), verb: "watch")
            cluster.server.closeAllWatches()
            for i in 5..<8 { _ = try await cluster.client.create(TestConfigMap(name: "cm-\(i)", data: ["v": "0"])) }
            try await cluster.client.delete(TestConfigMap.self, namespace: "default", name: "cm-0", options: .init())
            _ = try await cluster.client.patch(TestConfigMap.self, namespace: "default", name: "cm-1", mergePatch: ["data": ["v": "1"]], subresource: nil)
            cluster.server.expireWatchHistory()
            cluster.server.faults.clearLatency()

            try await eventually("relisted and converged") {
                informer.counts.relistsAfterGone >= 1
                    && informer.store.keys.map(\.name) == ["cm-1", "cm-2", "cm-3", "cm-4", "cm-5", "cm-6", "cm-7"]
                    && informer.store.get(namespace: "default", name: "cm-1")?.data?["v"] == "1"
            }
            // Watching continues after the relist.
            _ = try await cluster.client.create(TestConfigMap(name: "cm-8"))
            try await eventually("watch resumed") { informer.store.get(namespace: "default", name: "cm-8") != nil }
            await running.stop()

            for i in 0...8 { #expect(log.count("added", "cm-\(i)") == 1, "cm-\(i) added once") }
            #expect(log.count("deleted", "cm-0") == 1)
            #expect(log.count("updated", "cm-1") == 1)
            for i in 2...8 { #expect(log.count("updated", "cm-\(i)") == 0, "cm-\(i) not re-delivered") }
            #expect(informer.counts.lists >= 2)
        }
    }

    @Test("watches closed by the server reconnect from the last resourceVersion without relisting")
    func reconnectWithoutRelist() async throws {
        try await TestCluster.with { cluster in
            cluster.server.faults.closeWatches(afterEvents: 2, resource: "configmaps")
            let informer = Informer<TestConfigMap>(
                api: cluster.client, configuration: .init(namespace: "default", backoff: Backoff(initial: .milliseconds(10))))
            let log = EventLog()
            informer.addHandler { log.record($0) }
            let running = Background { try await informer.run() }
            try await eventually("synced") { informer.hasSynced }
            for i in 0..<9 { _ = try await cluster.client.create(TestConfigMap(name: "w-\(i)")) }
            try await eventually("all seen") { informer.store.count == 9 }
            await running.stop()
            #expect(informer.counts.lists == 1)
            #expect(informer.counts.watches >= 4)
            for i in 0..<9 { #expect(log.count("added", "w-\(i)") == 1) }
        }
    }
}
