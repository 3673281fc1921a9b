import AthenaAPI
import Testing

@Suite("Validation")
struct ValidationTests {
    static func service(_ versions: [ServiceVersion], configure: (inout OnlineServiceSpec) -> Void = { _ in }) -> [FieldError] {
        var spec = OnlineServiceSpec(versions: versions)
        configure(&spec)
        return OnlineService(name: "svc", spec: spec).validate()
    }

    static func paths(_ errors: [FieldError]) -> [String] { errors.map(\.path) }

    @Test("weights: single version defaults to 100; several must sum to 100")
    func weights() {
        #expect(Self.service([ServiceVersion(application: "a")]).isEmpty)
        #expect(Self.service([ServiceVersion(application: "a", weight: 60), ServiceVersion(application: "b", weight: 40)]).isEmpty)
        let short = Self.service([ServiceVersion(application: "a", weight: 60), ServiceVersion(application: "b", weight: 30)])
        #expect(Self.paths(short) == ["spec.versions"])
        #expect(short.first?.message.contains("sum to 90") == true)
        let missing = Self.service([ServiceVersion(application: "a", weight: 100), ServiceVersion(application: "b")])
        #expect(Self.paths(missing) == ["spec.versions[1].weight"])
        #expect(missing.first?.code == .required)
    }

    @Test("versions: non-empty, unique, replicas in range")
    func versions() {
        #expect(Self.paths(Self.service([])) == ["spec.versions"])
        let dup = Self.service([ServiceVersion(application: "a", weight: 50), ServiceVersion(application: "a", weight: 50)])
        #expect(Self.paths(dup) == ["spec.versions[1].application"])
        #expect(dup.first?.code == .duplicate)
        #expect(Self.paths(Self.service([ServiceVersion(application: "a", replicas: -1)])) == ["spec.versions[0].replicas"])
        #expect(Self.paths(Self.service([ServiceVersion(application: "Bad_Name")])) == ["spec.versions[0].application"])
    }

    @Test("rules parse and target a listed version")
    func rules() {
        let versions = [ServiceVersion(application: "a", weight: 90), ServiceVersion(application: "b", weight: 10)]
        let errors = Self.service(versions) {
            $0.rules = [
                RouteRule(expression: "#HEADER_v == '1'", version: "b"),
                RouteRule(expression: "#HEADER_v = '1'", version: "c", headers: ["bad header": "x"]),
            ]
        }
        #expect(Self.paths(errors) == ["spec.rules[1].expression", "spec.rules[1].version", "spec.rules[1].headers[bad header]"])
        #expect(errors.first?.message.hasPrefix("column 11:") == true)
        #expect(errors[1].message.contains("\"a\", \"b\""))
        // CR LF is one Character in Swift: it must still count as a line break.
        for value in ["a\r\nx-injected: 1", "a\nb", "a\rb"] {
            let broken = Self.service(versions) { $0.rules = [RouteRule(expression: "#HEADER_v == '1'", version: "b", headers: ["x-run": value])] }
            #expect(Self.paths(broken) == ["spec.rules[0].headers[x-run]"], "\(value.debugDescription)")
        }
    }

    @Test("service-level ranges and cross-field rules")
    func serviceFields() {
        let one = [ServiceVersion(application: "a")]
        #expect(Self.paths(Self.service(one) { $0.nodePort = 29999 }) == ["spec.nodePort"])
        #expect(Self.service(one) { $0.nodePort = 30000 }.isEmpty)
        #expect(Self.paths(Self.service(one) { $0.auth = AuthSpec(mode: .hmac) }) == ["spec.auth.secretRef"])
        #expect(Self.service(one) { $0.auth = AuthSpec(mode: .hmac, secretRef: SecretReference(name: "k")) }.isEmpty)
        #expect(Self.paths(Self.service(one) { $0.autoStop = AutoStopSpec(after: "10 minutes") }) == ["spec.autoStop.after"])
        #expect(Self.service(one) { $0.autoStop = AutoStopSpec(after: "1h30m") }.isEmpty)
        #expect(Self.service(one) { $0.autoStop = AutoStopSpec(after: "8760h") }.isEmpty)
        #expect(Self.paths(Self.service(one) { $0.autoStop = AutoStopSpec(after: "8761h") }) == ["spec.autoStop.after"])
        #expect(Self.paths(Self.service(one) { $0.autoStop = AutoStopSpec(after: "3000000000000h") }) == ["spec.autoStop.after"])
        #expect(Self.paths(Self.service(one) { $0.maxUnavailable = "150%" }) == ["spec.maxUnavailable"])
        #expect(Self.paths(Self.service(one) { $0.loadBalancing = LoadBalancingSpec(policy: .consistentHash) }) == ["spec.loadBalancing.hashHeader"])
        #expect(Self.paths(Self.service(one) { $0.limits = RequestLimits(timeoutSeconds: 0) }) == ["spec.limits.timeoutSeconds"])
        #expect(Self.paths(OnlineService(name: "9svc", spec: OnlineServiceSpec(versions: one)).validate()) == ["metadata.name"])
    }

    static func application(_ configure: (inout AIApplicationSpec) -> Void) -> [String] {
        var spec = AIApplicationSpec(version: "1.0.0", runtime: RuntimeSpec(image: "img:1"))
        configure(&spec)
        return AIApplication(name: "app", spec: spec).validate().map(\.path)
    }

    @Test("application: image or model, probes, GPU, schemas, metrics")
    func application() {
        #expect(Self.application { _ in }.isEmpty)
        #expect(Self.application { $0.runtime = nil } == ["spec.runtime.image"])
        #expect(Self.application { $0.runtime = nil; $0.model = ModelSource(uri: "https://example.com/m.zip") }.isEmpty)
        #expect(Self.application { $0.model = ModelSource(uri: "s3://bucket/m") } == ["spec.model.uri"])
        #expect(Self.application { $0.model = ModelSource(uri: "pvc://m", mountPath: "/") } == ["spec.model.mountPath"])
        #expect(Self.application { $0.health = HealthSpec(readiness: Probe()) } == ["spec.health.readiness"])
        #expect(Self.application {
            $0.health = HealthSpec(liveness: Probe(httpGet: HTTPGetAction(path: "health", port: 70000), timeoutSeconds: 0))
        } == ["spec.health.liveness.httpGet.path", "spec.health.liveness.httpGet.port", "spec.health.liveness.timeoutSeconds"])
        #expect(Self.application { $0.resources = ResourceSpec(gpu: GPUSpec(count: -1)) } == ["spec.resources.gpu.count"])
        #expect(Self.application { $0.resources = ResourceSpec(gpu: GPUSpec(resourceName: "gpu")) } == ["spec.resources.gpu.resourceName"])
        #expect(Self.application { $0.resources = ResourceSpec(gpu: GPUSpec(resourceName: "kubernetes.io/gpu")) } == ["spec.resources.gpu.resourceName"])
        #expect(Self.application { $0.resources = ResourceSpec(cpu: "0", memory: "lots") } == ["spec.resources.cpu", "spec.resources.memory"])
        #expect(Self.application { $0.metrics = ModelMetrics(f1: 1.5) } == ["spec.metrics.f1"])
        #expect(Self.application { $0.version = "1.0 beta" } == ["spec.version"])
        #expect(Self.application { $0.deployTypes = [.online, .online] } == ["spec.deployTypes"])
        #expect(Self.application {
            $0.apis = [ModelAPI(method: "FETCH", request: ModelAPIMessage(data: ["type": "object", "properties": ["a": ["type": "text"]]]))]
        } == ["spec.apis[0].method", "spec.apis[0].request.data.properties.a.type"])
        #expect(Self.application {
            $0.runtime?.env = [EnvVar(name: "A", value: "1"), EnvVar(name: "A", value: "2")]
        } == ["spec.runtime.env[1].name"])
        #expect(Self.application { $0.runtime?.batching = BatchingSpec(maxBatchSize: 8, maxCallsInFlight: 4) } == [])
        #expect(Self.application { $0.runtime?.batching = BatchingSpec(maxBatchSize: 0, maxCallsInFlight: 300, maxDelayMicroseconds: -1) }
                == ["spec.runtime.batching.maxBatchSize", "spec.runtime.batching.maxCallsInFlight", "spec.runtime.batching.maxDelayMicroseconds"])
        #expect(Self.application { $0.runtime?.protocol = .http; $0.runtime?.batching = BatchingSpec(maxBatchSize: 8) }
                == ["spec.runtime.batching"])
    }

    @Test("JSON Schema lint accepts ModelArts schemas and rejects malformed ones")
    func schemaLint() {
        let modelArts: JSONValue = [
            "type": "object",
            "properties": ["req_data": ["type": "array", "items": [["type": "object", "properties": [:]]]],
                "images": ["type": "file"]],
            "required": ["req_data"],
        ]
        #expect(JSONSchemaLint.check(modelArts, at: FieldPath("s")).isEmpty)
        #expect(JSONSchemaLint.check(true, at: FieldPath("s")).isEmpty)
        #expect(JSONSchemaLint.check("object", at: FieldPath("s")).map(\.path) == ["s"])
        let bad: JSONValue = ["type": ["string", "word"], "required": "a", "minLength": -1, "anyOf": []]
        #expect(JSONSchemaLint.check(bad, at: FieldPath("s")).map(\.path).sorted() == ["s.anyOf", "s.minLength", "s.required", "s.type"])
    }

    @Test("batch: paths, type inference, mapping only for csv")
    func batch() {
        func errors(_ input: BatchInput, output: String = "pvc://d/out") -> [String] {
            BatchService(name: "b", spec: BatchServiceSpec(application: "a", input: input, output: BatchOutput(path: output)))
                .validate().map(\.path)
        }
        #expect(errors(BatchInput(path: "pvc://d/in.csv", mapping: ["a": 0])).isEmpty)
        #expect(BatchServiceSpec(application: "a", input: BatchInput(path: "/x/in.manifest"), output: BatchOutput(path: "/o"))
            .withDefaults().input.type == .manifest)
        #expect(errors(BatchInput(path: "pvc://d/in", mapping: ["a": 0])) == ["spec.input.mapping"])
        #expect(errors(BatchInput(path: "pvc://d/in", type: .csv)) == ["spec.input.path"])
        #expect(errors(BatchInput(path: "s3://x")) == ["spec.input.path"])
        #expect(errors(BatchInput(path: "pvc://d/in"), output: "pvc://d/in") == ["spec.output.path"])
        #expect(errors(BatchInput(path: "pvc://d/../etc")) == ["spec.input.path"])
    }

    @Test("quantities, durations and names")
    func primitives() throws {
        #expect(Quantity("500m").value == 0.5)
        #expect(Quantity("1Gi").value == 1_073_741_824)
        #expect(Quantity("1e3").value == 1000)
        #expect(Quantity(".5").value == 0.5)
        for bad in ["", "m", "1.2.3", "1 Gi", "1GB", "--1"] { #expect(Quantity(bad).value == nil, "\(bad)") }
        #expect(try DurationText.parseSeconds("1h30m") == 5400)
        #expect(try DurationText.parseSeconds("1.5h") == 5400)
        for bad in ["", "10", "1d", "h", "1..5s"] {
            #expect(throws: DurationText.ParseError.self, "\(bad)") { try DurationText.parseSeconds(bad) }
        }
        #expect(NameRules.dns1123Label("a-b") == nil)
        #expect(NameRules.dns1123Label("-a") != nil)
        #expect(NameRules.dns1123Label(String(repeating: "a", count: 64)) != nil)
        #expect(NameRules.dns1035Label("1a") != nil)
        #expect(NameRules.dns1123Subdomain("a.b-c") == nil)
        #expect(NameRules.labelValue("NVIDIA-A100_40GB.x") == nil)
        #expect(NameRules.extendedResourceName("amd.com/gpu") == nil)
        #expect(NameRules.headerName("X-User-Id") == nil)
        #expect(NameRules.headerName("x user") != nil)
    }

    @Test("errors become a 422 Invalid status with one cause per field")
    func status() {
        let errors = Self.service([ServiceVersion(application: "a", weight: 150, replicas: -2)])
        let status = errors.status(kind: OnlineService.kind, name: "svc")
        #expect(status.code == 422)
        #expect(status.reason == "Invalid")
        #expect(status.details?.causes?.map(\.field) == ["spec.versions[0].weight", "spec.versions[0].replicas"])
        #expect(status.message?.hasPrefix("OnlineService.serving.athena.dev \"svc\" is invalid: ") == true)
    }

    @Test("status summary counts ready replicas and ready versions")
    func summary() {
        let status = OnlineServiceStatus(phase: .warning, versions: [
            VersionStatus(application: "a", weight: 90, replicas: 2, readyReplicas: 2),
            VersionStatus(application: "b", weight: 10, replicas: 2, readyReplicas: 1),
        ])
        #expect(status.ready == "3/4")
        #expect(status.readyVersions == "1/2")
        #expect(status.replicas == 4 && status.readyReplicas == 3)
        let stopped = OnlineServiceStatus(phase: .stopped, versions: [
            VersionStatus(application: "a", weight: 100, replicas: 0, readyReplicas: 0),
        ])
        #expect(stopped.ready == "0/0")
        #expect(stopped.readyVersions == "0/1")
    }
}
