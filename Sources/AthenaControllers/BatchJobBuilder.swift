import AthenaAPI
import Foundation

/// Builds the indexed Job of a BatchService. Each of its `parallelism` pods runs the
/// application's engine as a native sidecar (an init container that keeps running, Kubernetes
/// ≥ 1.29, so the Job completes when the driver does) and the driver, `athena batch --engine`
/// from the gateway image, which feeds its shard of the inputs (`--shard INDEX/N`) to the engine
/// and writes `<input>_result.txt` per input and `infer-result-INDEX.manifest`. A CSV input is run
/// row by row: the driver gets the application's request schema (`--request-schema`, to build and
/// type each row's request) and `spec.input.mapping` as `--map` flags, and writes
/// `<file>.csv_result-INDEX.txt` (no `-INDEX` with one shard).
enum BatchJobBuilder {
    /// Where `pvc://` inputs and outputs are mounted in the driver.
    static let inputMount = "/mnt/athena/input"
    static let outputMount = "/mnt/athena/output"
    /// Pod failures tolerated per index before the Job fails.
    static let backoffLimitPerIndex = 2

    static func build(_ batch: BatchService, applications: [AIApplication], options: BuildOptions) throws(BuildError) -> JSONValue {
        let plan = try VersionPlan(batch: batch, applications: applications, options: options)
        let name = batch.metadata.name ?? ""
        let labels = ChildNames.batchLabels(batch: name)
        let shards = max(1, batch.spec.parallelism ?? 1)

        var volumes: [JSONValue] = [["name": "driver-tmp", "emptyDir": [:]]]
        var initContainers: [JSONValue] = []
        var engineMounts: [JSONValue] = []
        if let model = try DeploymentBuilder.modelVolume(plan, options: options) {
            volumes.append(model.volume)
            engineMounts.append(model.mount)
            if let fetcher = model.initContainer { initContainers.append(fetcher) }
        }
        var engine = DeploymentBuilder.engineContainer(plan, mounts: engineMounts)
        engine["restartPolicy"] = "Always"  // a native sidecar: stopped when the driver is done
        initContainers.append(engine)

        var driverMounts: [JSONValue] = [["name": "driver-tmp", "mountPath": "/tmp"]]
        let input = try location(batch.spec.input.path, volume: "input", mount: inputMount, readOnly: true,
                                 volumes: &volumes, mounts: &driverMounts, field: "spec.input.path")
        let output = try location(batch.spec.output.path, volume: "output", mount: outputMount, readOnly: false,
                                  volumes: &volumes, mounts: &driverMounts, field: "spec.output.path")
        let application = applications.first(where: { $0.metadata.name == batch.spec.application })
        let what: [String]
        if batch.spec.withDefaults().input.type == .csv {
            guard let application, let schema = requestSchema(of: application) else {
                throw BuildError(noCSVField(batch.spec.application))
            }
            // Sorted keys: the same application gives the same Job args in every operator process
            // (dictionary order differs from one process to the next).
            what = ["--request-schema", String(decoding: (try? schema.serialized()) ?? Data("{}".utf8), as: UTF8.self)] + mapArguments(batch.spec.input.mapping)
        } else {
            guard let application, let field = inputField(of: application) else {
                throw BuildError(noFileField(batch.spec.application))
            }
            what = ["--field", field]
        }
        let driver = JSON.object([
            ("name", "driver"),
            ("image", .string(options.gatewayImage)),
            ("imagePullPolicy", JSON.string(options.gatewayPullPolicy)),
            ("command", ["athena"]),
            ("args", JSON.strings([
                "batch", "--engine", "127.0.0.1:\(plan.enginePort)", "--service", plan.applicationName,
            ] + what + [
                "--input", input, "--output", output, "--shard", "$(JOB_COMPLETION_INDEX)/\(shards)",
                "--startup-timeout", String(engineStartupSeconds(plan)),
            ])),
            ("env", [[
                "name": "JOB_COMPLETION_INDEX",
                "valueFrom": ["fieldRef": ["fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"]],
            ]]),
            ("resources", options.gatewayResources),
            ("volumeMounts", .array(driverMounts)),
            ("securityContext", DeploymentBuilder.containerSecurity(readOnlyRoot: true)),
        ])
        let podSpec = JSON.object([
            ("restartPolicy", "Never"),
            // fsGroup: the driver (the gateway image's user 65532) writes results to the output volume.
            // OnRootMismatch: the kubelet re-owns the volume only when its root is not the group's
            // already, instead of walking the whole claim at every pod start.
            ("securityContext", ["runAsNonRoot": true, "fsGroup": 65532, "fsGroupChangePolicy": "OnRootMismatch",
                                 "seccompProfile": ["type": "RuntimeDefault"]]),
            ("nodeSelector", DeploymentBuilder.nodeSelector(plan)),
            ("initContainers", .array(initContainers)),
            ("containers", .array([driver])),
            ("volumes", .array(volumes)),
        ])
        return [
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": Owner(batch).metadata(name: ChildNames.batchJob(batch: name), labels: labels),
            "spec": JSON.object([
                ("completionMode", "Indexed"),
                ("completions", .number(Double(shards))),
                ("parallelism", .number(Double(shards))),
                ("backoffLimitPerIndex", .number(Double(backoffLimitPerIndex))),
                ("activeDeadlineSeconds", JSON.int(batch.spec.timeoutSeconds)),
                ("template", ["metadata": ["labels": JSON.strings(labels)], "spec": podSpec]),
            ]),
        ]
    }

    /// How long the driver waits for the engine to become healthy: what its startup probe allows
    /// (a model may take minutes to load), at least 10 minutes.
    static func engineStartupSeconds(_ plan: VersionPlan) -> Int {
        guard let startup = plan.spec.health?.startup else { return 600 }
        let period = startup.periodSeconds ?? 10, threshold = startup.failureThreshold ?? 30
        return max(600, (startup.initialDelaySeconds ?? 0) + period * threshold + 60)
    }

    /// Why `application` cannot take a batch of files (the builder's error, the reconciler's Pending message).
    static func noFileField(_ application: String) -> String {
        "AIApplication \(application) declares no input field for batch files (a property of type file in spec.apis[0].request.data)"
    }

    /// Why `application` cannot take the rows of a CSV batch.
    static func noCSVField(_ application: String) -> String {
        "AIApplication \(application) declares no request field a CSV column can fill "
            + "(a string, number, integer or boolean property in spec.apis[0].request.data)"
    }

    /// The request field each input file becomes: the first property of type `file` of the
    /// application's first API (ModelArts: batch inputs are files), else its only property.
    static func inputField(of application: AIApplication) -> String? {
        guard let properties = application.spec.apis?.first?.request?.data?["properties"]?.objectValue else { return nil }
        let names = properties.keys.sorted()
        return names.first { properties[$0]?["type"]?.stringValue == "file" } ?? (names.count == 1 ? names[0] : nil)
    }

    /// The JSON Schema a CSV row's request is built from and typed by (ModelArts: the request
    /// body of the application's first API), when it has a field a CSV cell can fill.
    static func requestSchema(of application: AIApplication) -> JSONValue? {
        guard let data = application.spec.apis?.first?.request?.data, !CSVRequestField.fields(of: data).isEmpty else { return nil }
        return data
    }

    /// Why a CSV batch cannot run with `application`, or nil: no field a cell can fill, or a
    /// mapping naming a field the application does not take (checked here so it is said before a
    /// Job starts, not in a failed pod's log).
    static func csvProblem(_ batch: BatchService, application: AIApplication) -> String? {
        guard let schema = requestSchema(of: application) else {
            return noCSVField(batch.spec.application)
        }
        let fields = CSVRequestField.fields(of: schema)
        let unknown = (batch.spec.input.mapping ?? [:]).keys.filter { CSVRequestField.named($0, in: fields) == nil }.sorted()
        guard unknown.isEmpty else {
            return "spec.input.mapping: \(unknown.joined(separator: ", ")) \(unknown.count == 1 ? "is not a request field" : "are not request fields")"
                + " of AIApplication \(batch.spec.application) (its fields: \(fields.map(\.name).joined(separator: ", ")))"
        }
        return nil
    }

    /// `--map FIELD=COLUMN` per mapping entry, in field order. Header names are always quoted so
    /// the driver never reads a name made of digits (`"2024"`) as a column index.
    static func mapArguments(_ mapping: [String: IntOrString]?) -> [String] {
        (mapping ?? [:]).sorted { $0.key < $1.key }.flatMap { field, column -> [String] in
            switch column {
            case .int(let index): ["--map", "\(field)=\(index)"]
            case .string(let name): ["--map", "\(field)=\"\(name)\""]
            }
        }
    }

    /// The driver's path for `text`: a `pvc://claim/path` becomes a volume mounted at `mount`
    /// (the path inside it appended); an absolute path is used as is.
    private static func location(
        _ text: String, volume: String, mount: String, readOnly: Bool, volumes: inout [JSONValue], mounts: inout [JSONValue], field: String
    ) throws(BuildError) -> String {
        let location: StoragePath.Location
        do {
            location = try StoragePath.parse(text, allowHTTP: false)
        } catch {
            throw BuildError("\(field): \(error.message)")
        }
        switch location {
        case .pvc(let claim, let path):
            volumes.append(["name": .string(volume), "persistentVolumeClaim": ["claimName": .string(claim), "readOnly": .bool(readOnly)]])
            mounts.append(["name": .string(volume), "mountPath": .string(mount), "readOnly": .bool(readOnly)])
            return mount + path
        case .local(let path):
            return path
        case .http:
            throw BuildError("\(field): \(text) is not a pod path")
        }
    }
}
