import AthenaAPI
@testable import AthenaControllers
import Foundation
import KubeRuntime
import KubeTesting
import Testing

@Suite("OnlineService reconciler against the in-memory API server")
struct OnlineServiceReconcilerTests {
    @Test("children are created with a controller owner reference, status goes Deploying → Running, a second reconcile writes nothing")
    func deployToRunning() async throws {
        try await OperatorHarness.with { h in
            try h.createDigits()
            try await h.reconcileApplication("digits-v1")
            try await h.reconcileApplication("digits-v2")
            let first = try await h.reconcileService()
            #expect(first == .requeue(after: .seconds(1200)), "requeue until the deploy timeout")

            #expect(h.childNames() == [
                "ConfigMap/digits-routing", "Deployment/digits-digits-v1", "Deployment/digits-digits-v2",
                "NetworkPolicy/digits-engines", "Service/digits", "Service/digits-digits-v1-engine",
                "Service/digits-digits-v2-engine",
            ])
            let service = try #require(try h.service())
            for resource in OperatorHarness.childResources {
                for child in h.server.list(resource, namespace: "default") {
                    let refs = child["metadata"]?["ownerReferences"]?.arrayValue ?? []
                    #expect(refs.count == 1)
                    #expect(refs.first?["uid"]?.stringValue == service.metadata.uid)
                    #expect(refs.first?["controller"]?.boolValue == true)
                    #expect(refs.first?["kind"]?.stringValue == "OnlineService")
                }
            }
            #expect(service.status?.phase == .deploying)
            #expect(service.status?.conditions?[type: ConditionType.progressing]?.status == "True")
            #expect(service.status?.ready == "0/3")
            #expect(h.events(about: "digits").contains("\(EventReason.deployStarted): deploying 2 versions"))

            try h.markDeploymentReady(OperatorHarness.deploymentV1)
            try h.markDeploymentReady(OperatorHarness.deploymentV2)
            #expect(try await h.reconcileService() == .done)
            let running = try #require(try h.service())
            let status = try #require(running.status)
            #expect(status.phase == .running)
            #expect(status.observedGeneration == running.metadata.generation)
            #expect(status.versions == [
                VersionStatus(application: "digits-v1", weight: 90, replicas: 2, readyReplicas: 2),
                VersionStatus(application: "digits-v2", weight: 10, replicas: 1, readyReplicas: 1),
            ])
            #expect(status.ready == "3/3" && status.readyVersions == "2/2")
            #expect(status.url == "http://digits.default.svc:80")
            let ready = try #require(status.conditions?[type: ConditionType.ready])
            #expect(ready.status == "True" && ready.reason == ConditionReason.running)
            #expect(ready.message.contains("node port 30080"), "\(ready.message)")
            #expect(ready.observedGeneration == running.metadata.generation)
            #expect(status.conditions?[type: ConditionType.progressing]?.status == "False")
            #expect(status.conditions?[type: ConditionType.degraded]?.status == "False")
            #expect(h.events(about: "digits").contains { $0.hasPrefix("\(EventReason.deploySucceeded): running: 2/2 versions ready") })

            h.server.requestLog.reset()
            #expect(try await h.reconcileService() == .done)
            #expect(h.writes.isEmpty, "an unchanged world was written: \(h.writes)")
            #expect(h.server.requestLog.entries.filter { $0.verb == "get" }.isEmpty, "reconcile must read from the caches")
        }
    }

    @Test("drift is repaired: an edited Deployment image is restored, a deleted ConfigMap recreated")
    func driftRepaired() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            var deployment = try #require(h.child(DeploymentKind.resource, OperatorHarness.deploymentV1))
            var containers = try #require(deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue)
            containers[0]["image"] = "evil:latest"
            deployment["spec"]?["template"]?["spec"]?["containers"] = .array(containers)
            _ = try h.server.update(deployment)
            try h.server.delete(ConfigMapKind.resource, namespace: "default", name: "digits-routing")

            h.server.requestLog.reset()
            try await h.reconcileService()
            #expect(h.server.requestLog.count(verb: "update", resource: "deployments") == 1)
            #expect(h.server.requestLog.count(verb: "create", resource: "configmaps") == 1)
            let repaired = try #require(h.child(DeploymentKind.resource, OperatorHarness.deploymentV1))
            #expect(repaired["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]?.stringValue
                    == "registry.example/digits:1")
            #expect(h.child(ConfigMapKind.resource, "digits-routing") != nil)

            // The repaired Deployment rolls out again: Warning until its replicas are back.
            try await h.reconcileService()
            #expect(try h.service()?.status?.phase == .warning)
            #expect(try h.condition(ConditionType.degraded)?.reason == ConditionReason.replicasUnavailable)
            try h.markDeploymentReady(OperatorHarness.deploymentV1)
            try await h.reconcileService()
            #expect(try h.service()?.status?.phase == .running)
        }
    }

    @Test("changing weights rewrites only the routing ConfigMap (and the status); Deployments are untouched")
    func weightsChangeOnlyConfigMap() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            let before = h.childVersions().filter { !$0.hasPrefix("ConfigMap/") }
            try h.updateService {
                $0.versions[0].weight = 50
                $0.versions[1].weight = 50
            }
            h.server.requestLog.reset()
            try await h.reconcileService()
            #expect(h.writes.sorted() == ["update configmaps digits-routing", "update onlineservices/status digits"])
            #expect(h.childVersions().filter { !$0.hasPrefix("ConfigMap/") } == before)
            let routing = try #require(h.child(ConfigMapKind.resource, "digits-routing")?["data"]?["routing.yaml"]?.stringValue)
            #expect(routing.contains("\"weight\" : 50"), "\(routing)")
            #expect(try h.service()?.status?.phase == .running)
            #expect(try h.service()?.status?.versions?.map(\.weight) == [50, 50])
        }
    }

    @Test("removing a version deletes its Deployment and engine Service")
    func versionRemoved() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            try h.updateService {
                $0.versions = [ServiceVersion(application: "digits-v1", weight: 100, replicas: 2)]
            }
            try await h.reconcileService()
            #expect(h.childNames() == [
                "ConfigMap/digits-routing", "Deployment/digits-digits-v1", "NetworkPolicy/digits-engines",
                "Service/digits", "Service/digits-digits-v1-engine",
            ])
            #expect(try h.service()?.status?.versions?.map(\.application) == ["digits-v1"])
            #expect(try h.service()?.status?.phase == .running)
        }
    }

    @Test("stop scales every version to zero (objects kept) → Stopped with an Event; start again → Running")
    func stopAndStart() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            try h.updateService { $0.stopped = true }
            try await h.reconcileService()
            for name in [OperatorHarness.deploymentV1, OperatorHarness.deploymentV2] {
                #expect(h.child(DeploymentKind.resource, name)?["spec"]?["replicas"]?.intValue == 0)
            }
            #expect(h.childNames().count == 7, "objects are kept while stopped")
            #expect(try h.service()?.status?.phase == .stopping)

            try h.markDeploymentReady(OperatorHarness.deploymentV1)
            try h.markDeploymentReady(OperatorHarness.deploymentV2)
            try await h.reconcileService()
            let stopped = try #require(try h.service()?.status)
            #expect(stopped.phase == .stopped)
            #expect(stopped.stoppedAt != nil)
            #expect(stopped.ready == "0/0")
            #expect(stopped.conditions?[type: ConditionType.ready]?.reason == ConditionReason.stopped)
            #expect(h.events(about: "digits").contains { $0.hasPrefix("\(EventReason.stopped): stopped") })

            try h.updateService { $0.stopped = false }
            try await h.reconcileService()
            #expect(h.child(DeploymentKind.resource, OperatorHarness.deploymentV1)?["spec"]?["replicas"]?.intValue == 2)
            #expect(try h.service()?.status?.phase == .deploying)
            #expect(h.events(about: "digits").contains { $0.hasPrefix("\(EventReason.started): starting again") })
            try h.markDeploymentReady(OperatorHarness.deploymentV1)
            try h.markDeploymentReady(OperatorHarness.deploymentV2)
            try await h.reconcileService()
            #expect(try h.service()?.status?.phase == .running)
            #expect(try h.service()?.status?.stoppedAt == nil)
        }
    }

    @Test("auto-stop: armed when Running, at the due time the operator sets spec.stopped → Stopped (AutoStopped); stopped: false starts it again")
    func autoStop() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            try h.updateService { $0.autoStop = AutoStopSpec(after: "1h") }
            let armed = try await h.reconcileService()
            let due = h.clock.now + 3600
            #expect(try h.service()?.status?.autoStopAt == KubeTime.time(due))
            let left = try #require(KubeTime.parse(KubeTime.time(due))).timeIntervalSince(h.clock.now)
            #expect(armed == .requeue(after: .milliseconds(Int64((left * 1000).rounded(.up)))),
                    "requeue when it is due, not before: \(armed)")
            #expect(h.events(about: "digits").contains("\(EventReason.autoStopArmed): auto-stop on: the service stops in 1h, at \(KubeTime.time(due))"))

            h.clock.advance(seconds: 1800)
            try await h.reconcileService()
            #expect(try h.service()?.spec.stopped != true, "not yet due")

            h.clock.advance(seconds: 1801)
            #expect(try await h.reconcileService() == .done)
            let fired = try #require(try h.service())
            #expect(fired.spec.stopped == true, "auto-stop sets spec.stopped")
            #expect(h.events(about: "digits").contains(
                "\(EventReason.autoStopFired): auto-stop is due after serving for 1h: stopping the service (set spec.stopped to false to start again)"))

            try await h.reconcileService()
            for name in [OperatorHarness.deploymentV1, OperatorHarness.deploymentV2] {
                #expect(h.child(DeploymentKind.resource, name)?["spec"]?["replicas"]?.intValue == 0)
            }
            #expect(try h.condition(ConditionType.ready)?.reason == ConditionReason.autoStopped)
            try h.markDeploymentReady(OperatorHarness.deploymentV1)
            try h.markDeploymentReady(OperatorHarness.deploymentV2)
            try await h.reconcileService()
            let stopped = try #require(try h.service()?.status)
            #expect(stopped.phase == .stopped && stopped.autoStopAt == nil)
            #expect(stopped.conditions?[type: ConditionType.ready]?.reason == ConditionReason.autoStopped)
            #expect(h.events(about: "digits").filter { $0.hasPrefix(EventReason.autoStopFired) }.count == 1, "fired once")

            try h.updateService { $0.stopped = false }
            try await h.reconcileService()
            try h.markDeploymentReady(OperatorHarness.deploymentV1)
            try h.markDeploymentReady(OperatorHarness.deploymentV2)
            try await h.reconcileService()
            let again = try #require(try h.service()?.status)
            #expect(again.phase == .running)
            #expect(again.autoStopAt == KubeTime.time(h.clock.now + 3600), "armed again from the new start")
        }
    }

    @Test("auto-stop from a stale cache: the patch carries the resourceVersion read, gets 409 and changes nothing")
    func autoStopStaleCache() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            try h.updateService { $0.autoStop = AutoStopSpec(after: "1m") }
            try await h.reconcileService()
            h.clock.advance(seconds: 61)
            let reconciler = h.operators.serviceReconciler
            let cached = try #require(try h.service())
            try h.updateService { $0.versions[0].weight = 80; $0.versions[1].weight = 20 }  // the cache has not seen this yet
            try await reconciler.fireAutoStop(cached, after: 60)
            #expect(try h.service()?.spec.stopped != true, "a stale read must not stop the service")
            #expect(!h.events(about: "digits").contains { $0.hasPrefix(EventReason.autoStopFired) })
        }
    }

    @Test("no ready replicas within deployTimeoutSeconds: Failed, reason DeployTimeout, Warning Event; ready later → Running")
    func deployTimeout() async throws {
        try await OperatorHarness.with { h in
            try h.createDigits(deployTimeoutSeconds: 60)
            #expect(try await h.reconcileService() == .requeue(after: .seconds(60)))
            h.clock.advance(seconds: 45)
            #expect(try await h.reconcileService() == .requeue(after: .seconds(15)))
            #expect(try h.service()?.status?.phase == .deploying)
            h.clock.advance(seconds: 15)
            #expect(try await h.reconcileService() == .done)
            let status = try #require(try h.service()?.status)
            #expect(status.phase == .failed)
            let ready = try #require(status.conditions?[type: ConditionType.ready])
            #expect(ready.reason == ConditionReason.deployTimeout)
            #expect(ready.message.hasPrefix("deploy timeout: not Running within 60s; short: digits-v1 0/2, digits-v2 0/1"),
                    "\(ready.message)")
            #expect(h.events(about: "digits").contains { $0.hasPrefix("\(EventReason.deployTimeout): deploy timeout") })

            h.server.requestLog.reset()
            try await h.reconcileService()
            #expect(h.writes.isEmpty, "the timeout is told once: \(h.writes)")

            try h.markDeploymentReady(OperatorHarness.deploymentV1)
            try h.markDeploymentReady(OperatorHarness.deploymentV2)
            try await h.reconcileService()
            #expect(try h.service()?.status?.phase == .running)
        }
    }

    @Test("a reconcile right after the first one, before the caches saw its writes, writes nothing (no AlreadyExists, no Conflict)")
    func staleCacheRemembersOwnWrites() async throws {
        try await OperatorHarness.with { h in
            try h.createDigits()
            try await h.reconcileService()
            h.server.requestLog.reset()
            let key = ObjectKey(namespace: "default", name: "digits")
            _ = try await h.operators.serviceReconciler.reconcile(key)  // no settle(): the cache may lag
            #expect(h.server.requestLog.entries.allSatisfy { $0.status < 400 }, "\(h.server.requestLog.entries)")
            #expect(h.writes.isEmpty, "\(h.writes)")
        }
    }

    @Test("a same-named object controlled by someone else is not taken over: Failed, reason ChildConflict")
    func childConflict() async throws {
        try await OperatorHarness.with { h in
            try h.create(Fixtures.service("other", versions: [ServiceVersion(application: "digits-v1", weight: 100)]))
            let other = try #require(try h.service("other"))
            let foreign: JSONValue = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "name": "digits-routing", "namespace": "default",
                    "ownerReferences": [[
                        "apiVersion": .string(ServingAPI.apiVersion), "kind": "OnlineService", "name": "other",
                        "uid": .string(other.metadata.uid ?? ""), "controller": true,
                    ]],
                ],
                "data": ["routing.yaml": "theirs"],
            ]
            _ = try h.server.create(foreign)
            try h.createDigits()
            try await h.reconcileService()
            let ready = try #require(try h.condition(ConditionType.ready))
            #expect(ready.reason == ConditionReason.childConflict)
            #expect(ready.message.hasPrefix("ConfigMap digits-routing already exists and is controlled by OnlineService/other"))
            #expect(h.child(ConfigMapKind.resource, "digits-routing")?["data"]?["routing.yaml"]?.stringValue == "theirs")
        }
    }

    @Test("deleting the service removes every child through owner references")
    func deleteRemovesChildren() async throws {
        try await OperatorHarness.with { h in
            try await h.runDigits()
            try h.server.delete(OperatorHarness.onlineServices, namespace: "default", name: "digits")
            #expect(h.childNames().isEmpty)
            h.server.requestLog.reset()
            #expect(try await h.reconcileService() == .done)
            #expect(h.writes.isEmpty)
        }
    }
}
