import Foundation
import Testing

/// `athena batch` as a user runs it: the digits example over a folder and over a manifest.
@Suite("athena batch end to end", .timeLimit(.minutes(3)))
struct BatchEndToEndTests {
    /// The manifest's lines, by source.
    static func manifest(_ path: String) throws -> [String: [String: String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines: [String: [String: String]] = [:]
        for line in text.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            lines[object["source"] ?? ""] = object
        }
        return lines
    }

    @Test("a folder: one result per image with the right digit, a broken file FAILED with its code, exit 1")
    func folder() async throws {
        let input = try TestPaths.temporaryDirectory("athena-batch-in")
        let output = try TestPaths.temporaryDirectory("athena-batch-out")
        let images = Array(try DigitsTestData.images().prefix(4))
        for (path, _) in images {
            try FileManager.default.copyItem(atPath: path, toPath: input.appendingPathComponent((path as NSString).lastPathComponent).path)
        }
        try Data("not an image".utf8).write(to: input.appendingPathComponent("broken.png"))
        let result = try await CLI.run(["batch", "examples/digits", "--input", input.path, "--output", output.path, "--workers", "1"])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("athena: 5 inputs: 4 succeeded, 1 failed"), "\(result.stdout)")
        #expect(result.stderr.contains("1 of 5 inputs failed"), "\(result.stderr)")

        let lines = try Self.manifest(output.appendingPathComponent("infer-result-0.manifest").path)
        #expect(lines.count == 5)
        for (path, digit) in images {
            let source = input.appendingPathComponent((path as NSString).lastPathComponent).path
            let line = try #require(lines[source], "no line for \(source): \(lines)")
            #expect(line["result"] == "SUCCESSFUL")
            let location = try #require(line["inference-loc"])
            #expect(location == output.appendingPathComponent("infer-result-0/\((path as NSString).lastPathComponent)_result.txt").path)
            let printed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: location))) as? [String: Any]
            #expect((printed?["digit"] as? NSNumber)?.intValue == digit, "\(location)")
        }
        let broken = try #require(lines[input.appendingPathComponent("broken.png").path])
        #expect(broken["result"] == "FAILED")
        #expect(broken["error_message"]?.hasPrefix("error 30402 (HTTP 400)") == true, "\(broken)")
    }

    @Test("a manifest: relative sources, a remote source refused in local mode; all good exits 0; bad input exits 2")
    func manifestInput() async throws {
        let dir = try TestPaths.temporaryDirectory("athena-batch-manifest")
        let (path, digit) = try #require(try DigitsTestData.images().first)
        try FileManager.default.copyItem(atPath: path, toPath: dir.appendingPathComponent("one.png").path)
        let manifest = dir.appendingPathComponent("inputs.manifest")
        try "{\"source\": \"one.png\"}\n\n{\"source\": \"obs://bucket/two.png\"}\n".write(to: manifest, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("out")
        let mixed = try await CLI.run(["batch", "examples/digits", "--input", manifest.path, "--output", output.path,
                                       "--workers", "1", "--task", "t1"])
        #expect(mixed.status == 1, "\(mixed.stderr)")
        let lines = try Self.manifest(output.appendingPathComponent("infer-result-t1.manifest").path)
        #expect(lines["one.png"]?["result"] == "SUCCESSFUL")
        #expect(lines["obs://bucket/two.png"]?["error_message"] == "obs:// sources are not read in local mode (use a local path)")
        let text = try String(contentsOfFile: output.appendingPathComponent("infer-result-t1/one.png_result.txt").path, encoding: .utf8)
        #expect(text.contains("\"digit\" : \(digit)"), "\(text)")

        try "{\"source\": \"one.png\"}\n".write(to: manifest, atomically: true, encoding: .utf8)
        let good = try await CLI.run(["batch", "examples/digits", "--input", manifest.path, "--output", output.path, "--workers", "1"])
        #expect(good.status == 0, "\(good.stderr)")

        let missing = try await CLI.run(["batch", "examples/digits", "--input", "/no/such/folder", "--output", output.path])
        #expect(missing.status == 2 && missing.stderr.contains("--input /no/such/folder: no such file or folder"), "\(missing.stderr)")
        try "not json\n".write(to: manifest, atomically: true, encoding: .utf8)
        let garbled = try await CLI.run(["batch", "examples/digits", "--input", manifest.path, "--output", output.path])
        #expect(garbled.status == 2 && garbled.stderr.contains("line 1 is not a JSON object with a \"source\" string"), "\(garbled.stderr)")
    }

    @Test("--shard I/N: two runs into one folder, as two pods of an indexed Job, each input in exactly one manifest")
    func shards() async throws {
        let input = try TestPaths.temporaryDirectory("athena-batch-shard-in")
        let output = try TestPaths.temporaryDirectory("athena-batch-shard-out")
        let images = Array(try DigitsTestData.images().prefix(3))
        for (path, _) in images {
            try FileManager.default.copyItem(atPath: path, toPath: input.appendingPathComponent((path as NSString).lastPathComponent).path)
        }
        func shard(_ value: String) async throws -> CLI.Result {
            try await CLI.run(["batch", "examples/digits", "--input", input.path, "--output", output.path, "--workers", "1", "--shard", value])
        }
        // At the same time, as the pods of a Job would; the third has no input (more shards than inputs).
        async let first = shard("0/2")
        async let second = shard("1/2")
        async let idle = CLI.run(["batch", "examples/digits", "--input", input.path, "--output", output.path, "--workers", "1",
                                  "--shard", "3/4", "--task", "idle"])
        let results = try await [first, second, idle]
        for result in results { #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)") }
        #expect(results[0].stdout.contains("athena: shard 0/2: 2 of 3 inputs"), "\(results[0].stdout)")
        #expect(results[1].stdout.contains("athena: shard 1/2: 1 of 3 inputs"), "\(results[1].stdout)")

        var seen: [String] = []
        for task in ["0", "1"] {
            let lines = try Self.manifest(output.appendingPathComponent("infer-result-\(task).manifest").path)
            for (source, line) in lines {
                #expect(line["result"] == "SUCCESSFUL", "\(line)")
                #expect(line["inference-loc"]?.hasPrefix(output.appendingPathComponent("infer-result-\(task)/").path) == true, "\(line)")
                seen.append(source)
            }
        }
        let sources = images.map { input.appendingPathComponent(($0.path as NSString).lastPathComponent).path }
        #expect(seen.sorted() == sources.sorted(), "every input exactly once over the two shards")
        let empty = try String(contentsOfFile: output.appendingPathComponent("infer-result-idle.manifest").path, encoding: .utf8)
        #expect(empty.isEmpty, "an --task given explicitly names the outputs; a shard with no input writes an empty manifest")

        let bad = try await CLI.run(["batch", "examples/digits", "--input", input.path, "--output", output.path, "--shard", "2/2"])
        #expect(bad.status == 2 && bad.stderr.contains("--shard 2/2: I must be between 0 and 1"), "\(bad.stderr)")
        let garbled = try await CLI.run(["batch", "examples/digits", "--input", input.path, "--output", output.path, "--shard", "x"])
        #expect(garbled.status == 2 && garbled.stderr.contains("--shard: expected I/N"), "\(garbled.stderr)")
    }

    @Test("--engine: the inputs go to an engine already running (here the worker of an athena serve), no Python started")
    func runningEngine() async throws {
        let served = try await ServedApp.start(app: "examples/digits")
        do {
            try await batchAgainst(served)
        } catch {
            _ = await served.stop()
            throw error
        }
        _ = await served.stop()
    }

    func batchAgainst(_ served: ServedApp) async throws {
        let line = try #require(served.log.split(separator: "\n").first { $0.contains("engine worker on 127.0.0.1:") })
        let endpoint = String(try #require(line.split(separator: " ").last { $0.hasPrefix("127.0.0.1:") }))
        let input = try TestPaths.temporaryDirectory("athena-batch-engine-in")
        let output = try TestPaths.temporaryDirectory("athena-batch-engine-out")
        let (path, digit) = try #require(try DigitsTestData.images().first)
        try FileManager.default.copyItem(atPath: path, toPath: input.appendingPathComponent("one.png").path)
        let result = try await CLI.run(["batch", "--engine", endpoint, "--service", "digits", "--field", "image",
                                        "--input", input.path, "--output", output.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(!result.stdout.contains("engine worker"), "no worker is started: \(result.stdout)")
        let text = try String(contentsOfFile: output.appendingPathComponent("infer-result-0/one.png_result.txt").path, encoding: .utf8)
        #expect(text.contains("\"digit\" : \(digit)"), "\(text)")

        let neither = try await CLI.run(["batch", "--input", input.path, "--output", output.path])
        #expect(neither.status == 64 && neither.stderr.contains("give the application folder, or --engine HOST:PORT"), "\(neither.stderr)")
        let unnamed = try await CLI.run(["batch", "--engine", endpoint, "--input", input.path, "--output", output.path])
        #expect(unnamed.status == 64 && unnamed.stderr.contains("needs --service and --field"), "\(unnamed.stderr)")
        let garbled = try await CLI.run(["batch", "--engine", "nohost", "--service", "d", "--field", "f", "--input", input.path, "--output", output.path])
        #expect(garbled.status == 64 && garbled.stderr.contains("--engine: expected HOST:PORT"), "\(garbled.stderr)")
    }
}
