import AthenaAPI
import Foundation
import KubeModel
import Testing
@testable import AthenaCLI

/// The CLI's pure parts, in-process: request building, response printing, scaffold, lookups.
@Suite("CLI units")
struct CLIUnitTests {
    @Test("MediaKind maps extensions to ASE data types and encodings",
          arguments: [("a.png", "image", "png"), ("b.JPEG", "image", "jpg"), ("c.wav", "audio", "wav"),
                      ("d.pcm", "audio", "raw"), ("e.mp3", "audio", "lame"), ("f.mp4", "video", "mp4"),
                      ("g.txt", "text", "utf8"), ("h.json", "text", "utf8")])
    func mediaKinds(_ file: String, _ type: String, _ encoding: String) {
        #expect(MediaKind.forFile(file) == MediaKind(dataType: type, encoding: encoding))
    }

    @Test("unknown extensions have no kind")
    func unknownKind() {
        #expect(MediaKind.forFile("model.bin") == nil)
        #expect(MediaKind.forFile("noextension") == nil)
    }

    @Test("call flags build an ASE once request")
    func buildsRequest() throws {
        let dir = try TestPaths.temporaryDirectory("athena-unit")
        try Data([1, 2, 3]).write(to: dir.appendingPathComponent("x.png"))
        var builder = ASERequestBuilder(service: "digits")
        try builder.addParameter("mode=fast")
        try builder.addParameter("top:=3")
        try builder.addFile("image=@x.png", workingDirectory: dir.path)
        try builder.addText("note=hi", workingDirectory: dir.path)
        let body = try JSONDecoder().decode(JSONValue.self, from: builder.bodyData())
        #expect(body["parameter"]?["digits"]?["mode"] == .string("fast"))
        #expect(body["parameter"]?["digits"]?["top"] == .number(3))
        #expect(body["payload"]?["image"]?["encoding"] == .string("png"))
        #expect(body["payload"]?["image"]?["status"] == .number(3))
        #expect(body["payload"]?["image"]?["image"] == .string(Data([1, 2, 3]).base64EncodedString()))
        #expect(body["payload"]?["note"]?["text"] == .string(Data("hi".utf8).base64EncodedString()))
        #expect(body["header"]?["status"] == .number(3))
    }

    @Test("bad call flags are usage errors", arguments: ["novalue", "=x"])
    func badParam(_ flag: String) {
        var builder = ASERequestBuilder(service: "s")
        #expect(throws: CLIError.self) { try builder.addParameter(flag) }
        #expect(throws: CLIError.self) { try builder.addFile(flag, workingDirectory: "/") }
    }

    @Test("serve: batching flags reach the routing table; out-of-range values are usage errors")
    func serveBatchingFlags() throws {
        let serve = try ServeCommand.parse(["app", "--max-batch", "8", "--max-calls-in-flight", "1", "--max-batch-delay", "0"])
        #expect(serve.maxBatch == 8)
        #expect(serve.maxCallsInFlight == 1)
        #expect(serve.maxBatchDelay == 0)
        let defaults = try ServeCommand.parse(["app"])
        #expect(defaults.maxBatch == 32 && defaults.maxCallsInFlight == 1 && defaults.maxBatchDelay == 2000)
        #expect(throws: (any Error).self) { try ServeCommand.parse(["app", "--max-batch", "0"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["app", "--max-calls-in-flight", "300"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["app", "--max-batch-delay", "-5"]) }
        let server = LocalServer(
            app: "/app", python: "python3",
            description: AppDescription(service: "demo", version: "v1", kind: "aiges", schema: nil, raw: .null),
            workers: 2, host: "127.0.0.1", port: 0, startupTimeout: .seconds(1),
            batching: EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1))
        let table = server.routingTable(ports: [5001, 5002])
        #expect(table.services[0].versions[0].batching == EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1))
        #expect(table.services[0].versions[0].endpoints.static == ["127.0.0.1:5001", "127.0.0.1:5002"])
    }

    @Test("call resolves the endpoint and service from URL and --service")
    func resolvesURL() throws {
        #expect(try CallCommand.resolve(url: "http://h:1/v1/private/digits", service: nil) == ("http://h:1/v1/private/digits", "digits"))
        #expect(try CallCommand.resolve(url: "http://h:1/", service: "demo") == ("http://h:1/v1/private/demo", "demo"))
        #expect(throws: CLIError.self) { try CallCommand.resolve(url: "http://h:1", service: nil) }
        #expect(throws: CLIError.self) { try CallCommand.resolve(url: "ftp://h/x", service: nil) }
    }

    @Test("call's auth flags: --token, --appcode, --hmac (Date, Digest, Authorization) and --header; bad forms exit 2")
    func authHeaders() throws {
        let body = Data("{}".utf8)
        let plain = try CallCommand.requestHeaders(endpoint: "http://h:1/v1/private/digits", body: body, token: "t", appcode: "c",
                                                   hmac: nil, headers: ["X-Trace:  abc "])
        #expect(plain.map { "\($0.name): \($0.value)" } == ["Authorization: Bearer t", "X-Apig-AppCode: c", "X-Trace: abc"])
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let signed = try CallCommand.requestHeaders(endpoint: "http://h:1/v1/private/digits", body: body, token: nil, appcode: nil,
                                                    hmac: "ak:sk", headers: [], date: date)
        #expect(signed.map(\.name) == ["Date", "Digest", "Authorization"])
        #expect(signed[0].value == "Fri, 15 Jan 2027 08:00:00 GMT")
        #expect(signed[2].value.hasPrefix("api_key=\"ak\", algorithm=\"hmac-sha256\", headers=\"date request-line digest\", signature=\""))
        #expect(throws: CLIError.self) { try CallCommand.requestHeaders(endpoint: "http://h:1/x", body: body, token: nil, appcode: nil, hmac: "nocolon", headers: []) }
        #expect(throws: CLIError.self) { try CallCommand.requestHeaders(endpoint: "http://h:1/x", body: body, token: nil, appcode: nil, hmac: nil, headers: ["novalue"]) }
        #expect(throws: CLIError.self) { try CallCommand.requestHeaders(endpoint: "http://h:1/x", body: body, token: "t", appcode: nil, hmac: "k:s", headers: []) }
        #expect(throws: CLIError.self) { try CallCommand.requestHeaders(endpoint: "http://h:1/x", body: body, token: "t", appcode: nil, hmac: nil, headers: ["Authorization: x"]) }
    }

    @Test("batch: result names stay apart when inputs share a file name; the payload item comes from the schema")
    func batchNaming() throws {
        let inputs = [BatchInput(source: "a/x.png", path: "/d/a/x.png"), BatchInput(source: "b/x.png", path: "/d/b/x.png"),
                      BatchInput(source: "obs://b/y.png", path: nil, problem: "remote")]
        #expect(BatchRunner.resultNames(inputs) == ["x.png_result.txt", "1_x.png_result.txt", "y.png_result.txt"])
        let tricky = [BatchInput(source: "a", path: "/a/3.png"), BatchInput(source: "b", path: "/b/1_3.png"), BatchInput(source: "c", path: "/c/3.png")]
        #expect(Set(BatchRunner.resultNames(tricky)).count == 3, "\(BatchRunner.resultNames(tricky))")
        let names = BatchRunner.resultNames([BatchInput(source: "a", path: "/a/3.png"), BatchInput(source: "b", path: "/b/3.png"),
                                             BatchInput(source: "c", path: "/c/1_3.png")])
        #expect(Set(names).count == 3, "\(names)")
        let one = RoutingTableSchema(payload: ["type": "object", "properties": ["image": ["type": "object"]]])
        #expect(try BatchCommand.defaultField(one) == "image")
        let two = RoutingTableSchema(payload: ["type": "object", "properties": ["a": ["type": "object"], "b": ["type": "object"]]])
        #expect(throws: CLIError.self) { try BatchCommand.defaultField(two) }
        #expect(throws: CLIError.self) { try BatchCommand.defaultField(nil) }
    }

    @Test("the printer decodes base64 JSON text and turns error responses into errors")
    func printsResponses() throws {
        let ok = Data(#"{"header":{"code":0,"sid":"s"},"payload":{"result":{"encoding":"utf8","status":3,"text":"\#(Data(#"{"digit":7}"#.utf8).base64EncodedString())"}}}"#.utf8)
        let text = try ASEResponsePrinter().render(status: 200, body: ok)
        #expect(text.contains("\"digit\" : 7") || text.contains("\"digit\": 7"))
        let error = Data(#"{"header":{"code":10163,"message":"payload.image: required field is missing","sid":"abc"}}"#.utf8)
        #expect {
            try ASEResponsePrinter().render(status: 400, body: error)
        } throws: { error in
            (error as? CLIError)?.message == "error 10163 (HTTP 400): payload.image: required field is missing (sid abc)"
        }
        #expect(throws: CLIError.self) { try ASEResponsePrinter().render(status: 502, body: Data("Bad Gateway".utf8)) }
    }

    @Test("scaffold names are checked; every style has its files")
    func scaffold() throws {
        #expect(throws: CLIError.self) { try ProjectScaffold(name: "9lives", style: .aiges) }
        #expect(throws: CLIError.self) { try ProjectScaffold(name: "has_underscore", style: .aiges) }
        let aiges = try ProjectScaffold(name: "demo", style: .aiges).files().map(\.path)
        #expect(aiges.contains("wrapper.py") && aiges.contains("deploy/aiapplication.yaml") && aiges.contains("Dockerfile"))
        let ma = try ProjectScaffold(name: "demo", style: .modelarts).files().map(\.path)
        #expect(ma.contains("model/config.json") && ma.contains("model/customize_service.py"))
        let yaml = try ProjectScaffold(name: "demo", style: .aiges).onlineServiceYAML
        #expect(yaml.contains("apiVersion: serving.athena.dev/v1alpha1") && yaml.contains("application: demo-v1"))
    }

    @Test("python lookup: --python, then ATHENA_PYTHON, then .venv upward, then python3")
    func pythonLookup() throws {
        let root = try TestPaths.temporaryDirectory("athena-py")
        let venvBin = root.appendingPathComponent(".venv/bin")
        try FileManager.default.createDirectory(at: venvBin, withIntermediateDirectories: true)
        let venvPython = venvBin.appendingPathComponent("python").path
        FileManager.default.createFile(atPath: venvPython, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        let nested = root.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)

        let fromVenv = PythonLocator(explicit: nil, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: nested.path)
        #expect(try fromVenv.locate() == venvPython)
        let fromEnv = PythonLocator(explicit: nil, environment: ["ATHENA_PYTHON": "/bin/sh"], workingDirectory: nested.path)
        #expect(try fromEnv.locate() == "/bin/sh")
        let explicit = PythonLocator(explicit: "/bin/sh", environment: ["ATHENA_PYTHON": venvPython], workingDirectory: nested.path)
        #expect(try explicit.locate() == "/bin/sh")
        #expect(throws: CLIError.self) { try PythonLocator(explicit: "/no/python", environment: [:], workingDirectory: "/").locate() }
    }

    @Test("free ports are distinct and bindable")
    func ports() throws {
        let ports = try PortPicker.freePorts(4)
        #expect(Set(ports).count == 4)
        #expect(ports.allSatisfy { (1024...65535).contains($0) })
    }

    @Test("the validator checks the ASE envelope and the declared schema")
    func validator() throws {
        let schema = RoutingTableSchemaFixture.digits
        let description = AppDescription(service: "digits", version: "v1", kind: "aiges", schema: schema, raw: .null)
        let validator = RequestValidator(description: description)
        let good = JSONValue.object(["payload": .object(["image": .object([
            "encoding": .string("png"), "status": .number(3), "image": .string("iVBORw0KGgo="),
        ])])])
        #expect(validator.validate(good).isEmpty)
        let bad = JSONValue.object(["payload": .object(["image": .object([
            "encoding": .string("gif"), "status": .number(9), "image": .string("***"),
        ])])])
        let problems = validator.validate(bad)
        #expect(problems.contains("payload.image.status: expected one of [0, 1, 2, 3], got 9"))
        #expect(problems.contains("payload.image.image: not valid base64"))
        #expect(problems.contains { $0.hasPrefix("payload.image.encoding") })
        #expect(validator.validate(.object(["payload": .object([:])])).contains { $0.contains("payload.image") })
    }
}
