import Foundation
import KubeModel
@testable import KubeTesting
import Testing

@Suite("Object semantics over HTTP")
struct ObjectSemanticsTests {
    @Test func createFillsServerFieldsAndRejectsDuplicates() async throws {
        try await withServer { server, client in
            let created = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("a"))
            #expect(created.status == 201)
            let meta = try #require(created.json["metadata"])
            #expect(meta["uid"]?.stringValue?.count == 36)
            #expect(meta["generation"]?.intValue == 1)
            #expect(meta["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            let rv1 = try #require(Int(meta["resourceVersion"]?.stringValue ?? ""))
            let second = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("b"))
            #expect(Int(second.json[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0 > rv1)

            let duplicate = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("a"))
            #expect(duplicate.status == 409)
            #expect(duplicate.json["reason"] == "AlreadyExists")
            #expect(duplicate.json["kind"] == "Status")
            #expect(duplicate.json["message"] == "configmaps \"a\" already exists")
        }
    }

    @Test("NodePort Services get a free node port, keep it on update, and a taken or out-of-range one is refused with 422")
    func nodePorts() async throws {
        try await withServer { _, client in
            func service(_ name: String, type: String = "NodePort", nodePort: Int? = nil) -> JSONValue {
                var port: JSONValue = ["port": 80, "targetPort": 8080]
                if let nodePort { port["nodePort"] = .number(Double(nodePort)) }
                return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
                        "spec": ["type": .string(type), "selector": ["app": "x"], "ports": [port]]]
            }
            let path = "/api/v1/namespaces/default/services"
            let fixed = try await client.post(path, service("fixed", nodePort: 30080))
            #expect(fixed.status == 201 && fixed.json[path: ["spec", "ports"]]?.arrayValue?.first?["nodePort"]?.intValue == 30080)
            let free = try await client.post(path, service("free"))
            let allocated = try #require(free.json[path: ["spec", "ports"]]?.arrayValue?.first?["nodePort"]?.intValue)
            #expect((30000...32767).contains(allocated) && allocated != 30080)

            let clash = try await client.post(path, service("clash", nodePort: 30080))
            #expect(clash.status == 422)
            #expect(clash.json["message"]?.stringValue?.contains("spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated") == true)
            #expect(try await client.post(path, service("low", nodePort: 80)).status == 422)
            #expect(try await client.post(path, service("internal", type: "ClusterIP", nodePort: 30999)).status == 422)
            let clusterOnly = try await client.post(path, service("internal", type: "ClusterIP"))
            #expect(clusterOnly.status == 201 && clusterOnly.json[path: ["spec", "ports"]]?.arrayValue?.first?["nodePort"] == nil)

            var update = service("free")
            update["metadata"] = free.json["metadata"]
            let updated = try await client.put(path + "/free", update)
            #expect(updated.status == 200)
            #expect(updated.json[path: ["spec", "ports"]]?.arrayValue?.first?["nodePort"]?.intValue == allocated, "an update without nodePort keeps it")
        }
    }

    @Test func missingNamespaceIsNotFound() async throws {
        try await withServer { _, client in
            let reply = try await client.post("/api/v1/namespaces/nope/configmaps", Fixtures.configMap("a", namespace: "nope"))
            #expect(reply.status == 404)
            #expect(reply.json["message"] == "namespaces \"nope\" not found")
        }
    }

    @Test func invalidBodiesAreRejected() async throws {
        try await withServer { _, client in
            let garbage = try await client.send(
                "POST", "/api/v1/namespaces/default/configmaps", body: .string("not an object"))
            #expect(garbage.status == 400)
            let badName = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("Bad_Name"))
            #expect(badName.status == 422)
            #expect(badName.json["reason"] == "Invalid")
            #expect(badName.json[path: ["details", "causes"]]?.arrayValue?.first?["field"] == "metadata.name")
            let noName = try await client.post(
                "/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": [:]])
            #expect(noName.status == 422)
        }
    }

    @Test func generateNameMakesUniqueNames() async throws {
        try await withServer { _, client in
            let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "gen-"]]
            let a = try await client.post("/api/v1/namespaces/default/configmaps", body)
            let b = try await client.post("/api/v1/namespaces/default/configmaps", body)
            let nameA = try #require(a.json[path: ["metadata", "name"]]?.stringValue)
            #expect(nameA.hasPrefix("gen-") && nameA.count == 9)
            #expect(nameA != b.json[path: ["metadata", "name"]]?.stringValue)
        }
    }

    @Test func generationBumpsOnlyOnSpecChangeAndNoOpWritesNothing() async throws {
        try await withServer { server, client in
            let path = "/apis/apps/v1/namespaces/default/deployments"
            var deployment = try await client.post(path, Fixtures.deployment("web")).json
            #expect(deployment[path: ["metadata", "generation"]] == 1)
            deployment[path: "metadata", "labels"] = ["tier": "front"]
            deployment = try await client.put("\(path)/web", deployment).json
            #expect(deployment[path: ["metadata", "generation"]] == 1)
            let rv = deployment[path: ["metadata", "resourceVersion"]]

            let noop = try await client.put("\(path)/web", deployment).json
            #expect(noop[path: ["metadata", "resourceVersion"]] == rv)

            deployment[path: "spec", "replicas"] = 5
            deployment = try await client.put("\(path)/web", deployment).json
            #expect(deployment[path: ["metadata", "generation"]] == 2)
            #expect(server.requestLog.count(verb: "update", resource: "deployments") == 3)
        }
    }

    @Test func staleResourceVersionConflicts() async throws {
        try await withServer { _, client in
            let path = "/api/v1/namespaces/default/configmaps"
            let first = try await client.post(path, Fixtures.configMap("c")).json
            var update = first
            update["data"] = ["k": "v2"]
            #expect(try await client.put("\(path)/c", update).status == 200)
            var stale = first
            stale["data"] = ["k": "v3"]
            let conflict = try await client.put("\(path)/c", stale)
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"] == "Conflict")
            #expect(conflict.json["message"]?.stringValue?.contains("the object has been modified") == true)
        }
    }

    @Test func statusOnlyThroughStatusSubresource() async throws {
        try await withServer { _, client in
            let path = "/apis/apps/v1/namespaces/default/deployments"
            var deployment = try await client.post(path, Fixtures.deployment("web")).json
            deployment["status"] = ["readyReplicas": 2]
            deployment = try await client.put("\(path)/web", deployment).json
            #expect(deployment[path: ["status", "readyReplicas"]] == nil)

            deployment["status"] = ["readyReplicas": 2]
            deployment[path: "spec", "replicas"] = 9
            let viaStatus = try await client.put("\(path)/web/status", deployment).json
            #expect(viaStatus[path: ["status", "readyReplicas"]] == 2)
            #expect(viaStatus[path: ["spec", "replicas"]] == 2)
            #expect(viaStatus[path: ["metadata", "generation"]] == 1)

            let patched = try await client.patch("\(path)/web/status", ["status": ["availableReplicas": 1]]).json
            #expect(patched[path: ["status", "availableReplicas"]] == 1)
            #expect(patched[path: ["status", "readyReplicas"]] == 2)
            let cm = try await client.get("/api/v1/namespaces/default/configmaps/x/status")
            #expect(cm.status == 404)
        }
    }

    @Test func finalizersDelayDeletion() async throws {
        try await withServer { _, client in
            let path = "/api/v1/namespaces/default/configmaps"
            var cm = Fixtures.configMap("f")
            cm[path: "metadata", "finalizers"] = ["example.com/keep"]
            _ = try await client.post(path, cm)
            let deleted = try await client.delete("\(path)/f")
            #expect(deleted.status == 202)
            var current = try await client.get("\(path)/f").json
            #expect(current[path: ["metadata", "deletionTimestamp"]] != nil)

            current[path: "metadata", "finalizers"] = ["example.com/keep", "example.com/new"]
            #expect(try await client.put("\(path)/f", current).status == 422)

            let removed = try await client.patch("\(path)/f", ["metadata": ["finalizers": nil]])
            #expect(removed.status == 200)
            #expect(try await client.get("\(path)/f").status == 404)
        }
    }

    @Test func deletePreconditions() async throws {
        try await withServer { _, client in
            let path = "/api/v1/namespaces/default/configmaps"
            let created = try await client.post(path, Fixtures.configMap("p")).json
            let wrong = try await client.delete(
                "\(path)/p", ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": "not-it"]])
            #expect(wrong.status == 409)
            let right = try await client.delete(
                "\(path)/p", ["preconditions": ["uid": created[path: ["metadata", "uid"]] ?? .null]])
            #expect(right.status == 200)
        }
    }

    @Test func ownerReferenceCascadeIsRecursiveAndOrphanKeepsChildren() async throws {
        try await withServer { server, client in
            let owner = try await client.post("/apis/apps/v1/namespaces/default/deployments", Fixtures.deployment("own")).json
            func child(_ name: String, ownedBy parent: JSONValue, kind: String) -> JSONValue {
                var cm = Fixtures.configMap(name)
                cm[path: "metadata", "ownerReferences"] = [
                    [
                        "apiVersion": parent["apiVersion"] ?? "v1", "kind": .string(kind),
                        "name": parent[path: ["metadata", "name"]] ?? "", "uid": parent[path: ["metadata", "uid"]] ?? "",
                        "controller": true,
                    ]
                ]
                return cm
            }
            let level1 = try await client.post("/api/v1/namespaces/default/configmaps", child("l1", ownedBy: owner, kind: "Deployment")).json
            _ = try await client.post("/api/v1/namespaces/default/configmaps", child("l2", ownedBy: level1, kind: "ConfigMap"))
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("unrelated"))
            #expect(try await client.delete("/apis/apps/v1/namespaces/default/deployments/own").status == 200)
            let names = server.list(GroupVersionResource(group: "", version: "v1", resource: "configmaps"))
                .compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(names == ["unrelated"])

            let owner2 = try await client.post("/apis/apps/v1/namespaces/default/deployments", Fixtures.deployment("own2")).json
            _ = try await client.post("/api/v1/namespaces/default/configmaps", child("kept", ownedBy: owner2, kind: "Deployment"))
            _ = try await client.delete("/apis/apps/v1/namespaces/default/deployments/own2", ["propagationPolicy": "Orphan"])
            let kept = try await client.get("/api/v1/namespaces/default/configmaps/kept")
            #expect(kept.status == 200)
            #expect(kept.json[path: ["metadata", "ownerReferences"]] == nil)
        }
    }

    @Test func deletingANamespaceDeletesItsContents() async throws {
        try await withServer { _, client in
            _ = try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]])
            _ = try await client.post("/api/v1/namespaces/team/configmaps", Fixtures.configMap("x", namespace: "team"))
            _ = try await client.delete("/api/v1/namespaces/team")
            #expect(try await client.get("/api/v1/namespaces/team/configmaps/x").status == 404)
            #expect(try await client.get("/api/v1/namespaces/team").status == 404)
        }
    }

    @Test func strategicMergePatchMergesContainersByName() async throws {
        try await withServer { _, client in
            let path = "/apis/apps/v1/namespaces/default/deployments"
            _ = try await client.post(path, Fixtures.deployment("smp"))
            let patch: JSONValue = [
                "spec": ["template": ["spec": ["containers": [["name": "sidecar", "image": "gw"], ["name": "main", "image": "busybox:2"]]]]]
            ]
            let reply = try await client.patch("\(path)/smp", patch, type: "application/strategic-merge-patch+json")
            let containers = reply.json[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
            #expect(containers.count == 2)
            #expect(containers.first?["image"] == "busybox:2")

            let jsonPatch: JSONValue = [["op": "replace", "path": "/spec/replicas", "value": 7]]
            let patched = try await client.patch("\(path)/smp", jsonPatch, type: "application/json-patch+json")
            #expect(patched.json[path: ["spec", "replicas"]] == 7)
            let bad = try await client.patch("\(path)/smp", [["op": "remove", "path": "/nope"]], type: "application/json-patch+json")
            #expect(bad.status == 422)
            let unknown = try await client.patch("\(path)/smp", [:], type: "text/plain")
            #expect(unknown.status == 415)
            let missing = try await client.patch("\(path)/absent", ["spec": [:]])
            #expect(missing.status == 404)
        }
    }
}
