import AthenaAPI

/// Builds the NetworkPolicy of an OnlineService: its pods accept the gateway port from anywhere
/// (the front Service), but the engine ports only from the service's own pods (its gateways).
enum NetworkPolicyBuilder {
    static func build(_ plans: [VersionPlan], service: OnlineService, owner: Owner) -> JSONValue {
        let name = service.metadata.name ?? ""
        let enginePorts = Set(plans.map(\.enginePort)).sorted()
        let gatewayPorts = Set(plans.map(\.gatewayPort)).sorted()
        func ports(_ list: [Int]) -> JSONValue {
            .array(list.map { ["port": .number(Double($0)), "protocol": "TCP"] })
        }
        let selector: JSONValue = ["matchLabels": JSON.strings(ChildNames.serviceSelector(service: name))]
        return [
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": owner.metadata(name: ChildNames.networkPolicy(service: name),
                                       labels: ChildNames.labels(service: name, component: "network-policy")),
            "spec": [
                "podSelector": selector,
                "policyTypes": ["Ingress"],
                "ingress": [
                    ["ports": ports(gatewayPorts)],
                    ["from": [["podSelector": selector]], "ports": ports(enginePorts)],
                ],
            ],
        ]
    }
}
