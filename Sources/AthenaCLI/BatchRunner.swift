import Foundation

/// Sends every input of a batch through a running gateway as one ASE request and writes what
/// ModelArts' batch service writes: `infer-result-<task>/<input>_result.txt` per input (the
/// decoded result, as `athena call` prints it) and `infer-result-<task>.manifest`, one JSON line
/// per input in input order — `{"source", "result": "SUCCESSFUL", "inference-loc"}` or
/// `{"source", "result": "FAILED", "error_message"}`. One input failing does not stop the rest.
struct BatchRunner: Sendable {
    var endpoint: String
    var service: String
    /// The payload data id each input file goes into (`image` for the digits example).
    var field: String
    var output: String
    var task: String
    /// Requests in flight at once.
    var concurrency: Int
    var timeout: Int = 60

    struct Summary: Sendable {
        var total: Int
        var failed: Int
        var manifest: String
        var results: String
    }

    /// One input's manifest line.
    private struct Outcome: Sendable {
        var line: [String: String]
        var failed: Bool { line["result"] == "FAILED" }
    }

    func run(_ inputs: [BatchInput]) async throws -> Summary {
        let results = (output as NSString).appendingPathComponent("infer-result-\(task)")
        do {
            try FileManager.default.createDirectory(atPath: results, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create \(results): \(error.localizedDescription)")
        }
        let names = Self.resultNames(inputs)
        let outcomes = await boundedMap(inputs, concurrency: concurrency) { index, input in
            await process(input, resultFile: (results as NSString).appendingPathComponent(names[index]))
        }
        let manifest = (output as NSString).appendingPathComponent("infer-result-\(task).manifest")
        var text = ""
        for outcome in outcomes {
            let data = try JSONSerialization.data(withJSONObject: outcome.line, options: [.sortedKeys, .withoutEscapingSlashes])
            text += String(decoding: data, as: UTF8.self) + "\n"
        }
        do {
            try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write \(manifest): \(error.localizedDescription)")
        }
        return Summary(total: inputs.count, failed: outcomes.filter(\.failed).count, manifest: manifest, results: results)
    }

    /// One input: request, call, result file; every failure becomes the input's FAILED line.
    private func process(_ input: BatchInput, resultFile: String) async -> Outcome {
        func failed(_ message: String) -> Outcome {
            Outcome(line: ["source": input.source, "result": "FAILED", "error_message": message])
        }
        guard let path = input.path else { return failed(input.problem ?? "cannot read the source") }
        do {
            var builder = ASERequestBuilder(service: service)
            try builder.addFile("\(field)=@\(path)", workingDirectory: FileManager.default.currentDirectoryPath)
            let (status, body) = try await CallCommand.post(endpoint, body: try builder.bodyData(), timeout: timeout)
            let files = resultFile + "_files"
            let rendered = try ASEResponsePrinter(outputDirectory: files).render(status: status, body: body)
            try (rendered + "\n").write(toFile: resultFile, atomically: true, encoding: .utf8)
            return Outcome(line: ["source": input.source, "result": "SUCCESSFUL", "inference-loc": resultFile])
        } catch let error as CLIError {
            return failed(error.message)
        } catch {
            return failed("\(error)")
        }
    }

    /// `<file name>_result.txt` per input; a name seen before gets its input number in front.
    static func resultNames(_ inputs: [BatchInput]) -> [String] {
        var seen = Set<String>()
        return inputs.enumerated().map { index, input in
            let base = ((input.path ?? input.source) as NSString).lastPathComponent
            var name = "\(base)_result.txt"
            var attempt = 0
            while !seen.insert(name).inserted {
                name = attempt == 0 ? "\(index)_\(base)_result.txt" : "\(index)_\(attempt)_\(base)_result.txt"
                attempt += 1
            }
            return name
        }
    }
}
