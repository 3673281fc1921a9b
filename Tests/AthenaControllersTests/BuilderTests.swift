import AthenaAPI
import Testing

@testable import AthenaControllers

@Suite("OnlineService builders")
struct BuilderTests {
    let apps = [
        Fixtures.application("digits-v1"),
        Fixtures.application("digits-v2", protocol: .http, port: 8080,
                             health: HealthSpec(readiness: Probe(httpGet: HTTPGetAction(path: "/health")),
                                                liveness: Probe(exec: ExecAction(command: ["true"]), periodSeconds: 20)),
                             resources: ResourceSpec(cpu: "2", memory: "1Gi", gpu: GPUSpec(count: 1, product: "Tesla-T4")),
                             apis: [ModelAPI(url: "/predict", method: "POST")]),
    ]

    func twoVersions(stopped: Bool? = nil) -> OnlineService {
        var service = Fixtures.service(versions: [
            ServiceVersion(application: "digits-v1", weight: 90, replicas: 2),
            ServiceVersion(application: "digits-v2", weight: 10, replicas: 1,
                           env: [EnvVar(name: "ATHENA_LOG_LEVEL", value: "debug")]),
        ])
        service.spec.nodePort = 30080
        service.spec.stopped = stopped
        service.spec.rules = [RouteRule(expression: "#HEADER_version == '1.1.0'", version: "digits-v2")]
        return service
    }

    @Test("one ConfigMap, per version a headless Service and a Deployment, one NodePort Service, one NetworkPolicy")
    func objectSet() throws {
        let objects = try OnlineServiceBuilder.desiredObjects(service: twoVersions(), applications: apps)
        let names = objects.map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" }
        #expect(names == [
            "ConfigMap/digits-routing", "Service/digits-digits-v1-engine", "Deployment/digits-digits-v1",
            "Service/digits-digits-v2-engine", "Deployment/digits-digits-v2", "Service/digits", "NetworkPolicy/digits-engines",
        ])
        for object in objects {
            let reference = try #require(object["metadata"]?["ownerReferences"]?.arrayValue?.first)
            #expect(reference["uid"] == "uid-svc")
            #expect(reference["controller"] == true)
            #expect(object["metadata"]?["labels"]?[LabelKey.onlineService] == "digits")
            #expect(object["metadata"]?["labels"]?[LabelKey.managedBy] == "athena-operator")
        }
    }

    @Test("engine container: image, env with version overrides last, GPU limit and node selector, probes")
    func engineContainer() throws {
        let objects = try OnlineServiceBuilder.desiredObjects(service: twoVersions(), applications: apps)
        let v2 = Fixtures.named(objects, kind: "Deployment", "digits-digits-v2")
        let engine = try #require(Fixtures.container(v2, "engine"))
        #expect(engine["image"] == "registry.example/digits:1")
        #expect(engine["resources"]?["limits"]?["nvidia.com/gpu"] == "1")
        #expect(engine["resources"]?["requests"]?["cpu"] == "2")
        #expect(v2?["spec"]?["template"]?["spec"]?["nodeSelector"]?["nvidia.com/gpu.product"] == "Tesla-T4")
        #expect(engine["readinessProbe"]?["httpGet"]?["path"] == "/health")
        #expect(engine["readinessProbe"]?["httpGet"]?["port"] == 8080)
        #expect(engine["livenessProbe"]?["exec"]?["command"] == ["true"])
        #expect(engine["livenessProbe"]?["periodSeconds"] == 20)
        let env = engine["env"]?.arrayValue ?? []
        #expect(env.last?["name"] == "ATHENA_LOG_LEVEL")
        #expect(engine["securityContext"]?["allowPrivilegeEscalation"] == false)
        #expect(engine["securityContext"]?["capabilities"]?["drop"] == ["ALL"])
        #expect(v2?["spec"]?["replicas"] == 1)
        #expect(v2?["spec"]?["template"]?["spec"]?["securityContext"]?["runAsNonRoot"] == true)
        #expect(v2?["spec"]?["template"]?["spec"]?["securityContext"]?["seccompProfile"]?["type"] == "RuntimeDefault")
    }

    @Test("gateway sidecar: image from options, args, /healthz and /readyz, routing mount, port moved off 8080 for an HTTP engine on 8080")
    func gatewaySidecar() throws {
        let options = BuildOptions(gatewayImage: "example/gw:9")
        let objects = try OnlineServiceBuilder.desiredObjects(service: twoVersions(), applications: apps, options: options)
        let v1 = try #require(Fixtures.container(Fixtures.named(objects, kind: "Deployment", "digits-digits-v1"), "gateway"))
        #expect(v1["image"] == "example/gw:9")
        #expect(v1["args"] == ["--config", "/etc/athena/routing/routing.yaml", "--host", "0.0.0.0", "--port", "8080"])
        #expect(v1["readinessProbe"]?["httpGet"]?["path"] == "/readyz")
        #expect(v1["livenessProbe"]?["httpGet"]?["path"] == "/healthz")
        #expect(v1["securityContext"]?["readOnlyRootFilesystem"] == true)
        #expect(v1["volumeMounts"]?.arrayValue?.contains { $0["mountPath"] == "/etc/athena/routing" } == true)
        let v2 = try #require(Fixtures.container(Fixtures.named(objects, kind: "Deployment", "digits-digits-v2"), "gateway"))
        #expect(v2["ports"]?[0]?["containerPort"] == 8090)
    }

    @Test("auth and rate limit: the Secret mounted read-only into the sidecar, the routing table's auth names that folder, qps passed on")
    func authAndRateLimit() throws {
        var service = twoVersions()
        service.spec.auth = AuthSpec(mode: .hmac, secretRef: SecretReference(name: "digits-callers"))
        service.spec.rateLimit = RateLimitSpec(qps: 50)
        let objects = try OnlineServiceBuilder.desiredObjects(service: service, applications: apps)
        let deployment = try #require(Fixtures.named(objects, kind: "Deployment", "digits-digits-v1"))
        let volumes = deployment[path: ["spec", "template", "spec", "volumes"]]?.arrayValue ?? []
        #expect(volumes.contains { $0["name"] == "auth" && $0["secret"]?["secretName"] == "digits-callers" }, "\(volumes)")
        let gateway = try #require(Fixtures.container(deployment, "gateway"))
        let mount = gateway["volumeMounts"]?.arrayValue?.first { $0["name"] == "auth" }
        #expect(mount?["mountPath"] == "/etc/athena/auth" && mount?["readOnly"] == true)
        let engine = try #require(Fixtures.container(deployment, "engine"))
        #expect(engine["volumeMounts"]?.arrayValue?.contains { $0["name"] == "auth" } != true, "the engine never sees the callers' secrets")
        let route = try #require(try OnlineServiceBuilder.routingTable(service: service, applications: apps).service(named: "digits"))
        #expect(route.auth == RoutingTableAuth(mode: .hmac, secretFile: "/etc/athena/auth"))
        #expect(route.rateLimit == RoutingTableRateLimit(qps: 50))
        #expect(try OnlineServiceBuilder.routingTable(service: twoVersions(), applications: apps).service(named: "digits")?.auth.mode == RoutingTableAuth.Mode.none)
    }

    @Test("streaming: spec.streaming reaches the routing table (both on by default)")
    func streamingSwitches() throws {
        let defaults = try #require(try OnlineServiceBuilder.routingTable(service: twoVersions(), applications: apps).service(named: "digits"))
        #expect(defaults.streaming == RoutingTableStreaming(websocket: true, sse: true))
        var service = twoVersions()
        service.spec.streaming = StreamingSpec(websocket: false, sse: true)
        let route = try #require(try OnlineServiceBuilder.routingTable(service: service, applications: apps).service(named: "digits"))
        #expect(route.streaming == RoutingTableStreaming(websocket: false, sse: true))
    }

    @Test("environment options: image, pull policy, resources; bad JSON is an error")
    func environmentOptions() throws {
        let options = try BuildOptions.fromEnvironment([
            "ATHENA_GATEWAY_IMAGE": "x/gw:2", "ATHENA_GATEWAY_IMAGE_PULL_POLICY": "IfNotPresent",
            "ATHENA_GATEWAY_RESOURCES": #"{"requests":{"cpu":"100m"}}"#,
        ])
        #expect(options.gatewayImage == "x/gw:2")
        #expect(options.gatewayResources?["requests"]?["cpu"] == "100m")
        #expect(try BuildOptions.fromEnvironment([:]).gatewayImage == "athena-serving/athena-gateway:0.1.0")
        #expect(throws: BuildError.self) { try BuildOptions.fromEnvironment(["ATHENA_GATEWAY_RESOURCES": "{oops"]) }
    }

    @Test("routing table: weights, DNS endpoints of the headless Services, rules, HTTP shape, schemas")
    func routingTable() throws {
        let table = try OnlineServiceBuilder.routingTable(service: twoVersions(), applications: apps)
        #expect(table.problems() == [])
        let route = try #require(table.service(named: "digits"))
        #expect(route.versions.map(\.weight) == [90, 10])
        #expect(route.versions[0].endpoints.dns?.name == "digits-digits-v1-engine.default.svc.cluster.local")
        #expect(route.versions[0].endpoints.dns?.port == 50051)
        #expect(route.versions[1].protocol == .http)
        #expect(route.versions[1].http?.path == "/predict")
        #expect(route.versions[1].http?.healthPath == "/health")
        #expect(route.versions[1].schema?.apis != nil)
        #expect(route.rules == [RoutingTableRule(match: "#HEADER_version == '1.1.0'", version: "digits-v2")])
        #expect(route.versions[0].batching == EngineBatching(), "no runtime.batching: the routing table's defaults")
    }

    @Test("runtime.batching reaches the version's routing-table batching; unset fields keep the defaults")
    func routingTableBatching() throws {
        var tuned = apps
        tuned[0].spec.runtime?.batching = BatchingSpec(maxCallsInFlight: 4, maxDelayMicroseconds: 500)
        let table = try OnlineServiceBuilder.routingTable(service: twoVersions(), applications: tuned)
        #expect(table.problems() == [])
        let route = try #require(table.service(named: "digits"))
        #expect(route.versions[0].batching == EngineBatching(maxBatchSize: 32, maxCallsInFlight: 4, maxDelayMicroseconds: 500))
        #expect(route.versions[1].batching == EngineBatching())
    }

    @Test("the ConfigMap's routing.yaml decodes back to the same table, and is byte-stable")
    func configMapRoundTrip() throws {
        let first = try OnlineServiceBuilder.desiredObjects(service: twoVersions(), applications: apps)
        let second = try OnlineServiceBuilder.desiredObjects(service: twoVersions(), applications: apps)
        #expect(first == second)
        let text = try #require(first[0]["data"]?["routing.yaml"]?.stringValue)
        let decoded = try YAMLTestDecoding.decode(RoutingTable.self, from: text)
        #expect(decoded == (try OnlineServiceBuilder.routingTable(service: twoVersions(), applications: apps)))
    }

    @Test("stopped: zero replicas, every object kept")
    func stopped() throws {
        let objects = try OnlineServiceBuilder.desiredObjects(service: twoVersions(stopped: true), applications: apps)
        #expect(objects.count == 7)
        for deployment in Fixtures.objects(objects, kind: "Deployment") {
            #expect(deployment["spec"]?["replicas"] == 0)
        }
    }

    @Test("front Service is NodePort with spec.nodePort, selects every version; headless Services select one version")
    func services() throws {
        let objects = try OnlineServiceBuilder.desiredObjects(service: twoVersions(), applications: apps)
        let front = try #require(Fixtures.named(objects, kind: "Service", "digits"))
        #expect(front["spec"]?["type"] == "NodePort")
        #expect(front["spec"]?["ports"]?[0]?["nodePort"] == 30080)
        #expect(front["spec"]?["selector"]?[LabelKey.application] == nil)
        let headless = try #require(Fixtures.named(objects, kind: "Service", "digits-digits-v1-engine"))
        #expect(headless["spec"]?["clusterIP"] == "None")
        #expect(headless["spec"]?["selector"]?[LabelKey.application] == "digits-v1")
        let policy = try #require(Fixtures.named(objects, kind: "NetworkPolicy", "digits-engines"))
        #expect(policy["spec"]?["ingress"]?[1]?["from"]?[0]?["podSelector"]?["matchLabels"]?[LabelKey.onlineService] == "digits")
    }

    @Test("model.uri: http → init container + emptyDir; pvc → read-only claim with subPath; absolute path → nothing mounted")
    func modelLocations() throws {
        let cases: [(String, String?, String?)] = [
            ("https://models.example/digits.tar.gz", "emptyDir", "fetch-model"),
            ("pvc://models/digits/v1", "persistentVolumeClaim", nil),
            ("/opt/model", nil, nil),
        ]
        for (uri, volumeKind, initName) in cases {
            let app = Fixtures.application("m", model: ModelSource(uri: uri, mountPath: "/models/m"))
            let service = Fixtures.service(versions: [ServiceVersion(application: "m")])
            let objects = try OnlineServiceBuilder.desiredObjects(service: service, applications: [app])
            let pod = Fixtures.named(objects, kind: "Deployment", "digits-m")?["spec"]?["template"]?["spec"]
            let model = pod?["volumes"]?.arrayValue?.first { $0["name"] == "model" }
            if let volumeKind { #expect(model?[volumeKind] != nil, "\(uri)") } else { #expect(model == nil, "\(uri)") }
            #expect(pod?["initContainers"]?[0]?["name"]?.stringValue == initName, "\(uri)")
            let env = Fixtures.container(Fixtures.named(objects, kind: "Deployment", "digits-m"), "engine")?["env"]?.arrayValue ?? []
            #expect(env.contains { $0["name"] == "ATHENA_MODEL_DIR" && $0["value"] == "/models/m" }, "\(uri)")
        }
    }

    @Test("errors: unknown application, application without image")
    func errors() throws {
        let service = Fixtures.service(versions: [ServiceVersion(application: "nope")])
        #expect(throws: BuildError.self) { try OnlineServiceBuilder.desiredObjects(service: service, applications: apps) }
        let noImage = Fixtures.application("nope", image: "")
        #expect(throws: BuildError.self) { try OnlineServiceBuilder.desiredObjects(service: service, applications: [noImage]) }
    }

    @Test("no uid (offline render) → no owner references")
    func noOwner() throws {
        var service = twoVersions()
        service.metadata.uid = nil
        let objects = try OnlineServiceBuilder.desiredObjects(service: service, applications: apps)
        #expect(objects.allSatisfy { $0["metadata"]?["ownerReferences"] == nil })
    }
}
