import AthenaAPI
import AthenaControllers
import Foundation
import KubeRuntime
import KubeTesting
import Testing

/// The BatchService status while no batch Job is run: valid or not, application usable or not, and
/// that nothing runs it here.
@Suite("BatchService status against the in-memory API server")
struct BatchServiceReconcilerTests {
    static func batch(_ name: String = "digits-batch", application: String = "digits-v1", input: String = "pvc://data/images") -> BatchService {
        BatchService(name: name, namespace: "default", spec: BatchServiceSpec(
            application: application, input: BatchInput(path: input), output: BatchOutput(path: "pvc://data/results")))
    }

    func reconcile(_ h: OperatorHarness, _ name: String = "digits-batch") async throws -> BatchServiceStatus? {
        try await h.settle()
        _ = try await h.operators.batchReconciler.reconcile(ObjectKey(namespace: "default", name: name))
        return try h.server.get(OperatorHarness.batchServices, namespace: "default", name: name)
            .map { try $0.decode(as: BatchService.self) }?.status
    }

    @Test("application missing → Pending/ApplicationNotFound; created → Pending/NotImplemented naming athena batch; unchanged → no write")
    func pendingUntilTheApplicationExists() async throws {
        try await OperatorHarness.with { h in
            try h.create(Self.batch())
            let missing = try #require(try await reconcile(h))
            #expect(missing.phase == .pending)
            #expect(missing.conditions?[type: ConditionType.ready]?.reason == ConditionReason.applicationNotFound)
            #expect(missing.conditions?[type: ConditionType.ready]?.message
                    == "spec.application: AIApplication \"digits-v1\" not found in namespace default")

            try h.create(Fixtures.application("digits-v1"))
            let known = try #require(try await reconcile(h))
            #expect(known.phase == .pending)
            let ready = try #require(known.conditions?[type: ConditionType.ready])
            #expect(ready.status == "False" && ready.reason == ConditionReason.notImplemented)
            #expect(ready.message.contains("athena batch"), "\(ready.message)")
            #expect(known.observedGeneration == 1)

            h.server.requestLog.reset()
            _ = try await reconcile(h)
            #expect(h.writes.isEmpty, "an unchanged world was written: \(h.writes)")
        }
    }

    @Test("invalid spec → Failed/InvalidSpec with the field error and one Warning Event")
    func invalidSpec() async throws {
        try await OperatorHarness.with { h in
            try h.create(Fixtures.application("digits-v1"))
            try h.create(Self.batch(input: "pvc://data/list.csv"))
            var bad = try #require(try h.server.get(OperatorHarness.batchServices, namespace: "default", name: "digits-batch")
                .map { try $0.decode(as: BatchService.self) })
            bad.spec.input.type = .manifest
            _ = try h.server.update(try JSONValue(encoding: bad))
            let failed = try #require(try await reconcile(h))
            #expect(failed.phase == .failed)
            let ready = try #require(failed.conditions?[type: ConditionType.ready])
            #expect(ready.reason == ConditionReason.invalidSpec)
            #expect(ready.message.contains("spec.input.path: a manifest input must be a .manifest file"), "\(ready.message)")
            _ = try await reconcile(h)
            #expect(h.events(about: "digits-batch").filter { $0.hasPrefix(EventReason.invalidSpec) }.count == 1)
        }
    }

    @Test("an application that does not allow batch → Pending/ApplicationNotDeployable")
    func applicationNotDeployable() async throws {
        try await OperatorHarness.with { h in
            var app = Fixtures.application("digits-v1")
            app.spec.deployTypes = [.online]
            try h.create(app)
            try h.create(Self.batch())
            let status = try #require(try await reconcile(h))
            #expect(status.conditions?[type: ConditionType.ready]?.reason == ConditionReason.applicationNotDeployable)
        }
    }
}
