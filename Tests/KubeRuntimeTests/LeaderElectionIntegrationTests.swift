import Foundation
import KubeClient
import KubeModel
@testable import KubeRuntime
import KubeTesting
import Testing

@Suite("Leader election on one Lease", .timeLimit(.minutes(1)))
struct LeaderElectionIntegrationTests {
    func elector(_ cluster: TestCluster, _ id: String, release: Bool, lease: Duration = .seconds(1)) throws -> LeaderElector {
        try LeaderElector(
            api: cluster.client,
            configuration: .init(
                leaseName: "op-lock", leaseNamespace: "default", identity: id, leaseDuration: lease,
                renewDeadline: lease * 0.6, retryPeriod: .milliseconds(100), releaseOnShutdown: release))
    }

    func holder(_ cluster: TestCluster) async throws -> String? {
        try await cluster.client.get(Lease.self, namespace: "default", name: "op-lock").spec?.holderIdentity
    }

    @Test("two electors: one leads; the other takes over only after the lease expires")
    func takeoverAfterExpiry() async throws {
        try await TestCluster.with { cluster in
            let a = try elector(cluster, "a", release: false)
            let b = try elector(cluster, "b", release: false)
            let runA = Background { try await a.run() }
            try await eventually("a leads") { a.isLeader }
            let runB = Background { try await b.run() }
            // b keeps trying for longer than a renew period but cannot win while a renews.
            try await Task.sleep(for: .milliseconds(700))
            #expect(a.isLeader && !b.isLeader)
            #expect(try await holder(cluster) == "a")

            let changes = b.leadershipChanges()
            await runA.stop()  // no release: like a crashed pod
            #expect(try await holder(cluster) == "a")
            // The lease runs from a's last renewal, which may lie a late renew loop before the crash.
            let renewed = try await cluster.client.get(Lease.self, namespace: "default", name: "op-lock").spec?.renewTime
            let lastRenewal = try #require(renewed.flatMap(KubeTime.parse))
            try await eventually("b takes over") { b.isLeader }
            #expect(Date().timeIntervalSince(lastRenewal) >= 0.99, "not before the lease expired")
            let lease = try await cluster.client.get(Lease.self, namespace: "default", name: "op-lock")
            #expect(lease.spec?.holderIdentity == "b")
            #expect(lease.spec?.leaseTransitions == 1)
            var iterator = changes.makeAsyncIterator()
            #expect(await iterator.next() == false)
            #expect(await iterator.next() == true)
            await runB.stop()
        }
    }

    @Test("release on shutdown clears the holder and the successor takes over at once")
    func releaseOnShutdown() async throws {
        try await TestCluster.with { cluster in
            let a = try elector(cluster, "a", release: true, lease: .seconds(10))
            let b = try elector(cluster, "b", release: true, lease: .seconds(10))
            let runA = Background { try await a.run() }
            try await eventually("a leads") { a.isLeader }
            let runB = Background { try await b.run() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!b.isLeader)
            let stopped = ContinuousClock.now
            await runA.stop()
            #expect(!a.isLeader)
            try await eventually("b takes over well before the 10 s lease expires", timeout: .seconds(5)) { b.isLeader }
            #expect(ContinuousClock.now - stopped < .seconds(5))
            await runB.stop()
            #expect(try await holder(cluster) == nil, "released on shutdown")
        }
    }

    @Test("conflicting writes: exactly one of several racing electors leads")
    func onlyOneLeader() async throws {
        try await TestCluster.with { cluster in
            let electors = try (0..<3).map { try elector(cluster, "e\($0)", release: true) }
            let runs = electors.map { e in Background { try await e.run() } }
            try await eventually("someone leads") { electors.contains { $0.isLeader } }
            for _ in 0..<10 {
                #expect(electors.filter(\.isLeader).count <= 1)
                try await Task.sleep(for: .milliseconds(50))
            }
            for run in runs { await run.stop() }
        }
    }
}
