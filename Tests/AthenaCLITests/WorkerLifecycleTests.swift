import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The local supervisor with a real, unmodified AIGES-style wrapper (Tests/Fixtures/aiges-echo):
/// it serves, survives a worker killed mid-request, and leaves no process behind when stopped.
@Suite("workers end to end", .timeLimit(.minutes(3)))
struct WorkerLifecycleTests {
    static let fixture = TestPaths.repo("Tests/Fixtures/aiges-echo")

    static func echoRequest(_ text: String, delayMs: Int = 0, marker: String? = nil) -> Data {
        var params: [String: Any] = ["delay_ms": delayMs]
        if let marker { params["marker"] = marker }
        return ProtocolRequests.json([
            "header": ["app_id": "e2e", "status": 3],
            "parameter": ["echo": params],
            "payload": ["text": ["encoding": "utf8", "status": 3, "text": Data(text.utf8).base64EncodedString()]],
        ])
    }

    static func echoed(_ response: TestResponse) -> [String: Any]? {
        guard let b64 = response.json?["payload"]?["echo"]?["text"]?.stringValue,
              let data = Data(base64Encoded: b64) else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    @Test("an unmodified AIGES wrapper serves; a worker SIGKILLed mid-request gives a clean 502/503, is restarted, and the next request succeeds")
    func killWorkerMidRequest() async throws {
        let server = try await ServedApp.start(app: Self.fixture, workers: 1)
        let url = "\(server.baseURL)/v1/private/echo"

        let first = try await HTTP.post(url, body: Self.echoRequest("hello athena"))
        #expect(first.status == 200, "\(first.text)")
        #expect(Self.echoed(first)?["reversed"] as? String == "anehta olleh", "\(first.text)")

        let marker = try TestPaths.temporaryDirectory("athena-marker").appendingPathComponent("in-flight").path
        let slow = Task { try await HTTP.post(url, body: Self.echoRequest("slow", delayMs: 30000, marker: marker), timeout: 60) }
        let clock = ContinuousClock()
        var deadline = clock.now + .seconds(20)
        // The worker creates the file, then writes its pid: wait for the pid, not only the file.
        func markedPID() -> pid_t? { (try? String(contentsOfFile: marker, encoding: .utf8)).flatMap { pid_t($0) } }
        while markedPID() == nil && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let victim = try #require(markedPID(), "the slow request never reached the engine:\n\(server.log.suffix(3000))")
        #expect(kill(victim, SIGKILL) == 0)

        let broken = try await slow.value
        #expect([502, 503].contains(broken.status), "\(broken.status) \(broken.text)")
        #expect([10222, 10503, 10504].contains(broken.aseCode), "\(broken.text)")

        // the worker comes back (same port) and serves again
        deadline = clock.now + .seconds(60)
        var recovered: TestResponse?
        while clock.now < deadline {
            if let r = try? await HTTP.post(url, body: Self.echoRequest("again"), timeout: 10), r.status == 200 {
                recovered = r
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let ok = try #require(recovered, "no successful request after the kill:\n\(server.log.suffix(3000))")
        let newPID = (Self.echoed(ok)?["pid"] as? NSNumber).map { pid_t($0.intValue) }
        #expect(newPID != nil && newPID != victim)
        #expect(server.log.contains("restarting"), "\(server.log.suffix(2000))")

        // stopping leaves no worker behind
        let workers = server.workerPIDs()
        #expect(!workers.isEmpty)
        let status = await server.stop()
        #expect(status == 0, "athena serve exit status \(String(describing: status)):\n\(server.log.suffix(2000))")
        for pid in workers {
            #expect(kill(pid, 0) != 0, "worker \(pid) is still alive after athena serve stopped")
        }
    }
}
