import Foundation
import KubeModel
import Testing
@testable import KubeTesting

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `GET/DELETE /debug/requests` and the User-Agent in the request log: how a benchmark or a test
/// driving `kube-testserver` as a process counts the requests of one client.
@Suite("Request log summary over HTTP")
struct DebugRequestsTests {
    private func send(_ server: APIServer, _ method: String, _ path: String, agent: String, body: JSONValue? = nil)
        async throws -> (Int, JSONValue)
    {
        var request = URLRequest(url: try #require(URL(string: server.url + path)))
        request.httpMethod = method
        request.timeoutInterval = 20
        request.setValue(agent, forHTTPHeaderField: "User-Agent")
        if let body {
            request.httpBody = try body.serialized()
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONValue.parse(data)) ?? .null)
    }

    @Test("counts by verb, resource and User-Agent; filter by agent prefix; DELETE clears")
    func summary() async throws {
        try await withServer { server, _ in
            let map: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "default"]]
            #expect(try await send(server, "POST", "/api/v1/namespaces/default/configmaps", agent: "op/one", body: map).0 == 201)
            #expect(try await send(server, "GET", "/api/v1/namespaces/default/configmaps/a", agent: "op/one").0 == 200)
            #expect(try await send(server, "GET", "/api/v1/namespaces/default/configmaps", agent: "bench").0 == 200)
            #expect(server.requestLog.entries.map(\.userAgent) == ["op/one", "op/one", "bench"])

            let (status, all) = try await send(server, "GET", "/debug/requests", agent: "bench")
            #expect(status == 200)
            #expect(all["total"] == 3)
            #expect(all["writes"] == 1)
            #expect(all[path: ["byResource", "create configmaps"]] == 1)
            #expect(all[path: ["byVerb", "list"]] == 1)
            #expect(all[path: ["byUserAgent", "op/one", "writes"]] == 1)
            #expect(all[path: ["byUserAgent", "bench", "total"]] == 1)

            let (_, mine) = try await send(server, "GET", "/debug/requests?userAgent=op/", agent: "bench")
            #expect(mine["total"] == 2, "only the op/ agent: \(mine)")
            #expect(server.requestLog.entries.count == 3, "debug requests are not logged")

            #expect(try await send(server, "DELETE", "/debug/requests", agent: "bench").0 == 200)
            #expect(server.requestLog.entries.isEmpty)
            #expect(try await send(server, "POST", "/debug/requests", agent: "bench").0 == 405)
        }
    }
}
