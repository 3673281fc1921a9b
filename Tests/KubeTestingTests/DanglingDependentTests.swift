import Foundation
import KubeModel
import Testing
@testable import KubeTesting

/// A dependent created after its owner is gone (a controller reconciling from a stale cache) is
/// garbage collected, as the real collector does; live owners and unknown owner kinds keep it.
@Suite("Garbage collection of dangling dependents")
struct DanglingDependentTests {
    @Test("created with a deleted owner's uid → collected; live owner or unknown kind → kept")
    func danglingDependentIsCollected() async throws {
        try await withServer { server, client in
            let owner = try await client.post("/apis/apps/v1/namespaces/default/deployments", Fixtures.deployment("own")).json
            let uid = owner[path: ["metadata", "uid"]] ?? ""
            func child(_ name: String, kind: String = "Deployment", apiVersion: String = "apps/v1", uid: JSONValue) -> JSONValue {
                var map = Fixtures.configMap(name)
                map[path: "metadata", "ownerReferences"] = [
                    ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": "own", "uid": uid, "controller": true]
                ]
                return map
            }
            #expect(try await client.post("/api/v1/namespaces/default/configmaps", child("live", uid: uid)).status == 201)
            #expect(try await client.delete("/apis/apps/v1/namespaces/default/deployments/own").status == 200)
            let late = try await client.post("/api/v1/namespaces/default/configmaps", child("late", uid: uid))
            #expect(late.status == 201, "the create itself succeeds, like the real API server")
            let unknown = try await client.post(
                "/api/v1/namespaces/default/configmaps", child("foreign", kind: "Widget", apiVersion: "example.com/v1", uid: "x"))
            #expect(unknown.status == 201)
            let names = server.list(GroupVersionResource(group: "", version: "v1", resource: "configmaps"))
                .compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(names == ["foreign"], "live was collected with its owner, late as dangling, foreign kept")
        }
    }
}
