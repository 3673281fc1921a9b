import Foundation
import KubeClient
import KubeModel
import KubeTransport
import Testing

@Suite("KubeClient error mapping and watch decoding (recorded transport)")
struct KubeClientErrorTests {
    static func client(_ answers: [RecordingTransport.Answer]) -> (KubeClient, RecordingTransport) {
        let transport = RecordingTransport(answers)
        let config = KubeConfig(server: "https://api.test:6443/", token: "t0k", namespace: "team")
        return (KubeClient(config: config, transport: transport, maxRetryAfter: .milliseconds(10)), transport)
    }

    static func statusBody(_ code: Int, _ reason: String) -> String {
        #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"m","reason":"\#(reason)","code":\#(code)}"#
    }

    @Test(arguments: [
        (401, "Unauthorized"), (403, "Forbidden"), (404, "NotFound"), (409, "Conflict"), (410, "Gone"),
        (422, "Invalid"), (500, "InternalError"),
    ])
    func statusBodiesBecomeAPIErrors(_ code: Int, _ reason: String) async throws {
        let (client, _) = Self.client([.response(status: code, body: Self.statusBody(code, reason))])
        let error = await #expect(throws: KubeError.self) {
            _ = try await client.get(Lease.self, namespace: "ns", name: "l")
        }
        #expect(error?.apiStatus?.code == code)
        #expect(error?.reason == reason)
    }

    @Test func nonStatusBodyStillNamesCodeAndPath() async throws {
        let (client, _) = Self.client([.response(status: 502, body: "<html>bad gateway</html>")])
        let error = await #expect(throws: KubeError.self) {
            _ = try await client.get(Lease.self, namespace: "ns", name: "l")
        }
        let message = error?.apiStatus?.message ?? ""
        #expect(error?.apiStatus?.code == 502)
        #expect(message.contains("HTTP 502"))
        #expect(message.contains("/apis/coordination.k8s.io/v1/namespaces/ns/leases/l"))
        #expect(message.contains("bad gateway"))
    }

    @Test func tooManyRequestsIsRetriedThenSurfacedWithRetryAfter() async throws {
        let throttled = RecordingTransport.Answer.response(
            status: 429, headers: ["Retry-After": "1"], body: Self.statusBody(429, "TooManyRequests"))
        let (client, transport) = Self.client([throttled, throttled, throttled, throttled, throttled])
        let error = await #expect(throws: KubeError.self) {
            _ = try await client.get(Lease.self, namespace: "ns", name: "l")
        }
        #expect(transport.requests.count == 4, "1 try + 3 retries")
        #expect(error?.apiStatus?.details?.retryAfterSeconds == 1)
    }

    @Test func tooManyRequestsThenSuccess() async throws {
        let lease = #"{"metadata":{"name":"l","namespace":"ns"}}"#
        let (client, transport) = Self.client([
            .response(status: 429, body: "slow down"), .response(status: 200, body: lease),
        ])
        let got = try await client.get(Lease.self, namespace: "ns", name: "l")
        #expect(got.metadata.name == "l")
        #expect(got.kind == "Lease" && got.apiVersion == "coordination.k8s.io/v1")
        #expect(transport.requests.count == 2)
    }

    @Test func transportFailureBecomesTransportError() async throws {
        let (client, _) = Self.client([.fail(TransportError(code: .couldNotConnect, message: "GET x: Connection refused"))])
        let error = await #expect(throws: KubeError.self) {
            _ = try await client.list(Lease.self, namespace: nil, options: ListOptions())
        }
        guard case .transport(let message) = error else {
            Issue.record("expected transport error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("Connection refused"))
    }

    @Test func requestsCarryTokenPathsAndContentTypes() async throws {
        let lease = #"{"metadata":{"name":"l","namespace":"team"}}"#
        let (client, transport) = Self.client([
            .response(status: 200, body: lease), .response(status: 200, body: lease),
            .response(status: 200, body: Self.statusBody(200, "")),
        ])
        _ = try await client.patch(Lease.self, namespace: nil, name: "l", mergePatch: ["spec": ["holderIdentity": nil]], subresource: nil)
        _ = try await client.create(Lease(metadata: ObjectMeta(name: "l")))
        try await client.delete(
            Lease.self, namespace: "team", name: "l",
            options: DeleteOptions(propagationPolicy: .foreground, preconditionUID: "u1"))
        let requests = transport.requests
        try #require(requests.count == 3)
        #expect(requests[0].method == "PATCH")
        #expect(requests[0].url == "https://api.test:6443/apis/coordination.k8s.io/v1/namespaces/team/leases/l")
        #expect(requests[0].headers["Content-Type"] == "application/merge-patch+json")
        #expect(requests[0].headers["Authorization"] == "Bearer t0k")
        #expect(String(decoding: requests[0].body ?? Data(), as: UTF8.self) == #"{"spec":{"holderIdentity":null}}"#)
        #expect(requests[1].method == "POST")
        #expect(requests[1].url == "https://api.test:6443/apis/coordination.k8s.io/v1/namespaces/team/leases")
        let created = try JSONValue.parse(requests[1].body ?? Data())
        #expect(created["kind"] == "Lease" && created["apiVersion"] == "coordination.k8s.io/v1")
        #expect(requests[2].method == "DELETE")
        let options = try JSONValue.parse(requests[2].body ?? Data())
        #expect(options["propagationPolicy"] == "Foreground")
        #expect(options[path: ["preconditions", "uid"]] == "u1")
    }

    @Test func watchReassemblesSplitLinesAndDecodesAllTypes() async throws {
        let lines = [
            #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"1"}}}"#,
            #"{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"2"}}}"#,
            #"{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"3"}}}"#,
            #"{"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"4"}}}"#,
            #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old"}}"#,
        ]
        let text = lines.joined(separator: "\n") + "\n"
        let chunks = stride(from: 0, to: text.utf8.count, by: 37).map { start in
            String(decoding: Array(text.utf8)[start..<min(start + 37, text.utf8.count)], as: UTF8.self)
        }
        let (client, transport) = Self.client([.stream(chunks: chunks)])
        let stream = try await client.watch(
            Lease.self, namespace: "ns", options: ListOptions(resourceVersion: "1", timeoutSeconds: 60, allowWatchBookmarks: true))
        var events: [WatchEvent<Lease>] = []
        for try await event in stream { events.append(event) }
        try #require(events.count == 5)
        guard case .added(let added) = events[0], case .modified = events[1], case .deleted = events[3],
            case .error(let status) = events[4]
        else {
            Issue.record("wrong event sequence: \(events)")
            return
        }
        #expect(added.metadata.name == "a" && added.kind == "Lease")
        #expect(events[2] == .bookmark(resourceVersion: "3"))
        #expect(status.code == 410)
        #expect(
            transport.requests.first?.url
                == "https://api.test:6443/apis/coordination.k8s.io/v1/namespaces/ns/leases?watch=1&resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=60")
    }

    @Test func garbageWatchLineEndsTheStreamWithADecodingError() async throws {
        let (client, _) = Self.client([
            .stream(chunks: [#"{"type":"ADDED","object":{"metadata":{"name":"a"}}}"# + "\n", "<<garbage>>\n", #"{"type":"ADDED","object":{}}"# + "\n"])
        ])
        let stream = try await client.watch(Lease.self, namespace: "ns", options: ListOptions())
        var count = 0
        let error = await #expect(throws: KubeError.self) {
            for try await _ in stream { count += 1 }
        }
        #expect(count == 1)
        guard case .decoding(let message) = error else {
            Issue.record("expected decoding error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("<<garbage>>"))
    }

    @Test func watchRefusedWithStatusThrowsAPIError() async throws {
        let (client, _) = Self.client([.response(status: 403, body: Self.statusBody(403, "Forbidden"))])
        let error = await #expect(throws: KubeError.self) {
            _ = try await client.watch(Lease.self, namespace: nil, options: ListOptions())
        }
        #expect(error?.reason == "Forbidden")
    }

    @Test func brokenWatchConnectionIsATransportError() async throws {
        let (client, _) = Self.client([
            .stream(
                chunks: [#"{"type":"ADDED","object":{"metadata":{"name":"a"}}}"# + "\n"],
                thenFail: TransportError(code: .connectionLost, message: "transfer closed"))
        ])
        let stream = try await client.watch(Lease.self, namespace: "ns", options: ListOptions())
        let error = await #expect(throws: KubeError.self) {
            for try await _ in stream {}
        }
        guard case .transport = error else {
            Issue.record("expected transport error, got \(String(describing: error))")
            return
        }
    }
}
