import Foundation
import Testing

/// `athena serve examples/digits` through real processes: the README request and the same image
/// through every client protocol.
@Suite("digits end to end", .timeLimit(.minutes(3)))
struct DigitsEndToEndTests {
    @Test("the README curl returns the right digit for every bundled test image")
    func readmeRequestEveryImage() async throws {
        let server = try await SharedServers.shared.digitsApp()
        let images = try DigitsTestData.images()
        for (path, digit) in images {
            let png = try #require(FileManager.default.contents(atPath: path))
            let response = try await HTTP.post("\(server.baseURL)/v1/private/digits", body: ProtocolRequests.ase(png: png))
            #expect(response.status == 200, "\(path): \(response.text)")
            #expect(response.aseCode == 0, "\(path): \(response.text)")
            // payload.result.text = base64 of {"digit": N, "score": p}
            let b64 = try #require(response.json?["payload"]?["result"]?["text"]?.stringValue, "\(path): \(response.text)")
            let decoded = try #require(Data(base64Encoded: b64))
            let result = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
            #expect((result["digit"] as? NSNumber)?.intValue == digit, "\(path): \(result)")
            let score = try #require((result["score"] as? NSNumber)?.doubleValue)
            #expect(score > 0 && score <= 1)
        }
    }

    @Test("ModelArts, KServe v1 and OIP v2 give the same digit as ASE", arguments: ["modelarts", "kserve-v1", "oip-v2"])
    func otherProtocols(_ proto: String) async throws {
        let server = try await SharedServers.shared.digitsApp()
        for (path, digit) in try DigitsTestData.images() {
            let png = try #require(FileManager.default.contents(atPath: path))
            let response: TestResponse
            switch proto {
            case "modelarts":
                let (body, type) = ProtocolRequests.modelArtsMultipart(png: png)
                response = try await HTTP.post("\(server.baseURL)/v1/infers/digits", body: body, contentType: type)
            case "kserve-v1":
                response = try await HTTP.post("\(server.baseURL)/v1/models/digits:predict", body: ProtocolRequests.kserveV1(png: png))
            default:
                response = try await HTTP.post("\(server.baseURL)/v2/models/digits/infer", body: ProtocolRequests.oipV2(png: png))
            }
            #expect(response.status == 200, "\(proto) \(path): \(response.text)")
            let found = DigitsTestData.findDigit(inBody: response.body)
            #expect(found?.digit == digit, "\(proto) \(path): \(response.text)")
        }
    }

    @Test("200 concurrent requests are all answered correctly")
    func concurrentRequests() async throws {
        let server = try await SharedServers.shared.digitsApp()
        let images = try DigitsTestData.images()
        let bodies = try images.map { (ProtocolRequests.ase(png: try #require(FileManager.default.contents(atPath: $0.path))), $0.digit) }
        let url = "\(server.baseURL)/v1/private/digits"
        let outcomes = try await withThrowingTaskGroup(of: (Bool, String).self) { group in
            for i in 0..<200 {
                let (body, digit) = bodies[i % bodies.count]
                group.addTask {
                    let response = try await HTTP.post(url, body: body, timeout: 90)
                    let found = DigitsTestData.findDigit(inBody: response.body)
                    return (response.status == 200 && found?.digit == digit, "\(response.status) \(response.text.prefix(200))")
                }
            }
            var all: [(Bool, String)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.count == 200)
        let failures = outcomes.filter { !$0.0 }
        #expect(failures.isEmpty, "\(failures.count) of 200 failed, e.g. \(failures.first?.1 ?? "")")
        // 200 at once on 2 workers with one call in flight each: most went out in InferBatch calls.
        let metrics = try await HTTP.get("\(server.baseURL)/metrics")
        #expect(metrics.status == 200)
        let batched = Self.counter("athena_gateway_engine_batched_requests_total", in: String(decoding: metrics.body, as: UTF8.self))
        #expect(batched >= 100, "batched requests: \(batched)")
    }

    /// The sum of a counter's samples over all its label sets in Prometheus text.
    static func counter(_ name: String, in text: String) -> Double {
        text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    @Test("/readyz, /healthz, /openapi.json and /metrics answer while serving")
    func healthAndOpenAPI() async throws {
        let server = try await SharedServers.shared.digitsApp()
        #expect(try await HTTP.get("\(server.baseURL)/readyz").status == 200)
        #expect(try await HTTP.get("\(server.baseURL)/healthz").status == 200)
        let openapi = try await HTTP.get("\(server.baseURL)/openapi.json")
        #expect(openapi.status == 200)
        #expect(openapi.text.contains("digits"))
        _ = try await HTTP.post("\(server.baseURL)/v1/private/digits", body: Data("{".utf8))  // a 400, counted
        let metrics = try await HTTP.get("\(server.baseURL)/metrics")
        #expect(metrics.status == 200)
        let text = String(decoding: metrics.body, as: UTF8.self)  // whole: `.text` is a 2,000-byte prefix
        #expect(text.contains("athena_gateway_request_duration_seconds"))
        #expect(Self.counter("athena_gateway_requests_total", in: text) >= 1)
    }
}
