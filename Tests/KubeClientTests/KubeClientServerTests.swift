import Foundation
import KubeClient
import KubeModel
import KubeTesting
import Testing

/// The real client (libcurl) against the in-memory API server on loopback.
@Suite("KubeClient against the in-memory API server")
struct KubeClientServerTests {
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")

    static func withServer(_ body: (APIServer, KubeClient) async throws -> Void) async throws {
        let server = try await APIServer.start()
        let client = KubeClient(
            config: try KubeConfig.parse(yaml: server.kubeconfigYAML(namespace: "default"), source: "testserver"),
            maxRetryAfter: .milliseconds(50))
        do {
            try await body(server, client)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func configMap(_ name: String, labels: [String: String] = [:], data: [String: String] = [:]) -> UnstructuredObject {
        UnstructuredObject(json: [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "namespace": "default", "labels": .object(labels.mapValues(JSONValue.string))],
            "data": .object(data.mapValues(JSONValue.string)),
        ])
    }

    @Test func typedCRUDWithConflictOnStaleUpdate() async throws {
        try await Self.withServer { server, client in
            let created = try await client.create(
                Lease(metadata: ObjectMeta(name: "leader", namespace: "default"), spec: LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15)))
            #expect(created.metadata.uid?.isEmpty == false)
            let rv = try #require(created.metadata.resourceVersion)

            var fetched = try await client.get(Lease.self, namespace: "default", name: "leader")
            #expect(fetched.spec?.holderIdentity == "a")
            fetched.spec?.holderIdentity = "b"
            let updated = try await client.update(fetched)
            #expect(updated.spec?.holderIdentity == "b")
            #expect(updated.metadata.resourceVersion != rv)

            var stale = created
            stale.spec?.holderIdentity = "c"
            let conflict = await #expect(throws: KubeError.self) { _ = try await client.update(stale) }
            #expect(conflict?.isConflict == true, "\(String(describing: conflict))")

            let duplicate = await #expect(throws: KubeError.self) {
                _ = try await client.create(Lease(metadata: ObjectMeta(name: "leader", namespace: "default")))
            }
            #expect(duplicate?.isAlreadyExists == true)

            let patched = try await client.patch(
                Lease.self, namespace: "default", name: "leader", mergePatch: ["spec": ["leaseTransitions": 4]], subresource: nil)
            #expect(patched.spec?.leaseTransitions == 4)
            #expect(patched.spec?.holderIdentity == "b")

            try await client.delete(Lease.self, namespace: "default", name: "leader", options: DeleteOptions())
            let missing = await #expect(throws: KubeError.self) {
                _ = try await client.get(Lease.self, namespace: "default", name: "leader")
            }
            #expect(missing?.isNotFound == true)
        }
    }

    @Test func deletePreconditionMismatchIsConflict() async throws {
        try await Self.withServer { _, client in
            _ = try await client.create(Self.configMaps, Self.configMap("cm"))
            let error = await #expect(throws: KubeError.self) {
                try await client.delete(
                    Self.configMaps, namespace: "default", name: "cm", options: DeleteOptions(preconditionUID: "not-the-uid"))
            }
            #expect(error?.isConflict == true, "\(String(describing: error))")
        }
    }

    @Test func statusSubresourceIgnoresSpecAndMainIgnoresStatus() async throws {
        try await Self.withServer { _, client in
            let deployment = UnstructuredObject(json: [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": "web", "namespace": "default"],
                "spec": [
                    "replicas": 1, "selector": ["matchLabels": ["app": "web"]],
                    "template": [
                        "metadata": ["labels": ["app": "web"]],
                        "spec": ["containers": [["name": "c", "image": "nginx"]]],
                    ],
                ],
            ])
            var created = try await client.create(Self.deployments, deployment)
            let generation = created.metadata.generation
            created.json["status"] = ["readyReplicas": 1]
            var withStatus = created
            withStatus.json["spec"]?["replicas"] = 5
            let afterStatus = try await client.updateStatus(Self.deployments, withStatus)
            #expect(afterStatus.json[path: ["status", "readyReplicas"]] == 1)
            #expect(afterStatus.json[path: ["spec", "replicas"]] == 1, "spec is ignored on /status")
            #expect(afterStatus.metadata.generation == generation, "a status write does not bump generation")

            let patched = try await client.patch(
                Self.deployments, namespace: "default", name: "web", mergePatch: ["status": ["readyReplicas": 2]],
                subresource: "status")
            #expect(patched.json[path: ["status", "readyReplicas"]] == 2)
        }
    }

    /// Both watch tests read their stream to its end (the server's `timeoutSeconds`, or its
    /// close after a 410) so no watch is open when the server stops.
    @Test func watchDeliversEventsInOrder() async throws {
        try await Self.withServer { _, client in
            let start = try await client.list(Self.configMaps, namespace: "default", options: ListOptions())
            let stream = try await client.watch(
                Self.configMaps, namespace: "default",
                options: ListOptions(resourceVersion: start.resourceVersion, timeoutSeconds: 2))
            _ = try await client.create(Self.configMaps, Self.configMap("w", data: ["k": "1"]))
            _ = try await client.patch(
                Self.configMaps, namespace: "default", name: "w", mergePatch: ["data": ["k": "2"]], subresource: nil)
            try await client.delete(Self.configMaps, namespace: "default", name: "w", options: DeleteOptions())

            var seen: [String] = []
            for try await event in stream {
                switch event {
                case .added(let o): seen.append("ADDED \(o.json[path: ["data", "k"]]?.stringValue ?? "")")
                case .modified(let o): seen.append("MODIFIED \(o.json[path: ["data", "k"]]?.stringValue ?? "")")
                case .deleted: seen.append("DELETED")
                case .bookmark: continue
                case .error(let status): Issue.record("unexpected error event \(status)")
                }
                if seen.count > 10 { break }
            }
            #expect(seen == ["ADDED 1", "MODIFIED 2", "DELETED"])
        }
    }

    @Test func typedWatchOfExpiredHistoryGivesGone() async throws {
        try await Self.withServer { server, client in
            _ = try await client.create(Lease(metadata: ObjectMeta(name: "a", namespace: "default")))
            server.expireWatchHistory()
            do {
                let stream = try await client.watch(
                    Lease.self, namespace: "default", options: ListOptions(resourceVersion: "1", timeoutSeconds: 2))
                var events: [WatchEvent<Lease>] = []
                for try await event in stream {
                    events.append(event)
                    if events.count > 10 { break }
                }
                guard case .error(let status)? = events.first else {
                    Issue.record("expected an ERROR event first, got \(events)")
                    return
                }
                #expect(status.code == 410)
            } catch let error as KubeError {
                #expect(error.isGone, "\(error)")
            }
        }
    }

    @Test func labelSelectorsAndPagination() async throws {
        try await Self.withServer { _, client in
            for index in 0..<7 {
                _ = try await client.create(
                    Self.configMaps, Self.configMap("cm-\(index)", labels: ["tier": index.isMultiple(of: 2) ? "even" : "odd"]))
            }
            let even = try await client.list(Self.configMaps, namespace: "default", options: ListOptions(labelSelector: "tier=even"))
            #expect(Set(even.items.compactMap(\.name)) == ["cm-0", "cm-2", "cm-4", "cm-6"])
            #expect(even.items.allSatisfy { $0.kind == "ConfigMap" })
            let notEven = try await client.list(
                Self.configMaps, namespace: "default", options: ListOptions(labelSelector: "tier in (odd),tier!=even"))
            #expect(notEven.items.count == 3)

            var names: [String] = []
            var options = ListOptions(labelSelector: "tier", limit: 3)
            for _ in 0..<10 {
                let page = try await client.list(Self.configMaps, namespace: "default", options: options)
                #expect(page.items.count <= 3)
                names += page.items.compactMap(\.name)
                guard let next = page.continue else { break }
                options.continue = next
            }
            #expect(names.sorted() == (0..<7).map { "cm-\($0)" }.sorted())
        }
    }

    @Test(arguments: [(401, "Unauthorized"), (403, "Forbidden"), (409, "Conflict"), (410, "Gone"), (500, "InternalError")])
    func injectedFailuresMapToAPIErrors(_ code: Int, _ reason: String) async throws {
        try await Self.withServer { server, client in
            server.faults.failNext(1, status: code)
            let error = await #expect(throws: KubeError.self) {
                _ = try await client.list(Self.configMaps, namespace: "default", options: ListOptions())
            }
            #expect(error?.apiStatus?.code == code)
            if code == 410 {
                // The server may say Gone or Expired; both mean "relist".
                #expect(error?.isGone == true)
            } else {
                #expect(error?.reason == reason)
            }
            _ = try await client.list(Self.configMaps, namespace: "default", options: ListOptions())
        }
    }

    @Test func throttlingIsRetriedTransparently() async throws {
        try await Self.withServer { server, client in
            server.faults.failNext(2, status: 429, retryAfterSeconds: 1)
            let list = try await client.list(Self.configMaps, namespace: "default", options: ListOptions())
            #expect(list.resourceVersion.isEmpty == false)
            server.faults.failNext(10, status: 429, retryAfterSeconds: 1)
            let error = await #expect(throws: KubeError.self) {
                _ = try await client.list(Self.configMaps, namespace: "default", options: ListOptions())
            }
            #expect(error?.apiStatus?.code == 429)
            #expect(error?.apiStatus?.details?.retryAfterSeconds == 1)
        }
    }
}
