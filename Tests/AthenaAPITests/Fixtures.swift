import AthenaAPI

/// Objects with every field set (some combinations only make sense for coverage, e.g. a probe
/// with all three handlers), so encoding them touches every key of the Swift types.
enum Fixtures {
    static let conditions = [
        Condition(type: ConditionType.ready, status: "True", reason: ConditionReason.reconciled, message: "ok",
            observedGeneration: 3, lastTransitionTime: "2026-11-21T23:00:00Z")
    ]

    static let env = [
        EnvVar(name: "A", value: "1"),
        EnvVar(name: "B", valueFrom: EnvVarSource(
            secretKeyRef: KeySelector(name: "s", key: "k", optional: true),
            configMapKeyRef: KeySelector(name: "c", key: "k", optional: false),
            fieldRef: FieldSelector(fieldPath: "metadata.name"))),
    ]

    static let resources = ResourceSpec(
        cpu: "500m", memory: "1Gi", gpu: GPUSpec(count: 1, resourceName: "nvidia.com/gpu", product: "NVIDIA-A10"))

    static let probe = Probe(
        httpGet: HTTPGetAction(path: "/health", port: 8080, scheme: .http), grpc: GRPCAction(port: 50051, service: "x"),
        exec: ExecAction(command: ["true"]), initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 3,
        failureThreshold: 4)

    static let schema: JSONValue = ["type": "object", "properties": ["image": ["type": "file"]]]

    static let application: AIApplication = {
        var app = AIApplication(
            name: "digits-v1", namespace: "default",
            spec: AIApplicationSpec(
                version: "1.0.0", description: "d",
                runtime: RuntimeSpec(
                    image: "img:1", command: ["python"], args: ["-m", "x"], env: env, protocol: .grpc, port: 50051,
                    batching: BatchingSpec(maxBatchSize: 16, maxCallsInFlight: 2, maxDelayMicroseconds: 1000)),
                model: ModelSource(uri: "pvc://models/digits", mountPath: "/models"),
                apis: [ModelAPI(protocol: "http", url: "/", method: "POST",
                    request: ModelAPIMessage(contentType: "multipart/form-data", data: schema),
                    response: ModelAPIMessage(contentType: "application/json", data: schema))],
                health: HealthSpec(startup: probe, readiness: probe, liveness: probe),
                resources: resources,
                metrics: ModelMetrics(accuracy: 0.9, precision: 0.8, recall: 0.7, f1: 0.75),
                deployTypes: [.online, .batch]),
            status: AIApplicationStatus(phase: .ready, observedGeneration: 3, conditions: conditions,
                referencedBy: [ResourceReference(kind: OnlineService.kind, name: "digits")]))
        app.metadata.generation = 3
        return app
    }()

    static let onlineService: OnlineService = {
        var status = OnlineServiceStatus(phase: .running, observedGeneration: 2, conditions: conditions,
            url: "http://node:30080/v1/private/digits",
            versions: [VersionStatus(application: "digits-v1", weight: 90, replicas: 2, readyReplicas: 2)])
        status.deployStartedAt = "2026-11-21T23:00:00Z"
        status.stoppedAt = "2026-11-21T23:10:00Z"
        status.autoStopAt = "2026-11-22T07:00:00Z"
        return OnlineService(
            name: "digits", namespace: "default",
            spec: OnlineServiceSpec(
                versions: [
                    ServiceVersion(application: "digits-v1", weight: 90, replicas: 2, resources: resources, env: env),
                    ServiceVersion(application: "digits-v2", weight: 10, replicas: 1),
                ],
                rules: [RouteRule(expression: "#HEADER_version == '1.1.0'", version: "digits-v2", headers: ["x-canary": "1"])],
                nodePort: 30080,
                auth: AuthSpec(mode: .token, secretRef: SecretReference(name: "tokens")),
                rateLimit: RateLimitSpec(qps: 10),
                limits: RequestLimits(maxBodyBytes: 1024, timeoutSeconds: 10),
                streaming: StreamingSpec(websocket: true, sse: false),
                autoStop: AutoStopSpec(after: "1h"),
                stopped: false, deployTimeoutSeconds: 600, maxUnavailable: "25%",
                loadBalancing: LoadBalancingSpec(policy: .consistentHash, hashHeader: "X-User-Id")),
            status: status)
    }()

    static let batchService: BatchService = {
        var status = BatchServiceStatus(phase: .completed, observedGeneration: 1, conditions: conditions,
            total: 10, succeeded: 9, failed: 1)
        status.startTime = "2026-11-21T23:00:00Z"
        status.completionTime = "2026-11-21T23:05:00Z"
        status.jobName = "iris-batch"
        status.outputManifest = "pvc://data/out/infer-result-1.manifest"
        return BatchService(
            name: "iris-batch", namespace: "default",
            spec: BatchServiceSpec(
                application: "iris",
                input: BatchInput(path: "pvc://data/iris.csv", type: .csv, mapping: ["a": 0, "b": "col"]),
                output: BatchOutput(path: "pvc://data/out"),
                parallelism: 2, resources: resources, env: env, timeoutSeconds: 60),
            status: status)
    }()
}
