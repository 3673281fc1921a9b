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
        With --engine HOST:PORT the inputs go to a gRPC engine that is already running (a container, a
        port-forward) instead of workers started here; DIR is then optional, and without it --service
        and --field say what the engine serves.
        --shard I/N runs only the inputs at positions I, I+N, I+2N… of the list, so the N pods of a
        Kubernetes indexed Job (I = $JOB_COMPLETION_INDEX) split one batch; the task id is then I unless
        --task is given, so the shards' manifests do not overwrite each other in a shared OUT.
        Exit status: 0 when every input succeeded, 1 when some failed (the manifest says which), 2 on bad input.
        Examples:
          athena batch examples/digits --input examples/digits/testdata --output /tmp/digits-out
          athena batch --engine 127.0.0.1:50051 --service digits --field image --input in/ --output out/
          athena batch app --input /data/in --output /data/out --shard "$JOB_COMPLETION_INDEX/4"
        """
    )

    @Argument(help: "The application folder (wrapper.py, or config.json + customize_service.py); optional with --engine.")
    var dir: String?

    @Option(help: "HOST:PORT of a running gRPC engine (athena.engine.v1) to use instead of starting workers.")
    var engine: String?

    @Option(help: "The service name, with --engine and no DIR (the key of the ASE parameter object).")
    var service: String?

    @Option(help: "A folder of input files, or a .manifest file of {\"source\": …} lines.")
    var input: String

    @Option(help: "Where the results and the result manifest go (created if missing).")
    var output: String

    @Option(help: "The payload item each input file becomes (default: the application's only payload item).")
    var field: String?

    /// Optional so that `--shard` can tell "not given" from an explicit `--task 0`: see ``taskID``.
    @Option(help: "The task id in the output names (infer-result-TASK.manifest; default: 0, or I with --shard I/N).")
    var task: String?

    /// Taken unconditionally so that `--shard -1/2` reaches ``BatchShard`` and its message instead of
    /// being read as an unknown flag.
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Run only shard I of N: the inputs at positions I, I+N, I+2N… (for an indexed Job).",
                               valueName: "I/N"))
    var shard: String?

    @OptionGroup var workerOptions: WorkerOptions

    @Option(help: "Requests in flight at once (default: 2 per worker).")
    var concurrency: Int?

    @Option(help: "Seconds one input may take.")
    var timeout: Int = 60

    func validate() throws {
        if dir == nil {
            guard engine != nil else { throw ValidationError("give the application folder, or --engine HOST:PORT") }
            guard service != nil, field != nil else { throw ValidationError("--engine without an application folder needs --service and --field") }
        }
        if let engine, HostPort(parsing: engine) == nil { throw ValidationError("--engine: expected HOST:PORT, got '\(engine)'") }
        if let concurrency, !(1...1024).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 1024") }
        if let task, task.isEmpty || !task.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
            throw ValidationError("--task: letters, digits, - and _ only")
        }
    }

    func run() async throws {
        try await CLIError.reporting {
            // Parsed here rather than in validate() so a bad value exits 2 like the other input errors.
            let shard = try shard.map(BatchShard.init(parsing:))
            let listed = try BatchInputs.list(input)
            let inputs = shard?.select(listed) ?? listed
            if let shard {
                printLine("athena: shard \(shard): \(inputs.count) of \(listed.count) input\(listed.count == 1 ? "" : "s")")
            }
            var app = "", python = ""
            var description = AppDescription(service: service ?? "", version: "v1", kind: "engine", schema: nil, raw: .null)
            if let dir {
                app = try AppDescription.appDirectory(dir)
                python = try PythonLocator(explicit: workerOptions.python).locate()
                description = try await AppDescription.load(app: app, python: python)
                if let service { description.service = service }
            }
            let field = try self.field ?? Self.defaultField(description.schema)
            let output = URL(fileURLWithPath: self.output).standardizedFileURL.path
            let (workers, task, timeout) = (workerOptions.workers, Self.taskID(task, shard: shard), self.timeout)
            let concurrency = self.concurrency ?? 2 * (engine == nil ? workers : 1)
            var server = LocalServer(
                app: app, python: python, description: description, workers: workers,
                host: "127.0.0.1", port: 0, startupTimeout: .seconds(workerOptions.startupTimeout), logLevel: .warning)
            server.engines = engine.map { [$0] }
            let serviceName = description.service
            server.job = { base in
                let runner = BatchRunner(endpoint: "\(base)/v1/private/\(serviceName)", service: serviceName,
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

    /// The task id in the output names: an explicit `--task`, else the shard's index, so the N pods
    /// of an indexed Job writing to one shared folder each get their own `infer-result-I.manifest`.
    static func taskID(_ task: String?, shard: BatchShard?) -> String {
        task ?? shard.map { String($0.index) } ?? "0"
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
