import ArgumentParser
import AthenaAPI
import Foundation
import KubeModel
import Logging

/// `athena batch DIR --input IN --output OUT`: a ModelArts-style batch service without a cluster —
/// the engine workers and the gateway of `athena serve`, fed every input once, then stopped.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run an application over a folder, a .manifest or a .csv of inputs and write a result per input.",
        discussion: """
        Starts the engine workers and the gateway as `athena serve` does, sends each input file as one
        ASE request (the file is the payload item --field), and writes OUT/infer-result-TASK/<file>_result.txt
        and OUT/infer-result-TASK.manifest: one JSON line per input, {"source", "result": "SUCCESSFUL",
        "inference-loc"} or {"source", "result": "FAILED", "error_message"} (ModelArts' batch output).
        --input is a folder (every file in it) or a .manifest file of {"source": "path"} lines.
        A .csv file runs each row as one JSON request to /v1/infers/SERVICE (a ModelArts-style
        application): --map FIELD=COLUMN (repeatable; a 0-based index or a header name) says which
        column feeds which request field, FIELD a dotted path of the request schema
        (data.req_data.sepal_length: an array of objects on the way takes the row as its one item);
        the cells are typed by that schema (the application's apis[0].request.data, or
        --request-schema with --engine). The first line is a header iff some mapping names a column
        or there is no --map (then every field is looked up in the header by its path or last part).
        Results: OUT/<file>.csv_result.txt (OUT/<file>.csv_result-I.txt with --shard I/N, N > 1), one
        line per row in row order, {"row": N, "result": …} or {"row": N, "error": {"code", "message"}}
        (N counts data rows from 0), and OUT/infer-result-TASK.manifest with a line per row.
        With --engine HOST:PORT the inputs go to a gRPC engine that is already running (a container, a
        port-forward) instead of workers started here; DIR is then optional, and without it --service
        and --field (--request-schema for a .csv) say what the engine serves.
        --shard I/N runs only the inputs at positions I, I+N, I+2N… of the list, so the N pods of a
        Kubernetes indexed Job (I = $JOB_COMPLETION_INDEX) split one batch; the task id is then I unless
        --task is given, so the shards' manifests do not overwrite each other in a shared OUT.
        Exit status: 0 when every input succeeded, 1 when some failed (the manifest says which), 2 on bad input.
        Examples:
          athena batch examples/digits --input examples/digits/testdata --output /tmp/digits-out
          athena batch --engine 127.0.0.1:50051 --service digits --field image --input in/ --output out/
          athena batch app --input /data/in --output /data/out --shard "$JOB_COMPLETION_INDEX/4"
          athena batch examples/iris --input examples/iris/testdata/iris.csv --output /tmp/iris-out
        """
    )

    @Argument(help: "The application folder (wrapper.py, or config.json + customize_service.py); optional with --engine.")
    var dir: String?

    @Option(help: "HOST:PORT of a running gRPC engine (athena.engine.v1) to use instead of starting workers.")
    var engine: String?

    @Option(help: "The service name, with --engine and no DIR (the key of the ASE parameter object).")
    var service: String?

    @Option(help: "A folder of input files, a .manifest file of {\"source\": …} lines, or a .csv file (a request per row).")
    var input: String

    @Option(help: "Where the results and the result manifest go (created if missing).")
    var output: String

    @Option(help: "The payload item each input file becomes (default: the application's only payload item).")
    var field: String?

    /// CSV only. Kept as given and parsed in run() so a bad one exits 2 with the other input errors.
    @Option(name: .customLong("map"),
            help: ArgumentHelp("CSV only: the column a request field reads, a 0-based index or a header name (repeatable).",
                               valueName: "FIELD=COLUMN"))
    var maps: [String] = []

    @Option(help: ArgumentHelp("CSV only: the JSON Schema of the request body (ModelArts apis[0].request.data), JSON or @file; default: the application's.",
                               valueName: "JSON"))
    var requestSchema: String?

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
            if Self.isCSV(input) {
                guard service != nil, requestSchema != nil else {
                    throw ValidationError("--engine with a .csv input and no application folder needs --service and --request-schema")
                }
            } else {
                guard service != nil, field != nil else { throw ValidationError("--engine without an application folder needs --service and --field") }
            }
        }
        if Self.isCSV(input) {
            if field != nil { throw ValidationError("--field is for folder and manifest inputs: a .csv input maps columns with --map FIELD=COLUMN") }
        } else if !maps.isEmpty || requestSchema != nil {
            throw ValidationError("--map and --request-schema are for .csv inputs (--input \(input) is not one)")
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
            let csv = Self.isCSV(input)
            // Listed before the application loads, so a wrong --input fails at once.
            let listed = try csv ? [] : BatchInputs.list(input)
            var app = "", python = ""
            var description = AppDescription(service: service ?? "", version: "v1", kind: "engine", schema: nil, raw: .null)
            if let dir {
                app = try AppDescription.appDirectory(dir)
                python = try PythonLocator(explicit: workerOptions.python).locate()
                description = try await AppDescription.load(app: app, python: python)
                if let service { description.service = service }
            }
            let output = URL(fileURLWithPath: self.output).standardizedFileURL.path
            let (workers, task, timeout) = (workerOptions.workers, Self.taskID(task, shard: shard), self.timeout)
            let concurrency = self.concurrency ?? 2 * (engine == nil ? workers : 1)
            var server = LocalServer(
                app: app, python: python, description: description, workers: workers,
                host: "127.0.0.1", port: 0, startupTimeout: .seconds(workerOptions.startupTimeout), logLevel: .warning)
            server.engines = engine.map { [$0] }
            let serviceName = description.service
            if csv {
                let fields = CSVRequestField.fields(of: try Self.csvRequestSchema(requestSchema, description: description))
                let mapping = try maps.map(CSVMapping.parseFlag)
                let all = try CSVBatchRunner.rows(csv: input, mapping: mapping, fields: fields)
                let rows = shard?.select(all) ?? all
                if let shard { printLine("athena: shard \(shard): \(rows.count) of \(all.count) row\(all.count == 1 ? "" : "s")") }
                let source = input
                server.job = { base in
                    let runner = CSVBatchRunner(endpoint: "\(base)/v1/infers/\(serviceName)", output: output, task: task, shard: shard,
                                                concurrency: concurrency, timeout: timeout)
                    return await Self.report(noun: "row") { try await runner.run(source: source, csv: source, rows: rows) }
                }
            } else {
                let inputs = shard?.select(listed) ?? listed
                if let shard {
                    printLine("athena: shard \(shard): \(inputs.count) of \(listed.count) input\(listed.count == 1 ? "" : "s")")
                }
                let field = try self.field ?? Self.defaultField(description.schema)
                server.job = { base in
                    let runner = BatchRunner(endpoint: "\(base)/v1/private/\(serviceName)", service: serviceName,
                                             field: field, output: output, task: task, concurrency: concurrency, timeout: timeout)
                    return await Self.report(noun: "input") { try await runner.run(inputs) }
                }
            }
            try await server.run()
        }
    }

    /// Runs a batch and prints its summary; the error to exit with, if any (some input failed).
    static func report(noun: String, _ run: () async throws -> BatchRunner.Summary) async -> (any Error)? {
        do {
            let summary = try await run()
            printLine("athena: \(summary.total) \(noun)\(summary.total == 1 ? "" : "s"): \(summary.total - summary.failed) succeeded, \(summary.failed) failed")
            printLine("athena: results in \(summary.results), manifest \(summary.manifest)")
            return summary.failed == 0 ? nil : CLIError("\(summary.failed) of \(summary.total) \(noun)s failed (see \(summary.manifest))")
        } catch {
            return error
        }
    }

    /// Whether `--input` is a CSV file (by its extension, as the BatchService's type is inferred).
    static func isCSV(_ input: String) -> Bool { input.lowercased().hasSuffix(".csv") }

    /// The request body schema CSV cells are typed by: `--request-schema` (JSON, or @file), else the
    /// application's ModelArts `apis[0].request.data`.
    static func csvRequestSchema(_ flag: String?, description: AppDescription) throws -> JSONValue {
        if let flag {
            let text: String
            if flag.hasPrefix("@") {
                guard let read = try? String(contentsOfFile: String(flag.dropFirst()), encoding: .utf8) else {
                    throw CLIError("--request-schema: cannot read \(flag.dropFirst())", exitCode: 2)
                }
                text = read
            } else {
                text = flag
            }
            guard let schema = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), schema.objectValue != nil else {
                throw CLIError("--request-schema: not a JSON object (expected the JSON Schema of the request body)", exitCode: 2)
            }
            return schema
        }
        guard let schema = description.schema?.apis?.arrayValue?.first?["request"]?["data"] else {
            throw CLIError("a .csv input needs the request schema of a ModelArts-style application (config.json apis[0].request.data); "
                + "\(description.service) declares none: pass --request-schema", exitCode: 2)
        }
        return schema
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
