import AthenaAPI

/// Builds the Deployment of one version: the engine container from the AIApplication, the gateway
/// sidecar, an optional model-fetching init container, secure defaults everywhere.
enum DeploymentBuilder {
    static let gpuResourceName = "nvidia.com/gpu"
    static let gpuProductLabel = "nvidia.com/gpu.product"

    static func build(_ plan: VersionPlan, owner: Owner, options: BuildOptions) throws(BuildError) -> JSONValue {
        let name = ChildNames.deployment(service: plan.serviceName, application: plan.applicationName)
        let selector = ChildNames.versionSelector(service: plan.serviceName, application: plan.applicationName)
        let labels = ChildNames.labels(service: plan.serviceName, component: "server")
            .merging([LabelKey.application: plan.applicationName, LabelKey.version: plan.spec.version]) { $1 }
        let podLabels = labels.merging(selector) { $1 }

        var volumes: [JSONValue] = [
            ["name": "routing", "configMap": ["name": .string(ChildNames.routingConfigMap(service: plan.serviceName))]],
            ["name": "gateway-tmp", "emptyDir": [:]],
        ]
        var initContainers: [JSONValue] = []
        var engineMounts: [JSONValue] = []
        if let model = try modelVolume(plan, options: options) {
            volumes.append(model.volume)
            engineMounts.append(model.mount)
            if let fetcher = model.initContainer { initContainers.append(fetcher) }
        }
        if let secret = plan.service.spec.auth?.secretRef {
            volumes.append(["name": "auth", "secret": ["secretName": .string(secret.name)]])
        }

        let maxUnavailable: JSONValue = plan.service.spec.maxUnavailable.flatMap { JSON.encode($0) } ?? "25%"
        let podSpec = JSON.object([
            ("securityContext", ["runAsNonRoot": true, "seccompProfile": ["type": "RuntimeDefault"]]),
            ("nodeSelector", nodeSelector(plan)),
            ("initContainers", initContainers.isEmpty ? nil : .array(initContainers)),
            ("containers", .array([engineContainer(plan, mounts: engineMounts), gatewayContainer(plan, options: options)])),
            ("volumes", .array(volumes)),
        ])
        return [
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": owner.metadata(name: name, labels: labels),
            "spec": [
                "replicas": .number(Double(plan.replicas)),
                "selector": ["matchLabels": JSON.strings(selector)],
                "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": maxUnavailable, "maxSurge": "25%"]],
                "template": ["metadata": ["labels": JSON.strings(podLabels)], "spec": podSpec],
            ],
        ]
    }

    // MARK: - Containers

    static func engineContainer(_ plan: VersionPlan, mounts: [JSONValue]) -> JSONValue {
        let runtime = plan.spec.runtime ?? RuntimeSpec()
        var env: [JSONValue] = [
            ["name": "ATHENA_ENGINE_PORT", "value": .string(String(plan.enginePort))],
            ["name": "ATHENA_ENGINE_PROTOCOL", "value": .string(plan.engineProtocol.rawValue)],
            ["name": "ATHENA_SERVICE", "value": .string(plan.serviceName)],
            ["name": "ATHENA_APPLICATION", "value": .string(plan.applicationName)],
        ]
        if let dir = plan.modelMountPath { env.append(["name": "ATHENA_MODEL_DIR", "value": .string(dir)]) }
        // Version env last: it overrides the application's on equal names (Kubernetes keeps the last).
        for variable in (runtime.env ?? []) + (plan.version.env ?? []) {
            if let value = JSON.encode(variable) { env.append(value) }
        }
        let health = plan.spec.health
        return JSON.object([
            ("name", "engine"),
            ("image", .string(plan.image)),
            ("command", runtime.command.map(JSON.strings)),
            ("args", runtime.args.map(JSON.strings)),
            ("ports", [["name": "engine", "containerPort": .number(Double(plan.enginePort)), "protocol": "TCP"]]),
            ("env", .array(env)),
            ("resources", resources(plan.resources)),
            ("startupProbe", health?.startup.map { probe($0, port: plan.enginePort) }),
            ("readinessProbe", health?.readiness.map { probe($0, port: plan.enginePort) }
                ?? ["tcpSocket": ["port": .number(Double(plan.enginePort))], "periodSeconds": 10]),
            ("livenessProbe", health?.liveness.map { probe($0, port: plan.enginePort) }),
            ("volumeMounts", mounts.isEmpty ? nil : .array(mounts)),
            ("securityContext", containerSecurity(readOnlyRoot: false)),
        ])
    }

    static func gatewayContainer(_ plan: VersionPlan, options: BuildOptions) -> JSONValue {
        let port = plan.gatewayPort
        var mounts: [JSONValue] = [
            ["name": "routing", "mountPath": .string(ChildNames.routingMountPath), "readOnly": true],
            ["name": "gateway-tmp", "mountPath": "/tmp"],
        ]
        if plan.service.spec.auth?.secretRef != nil {
            mounts.append(["name": "auth", "mountPath": .string(ChildNames.authMountPath), "readOnly": true])
        }
        func httpProbe(_ path: String, failureThreshold: Int) -> JSONValue {
            ["httpGet": ["path": .string(path), "port": .number(Double(port))], "periodSeconds": 5,
             "failureThreshold": .number(Double(failureThreshold))]
        }
        return JSON.object([
            ("name", "gateway"),
            ("image", .string(options.gatewayImage)),
            ("imagePullPolicy", JSON.string(options.gatewayPullPolicy)),
            ("args", JSON.strings([
                "--config", "\(ChildNames.routingMountPath)/\(ChildNames.routingFile)",
                "--host", "0.0.0.0", "--port", String(port),
            ])),
            ("ports", [["name": "http", "containerPort": .number(Double(port)), "protocol": "TCP"]]),
            ("resources", options.gatewayResources),
            ("startupProbe", httpProbe("/healthz", failureThreshold: 30)),
            ("readinessProbe", httpProbe("/readyz", failureThreshold: 3)),
            ("livenessProbe", httpProbe("/healthz", failureThreshold: 3)),
            ("volumeMounts", .array(mounts)),
            ("securityContext", containerSecurity(readOnlyRoot: true)),
        ])
    }

    static func containerSecurity(readOnlyRoot: Bool) -> JSONValue {
        JSON.object([
            ("allowPrivilegeEscalation", false),
            ("capabilities", ["drop": ["ALL"]]),
            ("readOnlyRootFilesystem", readOnlyRoot ? true : nil),
        ])
    }

    // MARK: - Resources, scheduling, probes

    /// cpu/memory as requests (memory also as limit), GPUs as limits under `nvidia.com/gpu`
    /// or the application's `gpu.resourceName`.
    static func resources(_ spec: ResourceSpec) -> JSONValue? {
        var requests: [String: JSONValue] = [:]
        var limits: [String: JSONValue] = [:]
        if let cpu = spec.cpu { requests["cpu"] = .string(cpu.text) }
        if let memory = spec.memory {
            requests["memory"] = .string(memory.text)
            limits["memory"] = .string(memory.text)
        }
        if let gpu = spec.gpu, let count = gpu.count, count > 0 {
            limits[gpu.resourceName ?? gpuResourceName] = .string(String(count))
        }
        if requests.isEmpty && limits.isEmpty { return nil }
        return JSON.object([
            ("requests", requests.isEmpty ? nil : .object(requests)),
            ("limits", limits.isEmpty ? nil : .object(limits)),
        ])
    }

    static func nodeSelector(_ plan: VersionPlan) -> JSONValue? {
        guard let product = plan.resources.gpu?.product, !product.isEmpty else { return nil }
        return [gpuProductLabel: .string(product)]
    }

    /// A K3 `Probe` as a Kubernetes probe; ports default to the engine port.
    static func probe(_ probe: Probe, port: Int) -> JSONValue {
        var handler: (String, JSONValue)?
        if let http = probe.httpGet {
            handler = ("httpGet", JSON.object([
                ("path", .string(http.path)), ("port", .number(Double(http.port ?? port))),
                ("scheme", JSON.string(http.scheme?.rawValue)),
            ]))
        } else if let grpc = probe.grpc {
            handler = ("grpc", JSON.object([("port", .number(Double(grpc.port ?? port))), ("service", JSON.string(grpc.service))]))
        } else if let exec = probe.exec {
            handler = ("exec", ["command": JSON.strings(exec.command)])
        }
        return JSON.object([
            handler ?? ("tcpSocket", ["port": .number(Double(port))]),
            ("initialDelaySeconds", JSON.int(probe.initialDelaySeconds)),
            ("periodSeconds", JSON.int(probe.periodSeconds)),
            ("timeoutSeconds", JSON.int(probe.timeoutSeconds)),
            ("failureThreshold", JSON.int(probe.failureThreshold)),
        ])
    }
}
