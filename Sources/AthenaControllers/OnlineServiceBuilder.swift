import AthenaAPI

/// The pure heart of the OnlineService reconciler and of `athena render`: an OnlineService and the
/// AIApplications of its namespace in, every object the operator wants to exist out. No I/O, so it is
/// table-tested and reused offline.
public enum OnlineServiceBuilder {
    /// Desired children, in apply order: ConfigMap, per version headless Service + Deployment, front
    /// Service, NetworkPolicy. Throws when an application is missing or not deployable.
    public static func desiredObjects(
        service: OnlineService, applications: [AIApplication], options: BuildOptions = BuildOptions()
    ) throws(BuildError) -> [JSONValue] {
        var defaulted = service
        defaulted.spec = service.spec.withDefaults()
        guard !defaulted.spec.versions.isEmpty else {
            throw BuildError("OnlineService \(service.metadata.name ?? ""): spec.versions must list at least one version")
        }
        var plans: [VersionPlan] = []
        for version in defaulted.spec.versions {
            plans.append(try VersionPlan(service: defaulted, version: version, applications: applications, options: options))
        }
        let owner = Owner(defaulted)
        var objects = [try RoutingTableBuilder.configMap(plans, service: defaulted, owner: owner, options: options)]
        for plan in plans {
            objects.append(ServiceBuilder.engineService(plan, owner: owner))
            objects.append(try DeploymentBuilder.build(plan, owner: owner, options: options))
        }
        objects.append(ServiceBuilder.frontService(service: defaulted, owner: owner))
        objects.append(NetworkPolicyBuilder.build(plans, service: defaulted, owner: owner))
        return objects
    }

    /// The routing table alone (what the ConfigMap holds), for tests and `athena render`.
    public static func routingTable(
        service: OnlineService, applications: [AIApplication], options: BuildOptions = BuildOptions()
    ) throws(BuildError) -> RoutingTable {
        var defaulted = service
        defaulted.spec = service.spec.withDefaults()
        var plans: [VersionPlan] = []
        for version in defaulted.spec.versions {
            plans.append(try VersionPlan(service: defaulted, version: version, applications: applications, options: options))
        }
        return RoutingTableBuilder.table(plans, service: defaulted, options: options)
    }
}
