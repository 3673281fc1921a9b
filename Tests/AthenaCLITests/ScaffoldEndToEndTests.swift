import Foundation
import Testing

/// `athena init` projects serve as scaffolded, in both styles.
@Suite("athena init end to end", .timeLimit(.minutes(3)))
struct ScaffoldEndToEndTests {
    @Test("an AIGES-style scaffold serves and answers its own test request")
    func aigesScaffoldServes() async throws {
        let parent = try TestPaths.temporaryDirectory("athena-init")
        let created = try await CLI.run(["init", "demo", "--directory", parent.path])
        #expect(created.status == 0, "\(created.stderr)")
        let project = parent.appendingPathComponent("demo").path
        for file in ["wrapper.py", "requirements.txt", "Dockerfile", "test_data/input.txt", "test_data/request.json",
                     "deploy/aiapplication.yaml", "deploy/onlineservice.yaml"] {
            #expect(FileManager.default.fileExists(atPath: project + "/" + file), "missing \(file)")
        }

        let server = try await ServedApp.start(app: project)
        defer { Task { await server.stop() } }
        let request = try #require(FileManager.default.contents(atPath: project + "/test_data/request.json"))
        let response = try await HTTP.post("\(server.baseURL)/v1/private/demo", body: request)
        #expect(response.status == 200, "\(response.text)")
        let b64 = try #require(response.json?["payload"]?["result"]?["text"]?.stringValue, "\(response.text)")
        let result = try JSONSerialization.jsonObject(with: try #require(Data(base64Encoded: b64))) as? [String: Any]
        #expect(result?["text"] as? String == "HELLO FROM ATHENA SERVING")
        #expect((result?["words"] as? NSNumber)?.intValue == 4)

        // the same through `athena call`, and the request file validates
        let call = try await CLI.run(["call", "\(server.baseURL)/v1/private/demo", "--param", "mode=lower",
                                      "--text", "text=Shout LESS"])
        #expect(call.status == 0, "\(call.stderr)")
        #expect(call.stdout.contains("\"text\" : \"shout less\"") || call.stdout.contains("\"text\": \"shout less\""), "\(call.stdout)")
        let valid = try await CLI.run(["validate", project + "/test_data/request.json", "--app", project])
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")

        // a wrapper error (bad enum value caught by the schema) is an error exit with the code
        let bad = try await CLI.run(["call", "\(server.baseURL)/v1/private/demo", "--param", "mode=sideways", "--text", "text=x"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("error 10163"), "\(bad.stderr)")
        await server.stop()
    }

    @Test("a ModelArts-style scaffold serves on /v1/infers")
    func modelArtsScaffoldServes() async throws {
        let parent = try TestPaths.temporaryDirectory("athena-init-ma")
        let created = try await CLI.run(["init", "textsvc", "--style", "modelarts", "--directory", parent.path])
        #expect(created.status == 0, "\(created.stderr)")
        let project = parent.appendingPathComponent("textsvc").path
        #expect(FileManager.default.fileExists(atPath: project + "/model/config.json"))
        #expect(FileManager.default.fileExists(atPath: project + "/model/customize_service.py"))

        let server = try await ServedApp.start(app: project)
        let response = try await HTTP.post("\(server.baseURL)/v1/infers/textsvc",
                                           body: ProtocolRequests.json(["text": "make me loud", "mode": "upper"]))
        #expect(response.status == 200, "\(response.text)\n\(server.log.suffix(2000))")
        let result = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        #expect(result?["text"] as? String == "MAKE ME LOUD", "\(response.text)")
        await server.stop()
    }

    @Test("init refuses a bad name and an existing project")
    func initRefuses() async throws {
        let parent = try TestPaths.temporaryDirectory("athena-init-bad")
        let bad = try await CLI.run(["init", "Bad_Name", "--directory", parent.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("invalid project name"))
        #expect(try await CLI.run(["init", "twice", "--directory", parent.path]).status == 0)
        let again = try await CLI.run(["init", "twice", "--directory", parent.path])
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists"))
    }
}
