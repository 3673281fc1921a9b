/// The built-in kinds the operator and its tests need, described as the real API server does in
/// discovery (names, scope, short names, categories, status subresource).
enum BuiltinResources {
    static let all: [ResourceType] = [
        // MARK: - core/v1
        ResourceType(
            group: "", version: "v1", kind: "Namespace", plural: "namespaces", singular: "namespace",
            namespaced: false, shortNames: ["ns"], hasStatus: true),
        ResourceType(
            group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap",
            namespaced: true, shortNames: ["cm"]),
        ResourceType(
            group: "", version: "v1", kind: "Secret", plural: "secrets", singular: "secret", namespaced: true),
        ResourceType(
            group: "", version: "v1", kind: "Service", plural: "services", singular: "service",
            namespaced: true, shortNames: ["svc"], categories: ["all"], hasStatus: true),
        ResourceType(
            group: "", version: "v1", kind: "Event", plural: "events", singular: "event", namespaced: true,
            shortNames: ["ev"]),
        ResourceType(
            group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts",
            singular: "serviceaccount", namespaced: true, shortNames: ["sa"]),
        ResourceType(
            group: "", version: "v1", kind: "Pod", plural: "pods", singular: "pod", namespaced: true,
            shortNames: ["po"], categories: ["all"], hasStatus: true),
        // MARK: - other groups
        ResourceType(
            group: "apps", version: "v1", kind: "Deployment", plural: "deployments", singular: "deployment",
            namespaced: true, shortNames: ["deploy"], categories: ["all"], hasStatus: true),
        ResourceType(
            group: "batch", version: "v1", kind: "Job", plural: "jobs", singular: "job", namespaced: true,
            categories: ["all"], hasStatus: true),
        ResourceType(
            group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", singular: "lease",
            namespaced: true),
        ResourceType(
            group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies",
            singular: "networkpolicy", namespaced: true, shortNames: ["netpol"]),
        ResourceType(
            group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
            plural: "customresourcedefinitions", singular: "customresourcedefinition", namespaced: false,
            shortNames: ["crd", "crds"], categories: ["api-extensions"], hasStatus: true),
    ]
}

extension BuiltinResources {
    static func named(_ plural: String, group: String = "") -> ResourceType {
        guard let type = all.first(where: { $0.plural == plural && $0.group == group }) else {
            preconditionFailure("no built-in resource \(plural).\(group)")  // programmer error, not input
        }
        return type
    }

    static let namespace = named("namespaces")
    static let crd = named("customresourcedefinitions", group: "apiextensions.k8s.io")
    static let deployment = named("deployments", group: "apps")
    static let job = named("jobs", group: "batch")
}
