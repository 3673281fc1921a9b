import Foundation
import KubeTransport
import Testing

@Suite("CurlTransport against a loopback server")
struct CurlTransportTests {
    static let watchLines = (1...5).map { #"{"type":"ADDED","object":{"metadata":{"name":"obj-\#($0)"}}}"# }

    /// The watch lines cut into chunks at awkward places: mid-line, several lines per chunk.
    static func awkwardChunks() -> [String] {
        let text = watchLines.joined(separator: "\n") + "\n"
        var chunks: [String] = []
        var rest = Substring(text)
        for size in [7, 50, 1, 130, 3, 90] where !rest.isEmpty {
            chunks.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        if !rest.isEmpty { chunks.append(String(rest)) }
        return chunks
    }

    static func lines(of response: HTTPStreamResponse) async throws -> [String] {
        var framer = LineFramer()
        var lines: [String] = []
        for try await chunk in response.body {
            lines += try framer.append(chunk).map { String(decoding: $0, as: UTF8.self) }
        }
        return lines
    }

    @Test func simpleRequestSendsMethodHeadersAndBody() async throws {
        let server = try await LoopbackServer.start(routes: ["/echo": .echo])
        defer { Task { await server.stop() } }
        let transport = CurlTransport(configuration: TransportConfiguration(bearerToken: "secret-token"))
        var headers = KubeTransport.HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/merge-patch+json")
        let response = try await transport.send(
            HTTPRequest(method: "PATCH", url: server.baseURL + "/echo?x=1", headers: headers, body: Data(#"{"a":1}"#.utf8)))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        let recorded = try #require(server.requests.first)
        #expect(recorded.method == "PATCH")
        #expect(recorded.uri == "/echo?x=1")
        #expect(recorded.body == #"{"a":1}"#)
        #expect(recorded.headers["authorization"] == "Bearer secret-token")
        #expect(recorded.headers["content-type"] == "application/merge-patch+json")
        #expect(recorded.headers["expect"] == nil)
    }

    @Test func connectionsAreReused() async throws {
        let server = try await LoopbackServer.start(routes: ["/ok": .respond(status: 200, body: "ok")])
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        for _ in 0..<5 {
            let response = try await transport.send(HTTPRequest(url: server.baseURL + "/ok"))
            #expect(String(decoding: response.body, as: UTF8.self) == "ok")
        }
        #expect(server.requests.count == 5)
        #expect(server.connectionCount == 1, "sequential requests should share one kept-alive connection")
    }

    @Test(arguments: [401, 403, 404, 409, 410, 429, 500, 503])
    func errorStatusesAreResponsesNotThrows(_ code: Int) async throws {
        let body = #"{"kind":"Status","code":\#(code)}"#
        let server = try await LoopbackServer.start(routes: [
            "/fail": .respond(status: code, headers: ["Retry-After": "2", "Content-Type": "application/json"], body: body)
        ])
        defer { Task { await server.stop() } }
        let response = try await CurlTransport().send(HTTPRequest(url: server.baseURL + "/fail"))
        #expect(response.status == code)
        #expect(response.headers["retry-after"] == "2")
        #expect(String(decoding: response.body, as: UTF8.self) == body)
    }

    @Test func chunkedWatchLinesSplitAcrossChunksArriveWhole() async throws {
        let server = try await LoopbackServer.start(routes: ["/watch": .chunked(chunks: Self.awkwardChunks())])
        defer { Task { await server.stop() } }
        let response = try await CurlTransport().stream(HTTPRequest(url: server.baseURL + "/watch?watch=1"))
        #expect(response.status == 200)
        #expect(try await Self.lines(of: response) == Self.watchLines)
    }

    @Test func slowStreamStillArrivesWhole() async throws {
        let server = try await LoopbackServer.start(routes: [
            "/slow": .chunked(chunks: Self.awkwardChunks(), delay: .milliseconds(150))
        ])
        defer { Task { await server.stop() } }
        // The request timeout only bounds the whole exchange; a slow but live stream is fine.
        let response = try await CurlTransport().stream(
            HTTPRequest(url: server.baseURL + "/slow", timeout: .seconds(30)))
        #expect(try await Self.lines(of: response) == Self.watchLines)
    }

    @Test func droppedConnectionMidStreamThrowsAfterDeliveredLines() async throws {
        let server = try await LoopbackServer.start(routes: [
            "/drop": .chunked(chunks: Self.watchLines.map { $0 + "\n" }, dropAfter: 2)
        ])
        defer { Task { await server.stop() } }
        let response = try await CurlTransport().stream(HTTPRequest(url: server.baseURL + "/drop"))
        var framer = LineFramer()
        var received: [String] = []
        let error = await #expect(throws: TransportError.self) {
            for try await chunk in response.body {
                received += try framer.append(chunk).map { String(decoding: $0, as: UTF8.self) }
            }
        }
        #expect(received == Array(Self.watchLines.prefix(2)))
        #expect(error?.code == .connectionLost, "got \(String(describing: error))")
    }

    @Test func droppingTheBodyAbortsTheTransfer() async throws {
        let server = try await LoopbackServer.start(routes: ["/hold": .hold(first: Self.watchLines[0] + "\n")])
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        do {
            let response = try await transport.stream(HTTPRequest(url: server.baseURL + "/hold"))
            for try await chunk in response.body {
                #expect(!chunk.isEmpty)
                break
            }
        }
        try await pollUntil("client closed the held connection") { server.holdsClosedByClient == 1 }
    }

    @Test func cancellingTheConsumingTaskAbortsTheTransfer() async throws {
        let server = try await LoopbackServer.start(routes: ["/hold": .hold(first: Self.watchLines[0] + "\n")])
        defer { Task { await server.stop() } }
        let transport = CurlTransport()
        let url = server.baseURL + "/hold"
        let started = AsyncStream.makeStream(of: Void.self)
        let consumer = Task {
            let response = try await transport.stream(HTTPRequest(url: url))
            for try await _ in response.body { started.continuation.yield() }
        }
        for await _ in started.stream { break }
        consumer.cancel()
        try await pollUntil("client closed the held connection") { server.holdsClosedByClient == 1 }
        _ = await consumer.result
    }

    @Test func unreachableServerGivesAClearTransportError() async throws {
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: "http://127.0.0.1:1/api", timeout: .seconds(5)))
        }
        #expect(error?.code == .couldNotConnect)
        #expect(error?.message.contains("127.0.0.1") == true, "message: \(error?.message ?? "")")
    }

    @Test func unresolvableHostIsNamed() async throws {
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: "http://no-such-host.invalid/api", timeout: .seconds(10)))
        }
        #expect(error?.message.contains("no-such-host.invalid") == true, "message: \(error?.message ?? "")")
    }

    @Test func timeoutIsReported() async throws {
        let server = try await LoopbackServer.start(routes: ["/hold": .hold(first: "x")])
        defer { Task { await server.stop() } }
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.baseURL + "/hold", timeout: .milliseconds(500)))
        }
        #expect(error?.code == .timedOut)
    }

    @Test func badCAFileIsATLSOrConfigurationError() async throws {
        let transport = CurlTransport(configuration: TransportConfiguration(tls: TLSOptions(caFile: "/nonexistent/ca.pem")))
        await #expect(throws: TransportError.self) {
            _ = try await transport.send(HTTPRequest(url: "https://127.0.0.1:1/", timeout: .seconds(5)))
        }
    }
}

/// Polls `condition` every 20 ms for up to `seconds`; fails with `what` when it never holds.
func pollUntil(_ what: String, seconds: Double = 10, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(seconds) s waiting for: \(what)")
}
