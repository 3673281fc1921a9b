import Foundation
import Testing

/// `athena call`, `schema` and `validate` as a user runs them, against the digits example.
@Suite("athena call/schema/validate end to end", .timeLimit(.minutes(3)))
struct CLIEndToEndTests {
    @Test("athena call prints the decoded digit; an error response exits 1 with its code")
    func callDigits() async throws {
        let server = try await SharedServers.shared.digitsApp()
        let (path, digit) = try #require(try DigitsTestData.images().first)
        let ok = try await CLI.run(["call", "\(server.baseURL)/v1/private/digits", "--file", "image=@\(path)"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let printed = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any]
        #expect((printed?["digit"] as? NSNumber)?.intValue == digit, "\(ok.stdout)")

        let unknown = try await CLI.run(["call", server.baseURL, "--service", "nope", "--file", "image=@\(path)"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("error 10404"), "\(unknown.stderr)")

        let missing = try await CLI.run(["call", "\(server.baseURL)/v1/private/digits", "--file", "image=@/no/such.png"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read"), "\(missing.stderr)")
    }

    @Test("athena schema prints the digits schema")
    func schema() async throws {
        let result = try await CLI.run(["schema", "examples/digits"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["service_id"] as? String == "digits", "\(result.stdout)")
        #expect(result.stdout.contains("\"image\""))
    }

    @Test("athena validate accepts a good request and names each problem of a bad one")
    func validate() async throws {
        let dir = try TestPaths.temporaryDirectory("athena-validate")
        let (path, _) = try #require(try DigitsTestData.images().first)
        let png = try #require(FileManager.default.contents(atPath: path))
        let good = dir.appendingPathComponent("good.json")
        try ProtocolRequests.ase(png: png).write(to: good)
        let ok = try await CLI.run(["validate", good.path, "--app", "examples/digits"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("valid"))

        let bad = dir.appendingPathComponent("bad.json")
        try ProtocolRequests.json(["payload": ["image": ["encoding": "png", "status": 7, "image": "%%%"]]]).write(to: bad)
        let rejected = try await CLI.run(["validate", bad.path, "--app", "examples/digits"])
        #expect(rejected.status == 1)
        #expect(rejected.stdout.contains("payload.image.status"), "\(rejected.stdout)")
        #expect(rejected.stdout.contains("payload.image.image: not valid base64"), "\(rejected.stdout)")

        let malformed = dir.appendingPathComponent("malformed.json")
        try Data("{\"payload\": ".utf8).write(to: malformed)
        let broken = try await CLI.run(["validate", malformed.path, "--app", "examples/digits"])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("malformed JSON"), "\(broken.stderr)")
    }

    @Test("athena serve --auth token --auth-secret FILE: a call without the token gets 401/10105, athena call --token passes")
    func serveWithAuth() async throws {
        let dir = try TestPaths.temporaryDirectory("athena-serve-auth")
        let tokens = dir.appendingPathComponent("tokens.txt")
        try "local-token\n".write(to: tokens, atomically: true, encoding: .utf8)
        let server = try await ServedApp.start(app: "examples/digits", extra: ["--auth", "token", "--auth-secret", tokens.path,
                                                                               "--rate-limit", "1000"])
        let (path, digit) = try #require(try DigitsTestData.images().first)
        let refused = try await CLI.run(["call", "\(server.baseURL)/v1/private/digits", "--file", "image=@\(path)"])
        let allowed = try await CLI.run(["call", "\(server.baseURL)/v1/private/digits", "--file", "image=@\(path)", "--token", "local-token"])
        let log = server.log
        _ = await server.stop()
        #expect(refused.status == 1 && refused.stderr.contains("error 10105 (HTTP 401)"), "\(refused.stderr)")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let printed = try JSONSerialization.jsonObject(with: Data(allowed.stdout.utf8)) as? [String: Any]
        #expect((printed?["digit"] as? NSNumber)?.intValue == digit)
        #expect(log.contains("(auth token is on: add --token T"), "\(log.suffix(800))")
        let unpaired = try await CLI.run(["serve", "examples/digits", "--auth", "token"])
        #expect(unpaired.status == 64 && unpaired.stderr.contains("--auth token needs --auth-secret FILE"), "\(unpaired.stderr)")
    }
}
