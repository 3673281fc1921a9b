import KubeClient
import KubeModel
@testable import KubeRuntime
import KubeTesting
import Testing

@Suite("EventRecorder", .timeLimit(.minutes(1)))
struct EventRecorderTests {
    @Test("a repeated event bumps count and lastTimestamp instead of creating a duplicate")
    func counting() async throws {
        try await TestCluster.with { cluster in
            let subject = try await cluster.client.create(TestConfigMap(name: "subject"))
            let recorder = EventRecorder(api: cluster.client, component: "athena-operator")
            let first = await recorder.record(.normal, for: subject, reason: "DeployStarted", message: "deploying v1")
            #expect(first?.count == 1)
            #expect(first?.involvedObject.uid == subject.metadata.uid)
            _ = await recorder.record(.normal, for: subject, reason: "DeployStarted", message: "deploying v1")
            let third = await recorder.record(.normal, for: subject, reason: "DeployStarted", message: "deploying v1")
            #expect(third?.count == 3)
            #expect(third?.metadata.name == first?.metadata.name)
            _ = await recorder.record(.warning, for: subject, reason: "DeployTimeout", message: "no ready replicas")

            // A restarted operator (fresh recorder, no memory) keeps the server's count.
            let restarted = EventRecorder(api: cluster.client, component: "athena-operator")
            let fourth = await restarted.record(.normal, for: subject, reason: "DeployStarted", message: "deploying v1")
            #expect(fourth?.count == 4)

            let events = try await cluster.client.list(Event.self, namespace: "default", options: .init()).items
            #expect(events.count == 2)
            let started = try #require(events.first { $0.reason == "DeployStarted" })
            #expect(started.count == 4 && started.type == "Normal" && started.source?.component == "athena-operator")
            #expect(started.firstTimestamp != nil && started.lastTimestamp != nil)
            #expect(events.first { $0.reason == "DeployTimeout" }?.type == "Warning")
        }
    }

    @Test("an event that was deleted meanwhile is created again")
    func recreate() async throws {
        try await TestCluster.with { cluster in
            let subject = try await cluster.client.create(TestConfigMap(name: "s2"))
            let recorder = EventRecorder(api: cluster.client, component: "t")
            let first = try #require(await recorder.record(.normal, for: subject, reason: "R", message: "m"))
            try await cluster.client.delete(Event.self, namespace: "default", name: first.metadata.name ?? "", options: .init())
            let again = await recorder.record(.normal, for: subject, reason: "R", message: "m")
            #expect(again?.count == 1)
        }
    }

    @Test("failures are reported as nil, not thrown")
    func failure() async throws {
        try await TestCluster.with { cluster in
            let subject = try await cluster.client.create(TestConfigMap(name: "s3"))
            cluster.server.faults.failNext(1, status: 403, verb: "create", resource: "events")
            let recorder = EventRecorder(api: cluster.client, component: "t")
            #expect(await recorder.record(.normal, for: subject, reason: "R", message: "m") == nil)
        }
    }
}
