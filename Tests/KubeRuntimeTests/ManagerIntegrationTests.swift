import Foundation
import KubeClient
import KubeModel
@testable import KubeRuntime
import KubeTesting
import KubeTransport
import Testing

@Suite("Manager and health server", .timeLimit(.minutes(1)))
struct ManagerIntegrationTests {
    func get(_ port: Int, _ path: String) async throws -> (Int, String) {
        let response = try await CurlTransport().send(HTTPRequest(url: "http://127.0.0.1:\(port)\(path)", timeout: .seconds(5)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test("caches sync → ready; controllers run only while leading; shutdown releases the lease")
    func wholeRuntime() async throws {
        try await TestCluster.with { cluster in
            let elector = try LeaderElector(
                api: cluster.client,
                configuration: .init(
                    leaseName: "mgr", leaseNamespace: "default", identity: "me", leaseDuration: .seconds(2),
                    renewDeadline: .seconds(1), retryPeriod: .milliseconds(100)))
            let manager = Manager(api: cluster.client, leaderElector: elector)
            let informer = manager.informer(for: TestConfigMap.self, configuration: .init(namespace: "default"))
            let seen = Locked<Set<String>>([])
            let controller = Controller(
                configuration: .init(name: "m"),
                reconciler: ClosureReconciler { key in
                    seen.withLock { _ = $0.insert(key.name) }
                    return .done
                })
            controller.watchPrimary(informer)
            manager.add(controller)

            let port = Locked(0)
            let health = HealthServer(
                configuration: .init(host: "127.0.0.1", port: 0), readiness: { manager.readiness },
                metrics: { "# TYPE up gauge\nup 1\n" }, onListening: { p in port.withLock { $0 = p } })
            let runHealth = Background { try await health.run() }
            try await eventually("health server listening") { port.withLock { $0 } != 0 }
            let p = port.withLock { $0 }
            #expect(try await get(p, "/healthz").0 == 200)
            #expect(try await get(p, "/readyz").0 == 503)
            #expect(try await get(p, "/metrics").1.contains("up 1"))

            _ = try await cluster.client.create(TestConfigMap(name: "one"))
            let runManager = Background { try await manager.run() }
            try await eventually("ready once synced") { try await get(p, "/readyz").0 == 200 }
            try await eventually("reconciled once leading") { seen.withLock { $0.contains("one") } }
            #expect(elector.isLeader)

            await runManager.stop()
            // run() returns after the release was written; poll anyway so a slow machine
            // reading before the write is visible does not fail the test.
            try await eventually("lease released on shutdown") {
                try await cluster.client.get(Lease.self, namespace: "default", name: "mgr").spec?.holderIdentity == nil
            }
            await runHealth.stop()
        }
    }
}
