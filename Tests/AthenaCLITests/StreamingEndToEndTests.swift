import AthenaGateway
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Streaming through real processes: `athena serve` of an AIGES streaming wrapper (the SDK's
/// `wrapperCreate/Write/Read/Destroy` behind the engine protocol's `Session`), driven by
/// `athena call --ws/--sse` and by a WebSocket client.
@Suite("Streaming end to end (athena serve + Python SDK sessions)", .serialized)
struct StreamingEndToEndTests {
    static let app = "sdk/python/tests/apps/stream_sync"

    static func textFile(_ text: String) throws -> String {
        let path = try TestPaths.temporaryDirectory("athena-stream").appendingPathComponent("input.txt").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An ASE session message with one text frame.
    static func frame(_ text: String, status: Int, parameter: [String: String]? = nil) throws -> String {
        var body: [String: Any] = [
            "header": ["status": status],
            "payload": ["text": ["encoding": "utf8", "status": status, "text": Data(text.utf8).base64EncodedString()]],
        ]
        if let parameter { body["parameter"] = ["upper": parameter] }
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    static func decoded(_ json: String) -> (code: Int, status: Int, text: String) {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        let header = object["header"] as? [String: Any] ?? [:]
        let item = (object["payload"] as? [String: Any])?["upper"] as? [String: Any]
        let text = (item?["text"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return ((header["code"] as? Int) ?? -1, (header["status"] as? Int) ?? -1, text)
    }

    @Test("athena call --ws --chunk streams a file in pieces and prints the results; --sse prints the pushed results; errors exit 1")
    func callStreams() async throws {
        let server = try await ServedApp.start(app: Self.app)
        defer { Task { _ = await server.stop() } }
        let url = "\(server.baseURL)/v1/private/upper"
        let input = try Self.textFile("streaming sessions work")

        let dry = try await CLI.run(["call", url, "--ws", "--chunk", "10", "--text", "text=@\(input)", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        let statuses = dry.stdout.split(separator: "\n").map { Self.decoded(String($0)).status }
        #expect(statuses == [0, 1, 2], "\(dry.stdout)")

        let ws = try await CLI.run(["call", url, "--ws", "--chunk", "10", "--text", "text=@\(input)"])
        #expect(ws.status == 0, "\(ws.stdout)\n\(ws.stderr)\n\(server.log.suffix(2000))")
        #expect(ws.stdout.split(separator: "\n").joined() == "STREAMING SESSIONS WORK", "\(ws.stdout)")

        let sse = try await CLI.run(["call", url, "--sse", "--text", "text=pushed"])
        #expect(sse.status == 0, "\(sse.stdout)\n\(sse.stderr)")
        #expect(sse.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "PUSHED", "\(sse.stdout)")

        // wrapperCreate refuses (code 10, the wrapper's own message): exit 1, the error on stderr.
        let refused = try await CLI.run(["call", url, "--ws", "--param", "reject=1", "--text", "text=x"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("error 10") && refused.stderr.contains("session rejected"), "\(refused.stderr)")

        let usage = try await CLI.run(["call", url, "--ws", "--sse", "--text", "text=x"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("give one"), "\(usage.stderr)")
    }

    @Test("a worker killed mid-session: the client gets 10222 and a close; the restarted worker takes new sessions")
    func workerKilledMidSession() async throws {
        let server = try await ServedApp.start(app: Self.app)
        defer { Task { _ = await server.stop() } }
        let port = try #require(URLComponents(string: server.baseURL)?.port)

        let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper")
        try await ws.send(text: try Self.frame("first", status: 0, parameter: ["prefix": "> "]))
        guard case .text(let first)? = try await ws.receive() else { Issue.record("no first result"); return }
        #expect(Self.decoded(first) == (0, 1, "> FIRST"))

        let workers = server.workerPIDs()
        try #require(!workers.isEmpty)
        for pid in workers { #expect(kill(pid, SIGKILL) == 0) }
        var codes: [Int] = []
        var closed = false
        while let message = try await ws.receive() {
            if case .text(let json) = message { codes.append(Self.decoded(json).code) }
            if case .close = message { closed = true; break }
        }
        #expect(codes == [10222], "\(codes)\n\(server.log.suffix(2000))")
        #expect(closed)

        // The supervisor restarts the worker; a new session runs to its end.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        var texts: [String] = []
        while clock.now < deadline {
            texts = []
            if let again = try? await WebSocketClient.connect(host: "127.0.0.1", port: port, path: "/v1/private/upper") {
                try await again.send(text: try Self.frame("back", status: 0))
                try await again.send(text: try Self.frame(" again", status: 2))
                while let message = try await again.receive() {
                    if case .text(let json) = message {
                        let result = Self.decoded(json)
                        if result.code != 0 { break }
                        texts.append(result.text)
                    }
                    if case .close = message { break }
                }
                await again.disconnect()
            }
            if texts.joined() == "BACK AGAIN" { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(texts.joined() == "BACK AGAIN", "\(server.log.suffix(3000))")
    }
}
