import Foundation
import KubeModel
import Testing

/// `athena batch --input FILE.csv` against the iris example (a ModelArts package taking four
/// numbers): each row one request, the result file read back row by row.
@Suite("athena batch CSV end to end", .timeLimit(.minutes(3)))
struct CSVBatchEndToEndTests {
    /// The result file's lines as JSON values, in file order.
    static func lines(_ path: String) throws -> [JSONValue] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
    }

    static func prediction(_ line: JSONValue) -> String? {
        line["result"]?["data"]?["resp_data"]?.arrayValue?.first?["predict_result"]?.stringValue
    }

    @Test("a header and no mapping: columns found by name in any order; a bad number and a short row are their rows' errors, the rest run")
    func headerNoMapping() async throws {
        let dir = try TestPaths.temporaryDirectory("athena-batch-csv")
        let csv = dir.appendingPathComponent("flowers.csv")
        try """
            variety,petal_width,sepal_length,sepal_width,petal_length
            "setosa, probably",0.2,5.1,3.5,1.4
            versicolor,1.5,6.4,3.2,4.5
            virginica,2.5,6.3,3.3,six
            short,2.5

            virginica,2.5,6.3,3.3,6.0

            """.write(to: csv, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("out")
        let result = try await CLI.run(["batch", "examples/iris", "--input", csv.path, "--output", output.path, "--workers", "1"])
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("athena: 5 rows: 3 succeeded, 2 failed"), "\(result.stdout)")
        #expect(result.stderr.contains("2 of 5 rows failed"), "\(result.stderr)")

        let resultFile = output.appendingPathComponent("flowers.csv_result.txt").path
        let lines = try Self.lines(resultFile)
        #expect(lines.map { $0["row"] } == [0, 1, 2, 3, 4])
        #expect(Self.prediction(lines[0]) == "setosa", "\(lines[0])")
        #expect(Self.prediction(lines[1]) == "versicolor", "\(lines[1])")
        #expect(lines[2]["error"] == ["code": "BadValue", "message": "data.req_data.petal_length: expected a number, got 'six'"])
        #expect(lines[3]["error"]?["code"] == "MissingColumn", "\(lines[3])")
        #expect(Self.prediction(lines[4]) == "virginica", "\(lines[4])")

        let manifest = try Self.lines(output.appendingPathComponent("infer-result-0.manifest").path)
        #expect(manifest.map { $0["row"] } == [0, 1, 2, 3, 4])
        #expect(manifest.map { $0["result"]?.stringValue ?? "" } == ["SUCCESSFUL", "SUCCESSFUL", "FAILED", "FAILED", "SUCCESSFUL"])
        #expect(manifest[0]["source"]?.stringValue == csv.path && manifest[0]["inference-loc"]?.stringValue == resultFile)
        #expect(manifest[2]["error_message"] == "BadValue: data.req_data.petal_length: expected a number, got 'six'")

        // No header column for a field: a clear error before anything runs.
        try "a,b\n1,2\n".write(to: csv, atomically: true, encoding: .utf8)
        let unmapped = try await CLI.run(["batch", "examples/iris", "--input", csv.path, "--output", output.path, "--workers", "1"])
        #expect(unmapped.status == 2, "\(unmapped.stderr)")
        #expect(unmapped.stderr.contains("has no column for data.req_data.petal_length"), "\(unmapped.stderr)")
    }

    @Test("--engine, --request-schema and index mappings (what the operator's Job runs): no header, rows split over two shards")
    func engineShards() async throws {
        let served = try await ServedApp.start(app: "examples/iris")
        do {
            try await shards(served)
        } catch {
            _ = await served.stop()
            throw error
        }
        _ = await served.stop()
    }

    func shards(_ served: ServedApp) async throws {
        let line = try #require(served.log.split(separator: "\n").first { $0.contains("engine worker on 127.0.0.1:") })
        let endpoint = String(try #require(line.split(separator: " ").last { $0.hasPrefix("127.0.0.1:") }))
        let dir = try TestPaths.temporaryDirectory("athena-batch-csv-engine")
        let config = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: TestPaths.repo("examples/iris/config.json"))))
        let schema = try #require(config["apis"]?.arrayValue?.first?["request"]?["data"])
        let schemaFile = dir.appendingPathComponent("schema.json")
        try JSONEncoder().encode(schema).write(to: schemaFile)
        let csv = dir.appendingPathComponent("train.csv")
        try "5.1,3.5,1.4,0.2\n6.4,3.2,4.5,1.5\n6.3,3.3,6.0,2.5\n4.9,3.0,1.4,0.2\n".write(to: csv, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("out")
        let maps = ["sepal_length", "sepal_width", "petal_length", "petal_width"].enumerated()
            .flatMap { ["--map", "data.req_data.\($0.element)=\($0.offset)"] }
        func shard(_ index: Int) async throws -> CLI.Result {
            try await CLI.run(["batch", "--engine", endpoint, "--service", "iris", "--request-schema", "@\(schemaFile.path)"] + maps
                + ["--input", csv.path, "--output", output.path, "--shard", "\(index)/2"])
        }
        async let first = shard(0)
        async let second = shard(1)
        let results = try await [first, second]
        for result in results { #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)") }
        #expect(results[1].stdout.contains("athena: shard 1/2: 2 of 4 rows"), "\(results[1].stdout)")

        let zero = try Self.lines(output.appendingPathComponent("train.csv_result-0.txt").path)
        let one = try Self.lines(output.appendingPathComponent("train.csv_result-1.txt").path)
        #expect(zero.map { $0["row"] } == [0, 2] && one.map { $0["row"] } == [1, 3])
        #expect(zero.map(Self.prediction) == ["setosa", "virginica"], "\(zero)")
        #expect(one.map(Self.prediction) == ["versicolor", "setosa"], "\(one)")
        #expect(try Self.lines(output.appendingPathComponent("infer-result-1.manifest").path).count == 2)

        let unknown = try await CLI.run(["batch", "--engine", endpoint, "--service", "iris", "--request-schema", "@\(schemaFile.path)",
                                         "--map", "sepal=0", "--input", csv.path, "--output", output.path])
        #expect(unknown.status == 2 && unknown.stderr.contains("mapping: 'sepal' is not a request field"), "\(unknown.stderr)")
        let folderMap = try await CLI.run(["batch", "examples/iris", "--map", "sepal_length=0", "--input", dir.path, "--output", output.path])
        #expect(folderMap.status == 64 && folderMap.stderr.contains("--map and --request-schema are for .csv inputs"), "\(folderMap.stderr)")
        let csvField = try await CLI.run(["batch", "examples/iris", "--field", "data", "--input", csv.path, "--output", output.path])
        #expect(csvField.status == 64 && csvField.stderr.contains("a .csv input maps columns with --map"), "\(csvField.stderr)")
        let noSchema = try await CLI.run(["batch", "--engine", endpoint, "--service", "iris", "--input", csv.path, "--output", output.path])
        #expect(noSchema.status == 64 && noSchema.stderr.contains("needs --service and --request-schema"), "\(noSchema.stderr)")
    }
}
