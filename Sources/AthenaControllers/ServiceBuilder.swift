import AthenaAPI

/// Builds the Services of an OnlineService: one headless Service per version (the DNS name the
/// gateways resolve to reach that version's engines) and the NodePort front Service selecting the
/// gateways of every version.
enum ServiceBuilder {
    static func engineService(_ plan: VersionPlan, owner: Owner) -> JSONValue {
        let name = ChildNames.engineService(service: plan.serviceName, application: plan.applicationName)
        let labels = ChildNames.labels(service: plan.serviceName, component: "engine")
            .merging([LabelKey.application: plan.applicationName]) { $1 }
        return [
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": owner.metadata(name: name, labels: labels),
            "spec": [
                // Only ready engines get DNS records (publishNotReadyAddresses stays at its default,
                // false, and is not written: the API server omits false, so writing it would read as drift).
                "clusterIP": "None",
                "selector": JSON.strings(ChildNames.versionSelector(service: plan.serviceName, application: plan.applicationName)),
                "ports": [["name": "engine", "port": .number(Double(plan.enginePort)),
                           "targetPort": .number(Double(plan.enginePort)), "protocol": "TCP"]],
            ],
        ]
    }

    /// Type NodePort; `spec.nodePort` when set, else Kubernetes allocates one. All versions' gateways
    /// must listen on the same port for one Service to front them: the first version's port is used
    /// as the Service's targetPort by name (`http`), which every gateway container declares.
    static func frontService(service: OnlineService, owner: Owner) -> JSONValue {
        let name = service.metadata.name ?? ""
        let port = JSON.object([
            ("name", "http"), ("port", .number(Double(ChildNames.frontServicePort))), ("targetPort", "http"), ("protocol", "TCP"),
            ("nodePort", JSON.int(service.spec.nodePort)),
        ])
        return [
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": owner.metadata(name: ChildNames.frontService(service: name),
                                       labels: ChildNames.labels(service: name, component: "gateway")),
            "spec": [
                "type": "NodePort",
                "selector": JSON.strings(ChildNames.serviceSelector(service: name)),
                "ports": [port],
            ],
        ]
    }
}
