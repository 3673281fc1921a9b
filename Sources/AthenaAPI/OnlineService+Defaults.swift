// Defaulting of OnlineService. Static defaults match the CRD's; a single version's weight
// (100) depends on the number of versions, so only Swift fills it.

extension OnlineServiceSpec {
    /// Replicas of a version unless it says otherwise.
    public static let defaultReplicas = 1
    /// 20 minutes, as ModelArts.
    public static let defaultDeployTimeoutSeconds = 1200

    /// The spec with every default filled in. Pure and idempotent.
    public func withDefaults() -> OnlineServiceSpec {
        var spec = self
        let single = versions.count == 1
        spec.versions = versions.map { version in
            var v = version
            v.replicas = v.replicas ?? Self.defaultReplicas
            if single { v.weight = v.weight ?? 100 }
            v.resources = v.resources?.withDefaults()
            return v
        }
        var auth = spec.auth ?? AuthSpec()
        auth.mode = auth.mode ?? AuthMode.none
        spec.auth = auth
        var limits = spec.limits ?? RequestLimits()
        limits.maxBodyBytes = limits.maxBodyBytes ?? RequestLimits.defaultMaxBodyBytes
        limits.timeoutSeconds = limits.timeoutSeconds ?? RequestLimits.defaultTimeoutSeconds
        spec.limits = limits
        var streaming = spec.streaming ?? StreamingSpec()
        streaming.websocket = streaming.websocket ?? true
        streaming.sse = streaming.sse ?? true
        spec.streaming = streaming
        spec.stopped = spec.stopped ?? false
        spec.deployTimeoutSeconds = spec.deployTimeoutSeconds ?? Self.defaultDeployTimeoutSeconds
        var balancing = spec.loadBalancing ?? LoadBalancingSpec()
        balancing.policy = balancing.policy ?? .roundRobin
        spec.loadBalancing = balancing
        return spec
    }
}
