import Foundation
import Testing

/// An unmodified ModelArts-style package (examples/iris: config.json + customize_service.py,
/// "predict analysis" JSON mode) served by `athena serve` and called the ModelArts way.
@Suite("iris (ModelArts package) end to end", .timeLimit(.minutes(3)))
struct IrisEndToEndTests {
    @Test("POST /v1/infers/iris classifies the sample flowers; a body violating config.json apis is a 400")
    func irisServes() async throws {
        let app = TestPaths.repo("examples/iris")
        let server = try await ServedApp.start(app: app)
        let request = try #require(FileManager.default.contents(atPath: app + "/testdata/request.json"))
        let response = try await HTTP.post("\(server.baseURL)/v1/infers/iris", body: request)
        #expect(response.status == 200, "\(response.text)\n\(server.log.suffix(2000))")
        let predictions = response.json?["data"]?["resp_data"]?.arrayValue?.compactMap { $0["predict_result"]?.stringValue }
        #expect(predictions == ["setosa", "versicolor", "virginica"], "\(response.text)")

        let wrongType = ProtocolRequests.json(["data": ["req_data": "not a list"]])
        let rejected = try await HTTP.post("\(server.baseURL)/v1/infers/iris", body: wrongType)
        #expect(rejected.status == 400, "\(rejected.text)")
        #expect(rejected.aseCode == 10163, "\(rejected.text)")
        #expect(rejected.text.contains("req_data"), "\(rejected.text)")

        // `athena validate` says the same offline
        let file = try TestPaths.temporaryDirectory("athena-iris").appendingPathComponent("bad.json")
        try wrongType.write(to: file)
        let validated = try await CLI.run(["validate", file.path, "--app", app])
        #expect(validated.status == 1)
        #expect(validated.stdout.contains("body.data.req_data: expected array"), "\(validated.stdout)")
        await server.stop()
    }
}
