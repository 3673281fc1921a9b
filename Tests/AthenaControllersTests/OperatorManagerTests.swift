import AthenaAPI
import AthenaControllers
import Foundation
import KubeRuntime
import KubeTesting
import Testing

/// The whole operator (Manager + informers + both controllers) against the in-memory API server
/// with the simulated Deployment controller: converges, within the request budget, then is quiet.
@Suite("Operator manager end to end (in process)")
struct OperatorManagerTests {
    @Test("a 2-version service converges to Running in ≤ 12 API requests, steady state writes nothing, delete cleans up")
    func convergesWithinBudget() async throws {
        let h = try await OperatorHarness.start(simulateWorkloads: true, runInformers: false)
        let manager = h.manager
        let run = Task { try await manager.run() }
        defer { run.cancel() }
        do {
            try h.create(Fixtures.application("digits-v1"))
            try h.create(Fixtures.application("digits-v2", image: "registry.example/digits:2"))
            try await eventually("applications Ready") {
                try h.application("digits-v1")?.status?.phase == .ready && h.application("digits-v2")?.status?.phase == .ready
            }

            h.server.requestLog.reset()
            try h.create(Fixtures.service(versions: [
                ServiceVersion(application: "digits-v1", weight: 90, replicas: 2),
                ServiceVersion(application: "digits-v2", weight: 10, replicas: 1),
            ]))
            try await eventually("digits Running with its success Event") {
                let status = try h.service()?.status
                return status?.phase == .running && status?.ready == "3/3"
                    && h.events(about: "digits").contains { $0.hasPrefix(EventReason.deploySucceeded) }
            }
            try await eventually("applications list digits in referencedBy") {
                try h.application("digits-v1")?.status?.referencedBy?.map(\.name) == ["digits"]
                    && h.application("digits-v2")?.status?.referencedBy?.map(\.name) == ["digits"]
            }
            try await h.settle()
            let requests = h.server.requestLog.entries.filter { !["list", "watch", "discovery"].contains($0.verb) }
            let perService = requests.filter { $0.resource != "aiapplications" }
            let lines = perService.map { "\($0.verb) \($0.resource)\($0.subresource.map { "/\($0)" } ?? "") \($0.name ?? "") → \($0.status)" }
            #expect(perService.count <= 12, "requests for one 2-version service: \(perService.count)\n\(lines.joined(separator: "\n"))")
            #expect(perService.allSatisfy { $0.status < 400 }, "failed requests: \(lines)")
            let appLines = requests.filter { $0.resource == "aiapplications" }.map { "\($0.verb) \($0.subresource.map { "/\($0)" } ?? "") \($0.name ?? "") → \($0.status)" }
            #expect(requests.count - perService.count <= 2, "AIApplication requests (referencedBy): \(appLines)")

            // Steady state: reconciling everything again writes nothing.
            h.server.requestLog.reset()
            for key in ["digits"] { h.operators.serviceController.enqueue(ObjectKey(namespace: "default", name: key)) }
            for key in ["digits-v1", "digits-v2"] { h.operators.applicationController.enqueue(ObjectKey(namespace: "default", name: key)) }
            try await eventually("queues drained") {
                h.operators.serviceController.queue.depth == 0 && h.operators.applicationController.queue.depth == 0
            }
            #expect(try await h.operators.serviceReconciler.reconcile(ObjectKey(namespace: "default", name: "digits")) == .done)
            #expect(try await h.operators.applicationReconciler.reconcile(ObjectKey(namespace: "default", name: "digits-v1")) == .done)
            #expect(h.server.requestLog.writeCount == 0, "steady state wrote: \(h.writes)")

            // Delete: children go with the owner, the applications forget the service and can be deleted.
            try h.server.delete(OperatorHarness.onlineServices, namespace: "default", name: "digits")
            #expect(h.childNames().isEmpty)
            try await eventually("referencedBy cleared") {
                try h.application("digits-v1")?.status?.referencedBy == nil
            }
            try h.server.delete(OperatorHarness.applications, namespace: "default", name: "digits-v1")
            try await eventually("unused application deleted") { try h.application("digits-v1") == nil }
        } catch {
            run.cancel()
            _ = await run.result
            await h.stop()
            throw error
        }
        run.cancel()
        _ = await run.result
        await h.stop()
    }

    @Test("injected 500s on creates and a 409 on the status write still converge to Running")
    func convergesUnderFaults() async throws {
        let h = try await OperatorHarness.start(simulateWorkloads: true, runInformers: false)
        let manager = h.manager
        let run = Task { try await manager.run() }
        defer { run.cancel() }
        h.server.faults.failNext(2, status: 500, verb: "create", resource: "deployments")
        h.server.faults.failNext(1, status: 409, verb: "update", resource: "onlineservices/status")
        h.server.faults.failNext(1, status: 500, verb: "update", resource: "aiapplications/status")
        try h.createDigits()
        let converged: Result<Void, any Error>
        do {
            try await eventually("digits Running despite faults") {
                try h.service()?.status?.phase == .running && h.childNames().count == 7
            }
            converged = .success(())
        } catch {
            converged = .failure(error)
        }
        run.cancel()
        _ = await run.result
        await h.stop()
        try converged.get()
    }
}
