import Foundation
import KubeModel
@testable import KubeTesting
import Testing

@Suite("Lists, selectors and watches")
struct ListWatchTests {
    private func seed(_ client: TestClient) async throws {
        let labels: [(String, [String: String])] = [
            ("a", ["app": "web", "tier": "front"]), ("b", ["app": "web", "tier": "back"]), ("c", ["app": "db"]), ("d", [:]),
        ]
        for (name, labelMap) in labels {
            var cm = Fixtures.configMap(name)
            if !labelMap.isEmpty { cm[path: "metadata", "labels"] = .object(labelMap.mapValues(JSONValue.string)) }
            #expect(try await client.post("/api/v1/namespaces/default/configmaps", cm).status == 201)
        }
    }

    @Test(arguments: [
        ("app=web", ["a", "b"]), ("app==web", ["a", "b"]), ("app!=web", ["c", "d"]), ("tier in (front,back)", ["a", "b"]),
        ("tier notin (front)", ["b", "c", "d"]), ("tier", ["a", "b"]), ("!tier", ["c", "d"]), ("app=web,tier=back", ["b"]),
    ])
    func labelSelectors(selector: String, expected: [String]) async throws {
        try await withServer { _, client in
            try await seed(client)
            let encoded = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
            let reply = try await client.get("/api/v1/namespaces/default/configmaps?labelSelector=\(encoded)")
            #expect(reply.status == 200)
            let names = (reply.json["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
            #expect(names == expected)
        }
    }

    @Test func badSelectorsAreBadRequests() async throws {
        try await withServer { (_: APIServer, client: TestClient) async throws in
            #expect(try await client.get("/api/v1/configmaps?labelSelector=a%20in%20b").status == 400)
            #expect(try await client.get("/api/v1/configmaps?fieldSelector=nonsense").status == 400)
        }
    }

    @Test func fieldSelectorsAndAllNamespaces() async throws {
        try await withServer { _, client in
            try await seed(client)
            let byName = try await client.get("/api/v1/configmaps?fieldSelector=metadata.name%3Dc")
            #expect(byName.json["items"]?.arrayValue?.count == 1)
            let notDefault = try await client.get("/api/v1/configmaps?fieldSelector=metadata.namespace!%3Ddefault")
            #expect(notDefault.json["items"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func pagesWithLimitAndContinue() async throws {
        try await withServer { server, client in
            try await seed(client)
            var names: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let query = "limit=3" + (token.map { "&continue=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? "")
                let page = try await client.get("/api/v1/namespaces/default/configmaps?\(query)").json
                names += (page["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
                token = page[path: ["metadata", "continue"]]?.stringValue
                pages += 1
            } while token != nil && pages < 5
            #expect(names == ["a", "b", "c", "d"])
            #expect(pages == 2)

            let first = try await client.get("/api/v1/namespaces/default/configmaps?limit=1").json
            let expiredToken = try #require(first[path: ["metadata", "continue"]]?.stringValue)
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("e"))
            server.expireWatchHistory()
            let expired = try await client.get(
                "/api/v1/namespaces/default/configmaps?limit=1&continue=\(expiredToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            #expect(expired.status == 410)
        }
    }

    @Test func watchReplaysHistoryFromAResourceVersion() async throws {
        try await withServer { server, client in
            let start = server.resourceVersion
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("w1"))
            _ = try await client.patch("/api/v1/namespaces/default/configmaps/w1", ["data": ["k": "2"]])
            _ = try await client.delete("/api/v1/namespaces/default/configmaps/w1")
            let reply = try await client.get(
                "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(start)&timeoutSeconds=1")
            let types = reply.events.compactMap { $0["type"]?.stringValue }
            #expect(types == ["ADDED", "MODIFIED", "DELETED"])
            let rvs = reply.events.compactMap { Int($0[path: ["object", "metadata", "resourceVersion"]]?.stringValue ?? "") }
            #expect(rvs == rvs.sorted() && rvs.count == 3)
        }
    }

    @Test func watchWithoutResourceVersionStartsWithAddedEvents() async throws {
        try await withServer { server, client in
            try await seed(client)
            server.faults.closeWatches(afterEvents: 2, resource: "configmaps")
            let reply = try await client.get("/api/v1/namespaces/default/configmaps?watch=1&labelSelector=app%3Dweb")
            #expect(reply.events.map { $0["type"] } == ["ADDED", "ADDED"])
        }
    }

    @Test func watchFromExpiredHistoryGets410() async throws {
        try await withServer(APIServer.Options(historyLimit: 2)) { server, client async throws in
            let start = server.resourceVersion
            for name in ["x1", "x2", "x3"] {
                _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap(name))
            }
            let reply = try await client.get("/api/v1/configmaps?watch=true&resourceVersion=\(start)")
            #expect(reply.status == 200)
            let event = try #require(reply.events.first)
            #expect(event["type"] == "ERROR")
            #expect(event[path: ["object", "code"]] == 410)
            #expect(event[path: ["object", "reason"]] == "Expired")

            let now = server.resourceVersion
            server.expireWatchHistory()
            let again = try await client.get("/api/v1/configmaps?watch=true&resourceVersion=\(now - 1)")
            #expect(again.events.first?[path: ["object", "code"]] == 410)
            let fresh = try await client.get("/api/v1/configmaps?watch=true&resourceVersion=\(now)&timeoutSeconds=1")
            #expect(fresh.events.isEmpty)
        }
    }

    @Test func selectorTransitionsAreAddedAndDeleted() async throws {
        try await withServer { server, client in
            _ = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("m"))
            let start = server.resourceVersion
            _ = try await client.patch("/api/v1/namespaces/default/configmaps/m", ["metadata": ["labels": ["app": "web"]]])
            _ = try await client.patch("/api/v1/namespaces/default/configmaps/m", ["metadata": ["labels": ["app": "db"]]])
            let reply = try await client.get(
                "/api/v1/namespaces/default/configmaps?watch=true&labelSelector=app%3Dweb&resourceVersion=\(start)&timeoutSeconds=1")
            #expect(reply.events.map { $0["type"] } == ["ADDED", "DELETED"])
        }
    }

    @Test func bookmarksOnRequest() async throws {
        try await withServer { server, client in
            let rv = server.resourceVersion
            async let reply = client.get("/api/v1/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=\(rv)&timeoutSeconds=2")
            let opened = await eventually(5) { server.requestLog.count(verb: "watch") == 1 }
            #expect(opened)
            server.sendBookmarks()
            let events = try await reply.events
            #expect(events.first?["type"] == "BOOKMARK")
            #expect(events.first?[path: ["object", "metadata", "resourceVersion"]] == .string(String(rv)))
        }
    }

    @Test func liveEventsReachAnOpenWatch() async throws {
        try await withServer { server, client in
            server.faults.closeWatches(afterEvents: 1)
            async let reply = client.get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(server.resourceVersion)")
            let opened = await eventually(5) { server.requestLog.count(verb: "watch") == 1 }
            #expect(opened)
            try server.create(Fixtures.configMap("live"))
            let events = try await reply.events
            #expect(events.first?["type"] == "ADDED")
            #expect(events.first?[path: ["object", "metadata", "name"]] == "live")
        }
    }
}
