import ArgumentParser
import AthenaAPI
import Foundation
import Logging

/// `athena batch DIR --input IN --output OUT`: a ModelArts-style batch service without a cluster —
/// the engine workers and the gateway of `athena serve`, fed every input once, then stopped.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run an application over a folder or a .manifest of inputs and write a result per input.",
        discussion: """
        Starts the engine workers and the gateway as `athena serve` does, sends each input file as one
        ASE request (the file is the payload item --field), and writes OUT/infer-result-TASK/<file>_result.txt
        and OUT/infer-result-TASK.manifest: one JSON line per input, {"source", "result": "SUCCESSFUL",
        "inference-loc"} or {"source", "result": "FAILED", "error_message"} (ModelArts' batch output).
        --input is a folder (every file in it) or a .manifest file of {"source": "path"} lines.
        Exit status: 0 when every input succeeded, 1 when some failed (the manifest says which), 2 on bad input.
        Example:
          athena batch examples/digits --input examples/digits/testdata --output /tmp/digits-out
        """
    )

    @Argument(help: "The application folder (wrapper.py, or config.json + customize_service.py).")
    var dir: String

    @Option(help: "A folder of input files, or a .manifest file of {\"source\": …} lines.")
    var input: String

    @Option(help: "Where the results and the result manifest go (created if missing).")
    var output: String

    @Option(help: "The payload item each input file becomes (default: the application's only payload item).")
    var field: String?

    @Option(help: "The task id in the output names (infer-result-TASK.manifest).")
    var task: String = "0"

    @OptionGroup var engine: WorkerOptions

    @Option(help: "Requests in flight at once (default: 2 per worker).")
    var concurrency: Int?

    @Option(help: "Seconds one input may take.")
    var timeout: Int = 60

    func validate() throws {
        if let concurrency, !(1...1024).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 1024") }
        guard !task.isEmpty, task.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("--task: letters, digits, - and _ only")
        }
    }

    func run() async throws {
        try await CLIError.reporting {
            let inputs = try BatchInputs.list(input)
            let app = try AppDescription.appDirectory(dir)
            let python = try PythonLocator(explicit: engine.python).locate()
            let description = try await AppDescription.load(app: app, python: python)
            let field = try self.field ?? Self.defaultField(description.schema)
            let output = URL(fileURLWithPath: self.output).standardizedFileURL.path
            let (workers, task, timeout) = (engine.workers, self.task, self.timeout)
            let concurrency = self.concurrency ?? 2 * workers
            var server = LocalServer(
                app: app, python: python, description: description, workers: workers,
                host: "127.0.0.1", port: 0, startupTimeout: .seconds(engine.startupTimeout), logLevel: .warning)
            server.job = { base in
                let runner = BatchRunner(endpoint: "\(base)/v1/private/\(description.service)", service: description.service,
                                         field: field, output: output, task: task, concurrency: concurrency, timeout: timeout)
                do {
                    let summary = try await runner.run(inputs)
                    printLine("athena: \(summary.total) input\(summary.total == 1 ? "" : "s"): \(summary.total - summary.failed) succeeded, \(summary.failed) failed")
                    printLine("athena: results in \(summary.results), manifest \(summary.manifest)")
                    return summary.failed == 0 ? nil : CLIError("\(summary.failed) of \(summary.total) inputs failed (see \(summary.manifest))")
                } catch {
                    return error
                }
            }
            try await server.run()
        }
    }

    /// The payload item an input file goes into: the application's only one.
    static func defaultField(_ schema: RoutingTableSchema?) throws -> String {
        let names = (schema?.payload?["properties"]?.objectValue?.keys).map { Array($0).sorted() } ?? []
        guard names.count == 1, let name = names.first else {
            let known = names.isEmpty ? "declares no payload item" : "takes \(names.joined(separator: ", "))"
            throw CLIError("the application \(known): pass --field NAME (the payload item each input file becomes)", exitCode: 2)
        }
        return name
    }
}
