import AthenaAPI
import Foundation
import KubeModel

/// `athena batch --input FILE.csv`: each data row of the CSV is one JSON request to
/// `/v1/infers/<service>` (the fields the mapping gives it, typed by the request schema), and the
/// results go, one JSON line per row in row order, to `<file>.csv_result.txt` in the output folder
/// (`<file>.csv_result-I.txt` for shard I of N > 1, so the pods of a Job do not overwrite one
/// another): `{"row": N, "result": …}` or `{"row": N, "error": {"code", "message"}}`, N the row's
/// 0-based position among the data rows (the header is not counted). `infer-result-<task>.manifest`
/// gets one line per row as well, as in the folder mode. A bad row is reported and the others run.
struct CSVBatchRunner: Sendable {
    /// One data row to run: its number, and its request body or why it has none.
    struct Row: Sendable {
        var number: Int
        var body: Result<JSONValue, CSVRowError>
    }

    /// `…/v1/infers/<service>`.
    var endpoint: String
    var output: String
    var task: String
    var shard: BatchShard?
    var concurrency: Int
    var timeout: Int = 60

    /// The data rows of the CSV at `path` as request bodies, every row (shard selection is the
    /// caller's). Throws (exit 2) when the file or the mapping cannot work for any row.
    static func rows(csv path: String, mapping: [(String, CSVMapping.Column)], fields: [CSVRequestField]) throws -> [Row] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("--input \(path): cannot read it as UTF-8 text", exitCode: 2)
        }
        let records: [CSVParser.Record]
        do {
            records = try CSVParser.parse(text)
        } catch let error as CLIError {
            throw CLIError("--input \(path): \(error.message)", exitCode: 2)
        }
        let resolved = try CSVMapping(mapping: mapping, fields: fields, firstRecord: records.first?.fields)
        let data = resolved.hasHeader ? Array(records.dropFirst()) : records
        return data.enumerated().map { Row(number: $0.offset, body: resolved.body($0.element.fields)) }
    }

    /// `<file>_result.txt`, or `<file>_result-I.txt` for shard I of more than one.
    static func resultName(csv path: String, shard: BatchShard?) -> String {
        let base = (path as NSString).lastPathComponent
        guard let shard, shard.count > 1 else { return "\(base)_result.txt" }
        return "\(base)_result-\(shard.index).txt"
    }

    /// Runs `rows` (this shard's) and writes the result file and the manifest.
    func run(source: String, csv path: String, rows: [Row]) async throws -> BatchRunner.Summary {
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create \(output): \(error.localizedDescription)")
        }
        let resultFile = (output as NSString).appendingPathComponent(Self.resultName(csv: path, shard: shard))
        let outcomes = await boundedMap(rows, concurrency: concurrency) { _, row in
            await process(row)
        }
        var results = "", manifest = ""
        for (row, outcome) in zip(rows, outcomes) {
            var line: [String: Any] = ["source": source, "row": row.number]
            switch outcome {
            case .success(let result):
                results += "{\"row\":\(row.number),\"result\":\(Self.json(result))}\n"
                line["result"] = "SUCCESSFUL"
                line["inference-loc"] = resultFile
            case .failure(let error):
                results += "{\"row\":\(row.number),\"error\":\(Self.json(.object(["code": .string(error.code), "message": .string(error.message)])))}\n"
                line["result"] = "FAILED"
                line["error_message"] = "\(error.code): \(error.message)"
            }
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            manifest += String(decoding: data, as: UTF8.self) + "\n"
        }
        let manifestFile = (output as NSString).appendingPathComponent("infer-result-\(task).manifest")
        for (file, text) in [(resultFile, results), (manifestFile, manifest)] {
            do {
                try text.write(toFile: file, atomically: true, encoding: .utf8)
            } catch {
                throw CLIError("cannot write \(file): \(error.localizedDescription)")
            }
        }
        let failed = outcomes.filter { if case .failure = $0 { true } else { false } }.count
        return BatchRunner.Summary(total: rows.count, failed: failed, manifest: manifestFile, results: resultFile)
    }

    /// One row: its request, the call, the answer (a JSON value, or the text if not JSON).
    private func process(_ row: Row) async -> Result<JSONValue, CSVRowError> {
        let body: JSONValue
        switch row.body {
        case .success(let value): body = value
        case .failure(let error): return .failure(error)
        }
        let status: Int, data: Data
        do {
            (status, data) = try await CallCommand.post(endpoint, body: Data(Self.json(body).utf8), timeout: timeout)
        } catch let error as CLIError {
            return .failure(CSVRowError(code: CSVRowError.requestFailed, message: error.message))
        } catch {
            return .failure(CSVRowError(code: CSVRowError.requestFailed, message: "\(error)"))
        }
        return Self.outcome(status: status, body: data)
    }

    /// A response as the row's result, or its error: an ASE error header's code and message
    /// (what the gateway and the engine answer with), else the HTTP status and the body's text.
    static func outcome(status: Int, body: Data) -> Result<JSONValue, CSVRowError> {
        let value = try? JSONDecoder().decode(JSONValue.self, from: body)
        let header = value?["header"]
        let code = header?["code"]?.doubleValue.map { Int($0) } ?? 0
        if (200..<300).contains(status), code == 0 {
            return .success(value ?? .string(String(decoding: body, as: UTF8.self)))
        }
        if code != 0 {
            let message = header?["message"]?.stringValue ?? "(no message)"
            return .failure(CSVRowError(code: String(code), message: "HTTP \(status): \(message)"))
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return .failure(CSVRowError(code: CSVRowError.requestFailed, message: "HTTP \(status): \(text.isEmpty ? "(empty body)" : text)"))
    }

    /// Compact JSON with sorted keys, on one line (a result-file line).
    static func json(_ value: JSONValue) -> String {
        (try? value.serialized()).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
