import AthenaAPI
import Foundation
import KubeModel
import Testing
@testable import AthenaCLI

/// CSV rows to requests: the request fields of a schema, the mapping rules (header or not), and
/// one row's errors (a column past the row's end, a cell that is not its field's type).
@Suite("CSV mapping and request fields")
struct CSVMappingTests {
    /// The iris example's request schema (config.json `apis[0].request.data`) plus a text and a flag.
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "data": ["type": "object", "properties": [
                "req_data": ["type": "array", "items": [["type": "object", "properties": [
                    "sepal_length": ["type": "number"], "petal_width": ["type": "number"],
                ]]]],
                "note": ["type": "string"],
            ]],
            "count": ["type": "integer"],
            "strict": ["type": "boolean"],
            "image": ["type": "file"],
        ],
    ]
    static let fields = CSVRequestField.fields(of: schema)

    func mapping(_ flags: [String], header: [String]? = nil) throws -> CSVMapping {
        try CSVMapping(mapping: flags.map(CSVMapping.parseFlag), fields: Self.fields, firstRecord: header)
    }

    @Test("the scalar leaves by dotted path; an array of objects is marked; a file field is not a CSV field")
    func fields() {
        #expect(Self.fields.map(\.name) == ["count", "data.note", "data.req_data.petal_width", "data.req_data.sepal_length", "strict"])
        #expect(Self.fields.map(\.kind) == [.integer, .string, .number, .number, .boolean])
        #expect(Self.fields[2].steps.map(\.array) == [false, true, false])
    }

    @Test("a row becomes the body the application takes online: the array of objects holds the row as its one item")
    func body() throws {
        let map = try mapping(["data.req_data.sepal_length=0", "data.req_data.petal_width=1", "data.note=2", "count=3", "strict=4"])
        #expect(!map.hasHeader, "index mappings only: every line is data")
        let body = try map.body(["5.1", " 0.2 ", "a, \"quoted\" note", "7", "TRUE"]).get()
        #expect(body == [
            "data": ["req_data": [["sepal_length": 5.1, "petal_width": 0.2]], "note": "a, \"quoted\" note"],
            "count": 7, "strict": true,
        ])
    }

    @Test("a cell that is not its field's type, or a column past the row's end, is that row's error")
    func rowErrors() throws {
        let map = try mapping(["data.req_data.sepal_length=0", "count=1", "strict=2", "data.req_data.petal_width=5"])
        let number = #expect(throws: CSVRowError.self) { try map.body(["abc", "1", "true", "", "", "1"]).get() }
        #expect(number == CSVRowError(code: "BadValue", message: "data.req_data.sepal_length: expected a number, got 'abc'"))
        let integer = #expect(throws: CSVRowError.self) { try map.body(["1", "1.5", "true", "", "", "1"]).get() }
        #expect(integer?.message == "count: expected an integer, got '1.5'")
        let boolean = #expect(throws: CSVRowError.self) { try map.body(["1", "1", "yes", "", "", "1"]).get() }
        #expect(boolean?.message == "strict: expected a boolean, got 'yes'")
        let short = #expect(throws: CSVRowError.self) { try map.body(["1", "2", "true"]).get() }
        #expect(short == CSVRowError(code: "MissingColumn", message: "data.req_data.petal_width reads column 5, but the row has 3 columns"))
        #expect(throws: CSVRowError.self) { try map.body(["", "1", "true", "", "", "1"]).get() }  // empty is not a number
    }

    @Test("a mapping may name a field by its last part when no other field ends the same")
    func leafNames() throws {
        let map = try mapping(["sepal_length=0", "note=1"])
        #expect(map.columns.map(\.field.name) == ["data.note", "data.req_data.sepal_length"])
        let fields = CSVRequestField.fields(of: ["properties": ["a": ["properties": ["x": ["type": "string"]]], "b": ["properties": ["x": ["type": "string"]]]]])
        #expect(CSVRequestField.named("x", in: fields) == nil, "x is a.x or b.x: ambiguous")
        #expect(CSVRequestField.named("b.x", in: fields)?.name == "b.x")
    }

    @Test("a header name in a mapping makes the first line a header; digits in quotes are a name")
    func headerByName() throws {
        let map = try mapping(["count=n", "strict=\"2024\"", "data.note=0"], header: ["text", " n ", "2024"])
        #expect(map.hasHeader)
        #expect(map.columns.map(\.field.name) == ["count", "data.note", "strict"])
        #expect(map.columns.map(\.column) == [1, 0, 2])
        let missing = #expect(throws: CLIError.self) { try mapping(["count=total"], header: ["n"]) }
        #expect(missing?.message == "mapping: count reads column 'total', which is not in the CSV header (n)")
    }

    @Test("no mapping: every field found in the header by its path or its last part, or a clear error")
    func byHeader() throws {
        let map = try mapping([], header: ["strict", "sepal_length", "data.req_data.petal_width", "count", "note", "extra"])
        #expect(map.hasHeader)
        #expect(map.columns.map(\.column) == [3, 4, 2, 1, 0])
        let missing = #expect(throws: CLIError.self) { try mapping([], header: ["sepal_length", "count"]) }
        #expect(missing?.message.contains("has no column for data.note, data.req_data.petal_width, strict") == true, "\(missing?.message ?? "")")
    }

    @Test("bad flags and fields the application does not take are errors before anything runs")
    func badMappings() throws {
        for flag in ["count", "=1", "count="] {
            let error = #expect(throws: CLIError.self) { try CSVMapping.parseFlag(flag) }
            #expect(error?.message.contains("expected FIELD=COLUMN") == true)
            #expect(error?.exitCode == 2)
        }
        let unknown = #expect(throws: CLIError.self) { try mapping(["sepal=0"]) }
        #expect(unknown?.message == "mapping: 'sepal' is not a request field (the application's fields: count, data.note, "
            + "data.req_data.petal_width, data.req_data.sepal_length, strict)")
        let twice = #expect(throws: CLIError.self) { try mapping(["data.note=0", "note=1"]) }
        #expect(twice?.message == "mapping: data.note is mapped twice")
        let none = #expect(throws: CLIError.self) {
            try CSVMapping(mapping: [], fields: CSVRequestField.fields(of: ["properties": ["image": ["type": "file"]]]), firstRecord: nil)
        }
        #expect(none?.message.contains("no string, number, integer or boolean field") == true)
    }

    @Test("rows from a file: the header skipped, rows numbered from 0, a broken quote an exit-2 error naming the file")
    func rowsFromFile() throws {
        let dir = try TestPaths.temporaryDirectory("athena-csv-rows")
        let file = dir.appendingPathComponent("in.csv")
        try "count,strict\n1,true\nx,false\n".write(to: file, atomically: true, encoding: .utf8)
        let rows = try CSVBatchRunner.rows(csv: file.path, mapping: [], fields: Self.fields.filter { ["count", "strict"].contains($0.name) })
        #expect(rows.map(\.number) == [0, 1])
        #expect(try rows[0].body.get() == ["count": 1, "strict": true])
        #expect(throws: CSVRowError.self) { try rows[1].body.get() }
        try "count\n\"1\n".write(to: file, atomically: true, encoding: .utf8)
        let broken = #expect(throws: CLIError.self) { try CSVBatchRunner.rows(csv: file.path, mapping: [], fields: Self.fields) }
        #expect(broken?.message == "--input \(file.path): line 2: a quoted field is not closed before the end of the file")
    }

    @Test("result files: one per CSV, one per shard when sharded; a response becomes a result or the row's error")
    func results() throws {
        #expect(CSVBatchRunner.resultName(csv: "/in/train.csv", shard: nil) == "train.csv_result.txt")
        #expect(CSVBatchRunner.resultName(csv: "/in/train.csv", shard: try? BatchShard(index: 0, count: 1)) == "train.csv_result.txt")
        #expect(CSVBatchRunner.resultName(csv: "/in/train.csv", shard: try? BatchShard(index: 2, count: 3)) == "train.csv_result-2.txt")
        #expect(try CSVBatchRunner.outcome(status: 200, body: Data("{\"a\":1}".utf8)).get() == ["a": 1])
        #expect(try CSVBatchRunner.outcome(status: 200, body: Data("plain".utf8)).get() == "plain")
        let ase = #expect(throws: CSVRowError.self) {
            try CSVBatchRunner.outcome(status: 400, body: Data("{\"header\":{\"code\":10163,\"message\":\"bad\"}}".utf8)).get()
        }
        #expect(ase == CSVRowError(code: "10163", message: "HTTP 400: bad"))
        let http = #expect(throws: CSVRowError.self) { try CSVBatchRunner.outcome(status: 502, body: Data()).get() }
        #expect(http == CSVRowError(code: "RequestFailed", message: "HTTP 502: (empty body)"))
    }
}
