import Foundation
import KubeModel
@testable import KubeTesting
import Testing

@Suite("Discovery, faults, request log, workload simulation")
struct ServerFeatureTests {
    @Test func discoveryDocuments() async throws {
        try await withServer { _, client in
            #expect(try await client.get("/version").json["major"] == "1")
            #expect(try await client.get("/api").json["versions"] == ["v1"])
            let groups = try await client.get("/apis").json["groups"]?.arrayValue ?? []
            #expect(groups.contains { $0["name"] == "apps" })
            let core = try await client.get("/api/v1").json["resources"]?.arrayValue ?? []
            #expect(core.first { $0["name"] == "configmaps" }?["shortNames"] == ["cm"])
            let aggregated = try await client.get(
                "/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
            #expect(aggregated.headers["content-type"]?.contains("as=APIGroupDiscoveryList") == true)
            #expect(aggregated.json["kind"] == "APIGroupDiscoveryList")
            #expect(try await client.get("/openapi/v2").status == 404)
            #expect(try await client.get("/openapi/v3").json["paths"]?["api/v1"] != nil)
            #expect(try await client.get("/apis/nope/v1").status == 404)
        }
    }

    @Test func failNextInjectsStatusesThenRecovers() async throws {
        try await withServer { server, client in
            server.faults.failNext(2, status: 500, verb: "list", resource: "configmaps")
            #expect(try await client.get("/api/v1/namespaces/default/secrets").status == 200)
            let first = try await client.get("/api/v1/namespaces/default/configmaps")
            #expect(first.status == 500)
            #expect(first.json["reason"] == "InternalError")
            #expect(try await client.get("/api/v1/namespaces/default/configmaps").status == 500)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps").status == 200)

            server.faults.failNext(status: 429)
            let throttled = try await client.get("/api/v1/namespaces/default/configmaps")
            #expect(throttled.status == 429)
            #expect(throttled.headers["retry-after"] == "1")
            #expect(throttled.json[path: ["details", "retryAfterSeconds"]] == 1)
        }
    }

    @Test func latencyDelaysRequests() async throws {
        try await withServer { server, client in
            server.faults.setLatency(.milliseconds(300), verb: "get")
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await client.get("/api/v1/namespaces/default")
            #expect(clock.now - start >= .milliseconds(300))
            server.faults.reset()
        }
    }

    @Test func requestLogCountsVerbsAndResets() async throws {
        try await withServer { server, client in
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("l"))
            _ = try await client.get("/api/v1/namespaces/default/configmaps/l")
            _ = try await client.patch("/api/v1/namespaces/default/configmaps/l", ["data": ["k": "2"]])
            #expect(server.requestLog.count(verb: "create") == 1)
            #expect(server.requestLog.count(resource: "configmaps") == 3)
            #expect(server.requestLog.writeCount == 2)
            #expect(server.requestLog.countsByVerb["get"] == 1)
            server.requestLog.reset()
            #expect(server.requestLog.entries.isEmpty)
        }
    }

    @Test func simulatedWorkloadsBecomeReadyAndComplete() async throws {
        try await withServer(APIServer.Options(simulateWorkloads: true, workloadDelay: .milliseconds(50))) { server, client in
            _ = try await client.post("/apis/apps/v1/namespaces/default/deployments", Fixtures.deployment("sim", replicas: 3))
            let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
            let ready = await eventually {
                server.get(deployments, namespace: "default", name: "sim")?[path: ["status", "readyReplicas"]] == 3
            }
            #expect(ready)
            let job: JSONValue = [
                "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j", "namespace": "default"],
                "spec": ["completions": 2, "template": ["spec": ["containers": [["name": "c", "image": "x"]], "restartPolicy": "Never"]]],
            ]
            try server.create(job)
            let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
            let complete = await eventually {
                let status = server.get(jobs, namespace: "default", name: "j")?["status"]
                return status?["succeeded"] == 2
                    && (status?["conditions"]?.arrayValue ?? []).contains { $0["type"] == "Complete" && $0["status"] == "True" }
            }
            #expect(complete)
        }
    }

    @Test func kubeconfigPointsAtTheServer() async throws {
        try await withServer { server, _ in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("k2-\(UUID().uuidString)/config").path
            try server.writeKubeconfig(to: path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("server: http://127.0.0.1:\(server.port)"))
            #expect(text.contains("current-context: testserver"))
        }
    }
}
