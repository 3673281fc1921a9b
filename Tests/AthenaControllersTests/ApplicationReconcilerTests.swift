import AthenaAPI
import AthenaControllers
import Foundation
import KubeTesting
import Testing

@Suite("AIApplication reconciler against the in-memory API server")
struct ApplicationReconcilerTests {
    @Test("a valid application becomes Ready with the finalizer, and a second reconcile writes nothing")
    func validApplicationIsReady() async throws {
        try await OperatorHarness.with { h in
            try h.create(Fixtures.application("digits-v1"))
            try await h.reconcileApplication("digits-v1")
            let app = try #require(try h.application("digits-v1"))
            #expect(app.status?.phase == .ready)
            #expect(app.status?.observedGeneration == app.metadata.generation)
            #expect(app.metadata.finalizers == [ServingAPI.finalizer])
            let ready = try #require(app.status?.conditions?[type: ConditionType.ready])
            #expect(ready.status == "True" && ready.reason == ConditionReason.reconciled)
            #expect(app.status?.conditions?[type: ConditionType.schemaValid]?.status == "True")
            #expect(app.status?.conditions?[type: ConditionType.inUse]?.status == "False")

            h.server.requestLog.reset()
            try await h.reconcileApplication("digits-v1")
            #expect(h.writes.isEmpty, "second reconcile wrote: \(h.writes)")
        }
    }

    @Test("an invalid JSON schema in apis makes the application Failed with the field path in the message")
    func invalidSchemaFails() async throws {
        try await OperatorHarness.with { h in
            let schema: JSONValue = ["type": "objekt", "properties": ["image": ["type": "string"]]]
            try h.create(Fixtures.application("bad", apis: [ModelAPI(url: "/", method: "post",
                request: ModelAPIMessage(contentType: "application/json", data: schema))]))
            try await h.reconcileApplication("bad")
            let app = try #require(try h.application("bad"))
            #expect(app.status?.phase == .failed)
            let ready = try #require(app.status?.conditions?[type: ConditionType.ready])
            #expect(ready.status == "False")
            #expect(ready.reason == ConditionReason.schemaInvalid)
            #expect(ready.message.contains("spec.apis[0].request"), "message: \(ready.message)")
            #expect(app.status?.conditions?[type: ConditionType.schemaValid]?.status == "False")
            #expect(h.events(about: "bad").contains { $0.hasPrefix("\(EventReason.invalidSpec): spec.apis[0]") },
                    "events: \(h.events(about: "bad"))")
        }
    }

    @Test("no image and no model package: Failed, reason InvalidSpec, message names spec.runtime.image")
    func missingImageFails() async throws {
        try await OperatorHarness.with { h in
            try h.create(AIApplication(name: "empty", namespace: "default", spec: AIApplicationSpec(version: "1.0.0")))
            try await h.reconcileApplication("empty")
            let ready = try #require(try h.application("empty")?.status?.conditions?[type: ConditionType.ready])
            #expect(ready.reason == ConditionReason.invalidSpec)
            #expect(ready.message.hasPrefix("spec.runtime.image: is required"), "message: \(ready.message)")
            #expect(try h.application("empty")?.status?.phase == .failed)
        }
    }

    @Test("referencedBy lists the OnlineServices and BatchServices that use it; the finalizer holds deletion until they are gone")
    func finalizerBlocksDeletionWhileUsed() async throws {
        try await OperatorHarness.with { h in
            try h.create(Fixtures.application("digits-v1"))
            try h.create(Fixtures.service(versions: [ServiceVersion(application: "digits-v1", weight: 100)]))
            try h.create(BatchService(name: "digits-batch", namespace: "default", spec: BatchServiceSpec(
                application: "digits-v1", input: BatchInput(path: "pvc://data/in/"), output: BatchOutput(path: "pvc://data/out/"))))
            try await h.reconcileApplication("digits-v1")
            var app = try #require(try h.application("digits-v1"))
            #expect(app.status?.referencedBy == [
                ResourceReference(kind: "BatchService", name: "digits-batch"), ResourceReference(kind: "OnlineService", name: "digits"),
            ])
            #expect(app.status?.conditions?[type: ConditionType.inUse]?.reason == ConditionReason.referenced)

            // kubectl delete: the finalizer keeps it while it is used.
            try h.server.delete(OperatorHarness.applications, namespace: "default", name: "digits-v1")
            try await h.reconcileApplication("digits-v1")
            app = try #require(try h.application("digits-v1"), "deleted while still in use")
            #expect(app.metadata.finalizers == [ServingAPI.finalizer])
            let inUse = try #require(app.status?.conditions?[type: ConditionType.inUse])
            #expect(inUse.reason == ConditionReason.deletionBlocked)
            #expect(inUse.message.contains("OnlineService/digits") && inUse.message.contains("BatchService/digits-batch"))
            #expect(h.events(about: "digits-v1").contains { $0.hasPrefix("\(EventReason.deletionBlocked): deletion waits") })

            try h.server.delete(OperatorHarness.onlineServices, namespace: "default", name: "digits")
            try await h.reconcileApplication("digits-v1")
            #expect(try h.application("digits-v1") != nil, "still used by the BatchService")
            #expect(try h.application("digits-v1")?.status?.referencedBy == [ResourceReference(kind: "BatchService", name: "digits-batch")])

            try h.server.delete(OperatorHarness.batchServices, namespace: "default", name: "digits-batch")
            try await h.reconcileApplication("digits-v1")
            #expect(try h.application("digits-v1") == nil, "the finalizer was not dropped")
        }
    }

    @Test("an unused application is deleted at once (the finalizer is dropped on the first reconcile)")
    func unusedApplicationDeletes() async throws {
        try await OperatorHarness.with { h in
            try h.create(Fixtures.application("digits-v1"))
            try await h.reconcileApplication("digits-v1")
            try h.server.delete(OperatorHarness.applications, namespace: "default", name: "digits-v1")
            #expect(try h.application("digits-v1") != nil)
            try await h.reconcileApplication("digits-v1")
            #expect(try h.application("digits-v1") == nil)
        }
    }
}
