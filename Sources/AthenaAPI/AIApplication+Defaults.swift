// Defaulting of AIApplication. The CRD declares the same static defaults (a test applies the
// CRD's defaults the way the API server does and compares); `runtime.port` depends on the
// protocol, so only Swift fills it.

extension AIApplicationSpec {
    /// The spec with every default filled in. Pure and idempotent.
    public func withDefaults() -> AIApplicationSpec {
        var spec = self
        var runtime = spec.runtime ?? RuntimeSpec()
        let proto = runtime.protocol ?? .grpc
        runtime.protocol = proto
        runtime.port = runtime.port ?? proto.defaultPort
        spec.runtime = runtime
        if var model = spec.model {
            model.mountPath = model.mountPath ?? ModelSource.defaultMountPath
            spec.model = model
        }
        spec.apis = spec.apis?.map { $0.withDefaults() }
        spec.health = spec.health?.withDefaults()
        spec.resources = spec.resources?.withDefaults()
        spec.deployTypes = spec.deployTypes ?? DeployType.allCases
        return spec
    }
}

extension ModelAPI {
    func withDefaults() -> ModelAPI {
        var api = self
        api.url = api.url ?? Self.defaultURL
        api.method = api.method ?? Self.defaultMethod
        for keyPath in [\ModelAPI.request, \ModelAPI.response] {
            if var message = api[keyPath: keyPath] {
                message.contentType = message.contentType ?? ModelAPIMessage.defaultContentType
                api[keyPath: keyPath] = message
            }
        }
        return api
    }
}

extension HealthSpec {
    func withDefaults() -> HealthSpec {
        HealthSpec(
            startup: startup?.withDefaults(failureThreshold: Probe.defaultStartupFailureThreshold),
            readiness: readiness?.withDefaults(),
            liveness: liveness?.withDefaults()
        )
    }
}

extension Probe {
    /// Default probe start delay.
    public static let defaultInitialDelaySeconds = 0
    /// Default probe period (Kubernetes' own).
    public static let defaultPeriodSeconds = 10
    /// Default probe timeout (Kubernetes' own).
    public static let defaultTimeoutSeconds = 1
    /// Default failures before acting (Kubernetes' own).
    public static let defaultFailureThreshold = 3
    /// A startup probe tolerates 30 failures (5 minutes at the default period): models load slowly.
    public static let defaultStartupFailureThreshold = 30

    func withDefaults(failureThreshold defaultFailures: Int = Probe.defaultFailureThreshold) -> Probe {
        var probe = self
        probe.initialDelaySeconds = initialDelaySeconds ?? Self.defaultInitialDelaySeconds
        probe.periodSeconds = periodSeconds ?? Self.defaultPeriodSeconds
        probe.timeoutSeconds = timeoutSeconds ?? Self.defaultTimeoutSeconds
        probe.failureThreshold = failureThreshold ?? defaultFailures
        if var get = probe.httpGet {
            get.scheme = get.scheme ?? .http
            probe.httpGet = get
        }
        return probe
    }
}

extension ResourceSpec {
    /// Fills the GPU defaults (one device of `nvidia.com/gpu`) when a `gpu` block is present.
    public func withDefaults() -> ResourceSpec {
        var spec = self
        if var gpu = spec.gpu {
            gpu.count = gpu.count ?? 1
            gpu.resourceName = gpu.resourceName ?? GPUSpec.defaultResourceName
            spec.gpu = gpu
        }
        return spec
    }
}
