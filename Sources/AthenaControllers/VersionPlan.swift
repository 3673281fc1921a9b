import AthenaAPI

/// Everything the builders need about one version of a service, resolved once: the defaulted
/// application, the engine port and protocol, the merged resources and the replica count.
struct VersionPlan {
    var service: OnlineService
    var version: ServiceVersion
    var application: AIApplication
    /// `application.spec` with K3's defaults applied.
    var spec: AIApplicationSpec
    var enginePort: Int
    var engineProtocol: EngineProtocolKind
    var replicas: Int

    var serviceName: String { service.metadata.name ?? "" }
    var applicationName: String { version.application }
    var gatewayPort: Int { ChildNames.gatewayPort(enginePort: enginePort) }

    /// The engine image: the application's own, else the default engine over its model package.
    var image: String

    init(service: OnlineService, version: ServiceVersion, applications: [AIApplication], options: BuildOptions) throws(BuildError) {
        guard let application = applications.first(where: { $0.metadata.name == version.application }) else {
            throw BuildError("AIApplication \(version.application) not found in namespace \(service.metadata.namespace ?? "default")")
        }
        self.service = service
        self.version = version
        self.application = application
        spec = application.spec.withDefaults()
        if let own = spec.runtime?.image, !own.isEmpty {
            image = own
        } else if spec.model != nil {
            image = options.engineImage
        } else {
            throw BuildError("AIApplication \(version.application): set spec.runtime.image or spec.model.uri to deploy it")
        }
        engineProtocol = spec.runtime?.protocol ?? .grpc
        enginePort = spec.runtime?.port ?? engineProtocol.defaultPort
        replicas = service.spec.stopped == true ? 0 : (version.replicas ?? OnlineServiceSpec.defaultReplicas)
    }

    /// The engine of a BatchService: planned as one replica of a version would be, the batch's
    /// `resources` and `env` in the version's place, so the Job's engine container is the
    /// Deployment's (image, model volume, probes, GPUs).
    init(batch: BatchService, applications: [AIApplication], options: BuildOptions) throws(BuildError) {
        let version = ServiceVersion(application: batch.spec.application, replicas: 1, resources: batch.spec.resources, env: batch.spec.env)
        var service = OnlineService(name: batch.metadata.name ?? "", namespace: batch.metadata.namespace,
                                    spec: OnlineServiceSpec(versions: [version]))
        service.metadata.uid = batch.metadata.uid
        try self.init(service: service, version: version, applications: applications, options: options)
    }

    /// Application resources overridden field by field by the version's.
    var resources: ResourceSpec {
        var merged = spec.resources ?? ResourceSpec()
        if let override = version.resources {
            if let cpu = override.cpu { merged.cpu = cpu }
            if let memory = override.memory { merged.memory = memory }
            if let gpu = override.gpu { merged.gpu = gpu }
        }
        return merged
    }

    /// Where the engine reaches the model files (also `ATHENA_MODEL_DIR`).
    var modelMountPath: String? {
        guard let model = spec.model else { return nil }
        return model.mountPath ?? ChildNames.defaultModelMountPath
    }
}
