import Foundation
import KubeModel

/// Columns for built-in kinds, close to what the real server prints.
enum BuiltinColumns {
    typealias Column = TableRenderer.Column

    static func columns(for type: ResourceType) -> [Column] {
        let age = TableRenderer.ageColumn
        switch type.storageKey {
        case "/namespaces":
            return [string("Status") { $0[path: ["status", "phase"]]?.stringValue ?? "" }, age]
        case "/configmaps":
            return [integer("Data") { count($0["data"]) + count($0["binaryData"]) }, age]
        case "/secrets":
            return [string("Type") { $0["type"]?.stringValue ?? "" }, integer("Data") { count($0["data"]) }, age]
        case "/services":
            return [
                string("Type") { $0[path: ["spec", "type"]]?.stringValue ?? "ClusterIP" },
                string("Cluster-IP") { $0[path: ["spec", "clusterIP"]]?.stringValue ?? "<none>" },
                string("External-IP") { _ in "<none>" },
                string("Port(s)") { object in
                    let ports = (object[path: ["spec", "ports"]]?.arrayValue ?? []).map { port -> String in
                        let number = port["port"].map(TableRenderer.text) ?? ""
                        let node = port["nodePort"].map { ":" + TableRenderer.text($0) } ?? ""
                        return "\(number)\(node)/\(port["protocol"]?.stringValue ?? "TCP")"
                    }
                    return ports.isEmpty ? "<none>" : ports.joined(separator: ",")
                },
                age,
            ]
        case "/pods":
            return [
                string("Ready") { object in
                    let total = object[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
                    let ready = (object[path: ["status", "containerStatuses"]]?.arrayValue ?? [])
                        .filter { $0["ready"]?.boolValue == true }.count
                    return "\(ready)/\(total)"
                },
                string("Status") { $0[path: ["status", "phase"]]?.stringValue ?? "" },
                integer("Restarts") { object in
                    (object[path: ["status", "containerStatuses"]]?.arrayValue ?? [])
                        .reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
                },
                age,
            ]
        case "apps/deployments":
            return [
                string("Ready") { object in
                    "\(object[path: ["status", "readyReplicas"]]?.intValue ?? 0)/\(object[path: ["spec", "replicas"]]?.intValue ?? 0)"
                },
                integer("Up-to-date") { $0[path: ["status", "updatedReplicas"]]?.intValue ?? 0 },
                integer("Available") { $0[path: ["status", "availableReplicas"]]?.intValue ?? 0 },
                age,
            ]
        case "batch/jobs":
            return [
                string("Status") { object in
                    let conditions = object[path: ["status", "conditions"]]?.arrayValue ?? []
                    for type in ["Complete", "Failed"]
                    where conditions.contains(where: { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }) {
                        return type
                    }
                    return "Running"
                },
                string("Completions") { object in
                    "\(object[path: ["status", "succeeded"]]?.intValue ?? 0)/\(object[path: ["spec", "completions"]]?.intValue ?? 1)"
                },
                age,
            ]
        case "coordination.k8s.io/leases":
            return [string("Holder") { $0[path: ["spec", "holderIdentity"]]?.stringValue ?? "" }, age]
        case "/events":
            return [
                string("Type") { $0["type"]?.stringValue ?? "" },
                string("Reason") { $0["reason"]?.stringValue ?? "" },
                string("Object") { object in
                    let kind = object[path: ["involvedObject", "kind"]]?.stringValue?.lowercased() ?? ""
                    return "\(kind)/\(object[path: ["involvedObject", "name"]]?.stringValue ?? "")"
                },
                string("Count") { $0["count"].map(TableRenderer.text) ?? "1" },
                string("Message") { $0["message"]?.stringValue ?? "" },
                age,
            ]
        case "/serviceaccounts":
            return [integer("Secrets") { count($0["secrets"]) }, age]
        case "networking.k8s.io/networkpolicies":
            return [
                string("Pod-Selector") { object in
                    let labels = object[path: ["spec", "podSelector", "matchLabels"]]?.objectValue ?? [:]
                    let text = labels.keys.sorted().map { "\($0)=\(labels[$0]?.stringValue ?? "")" }.joined(separator: ",")
                    return text.isEmpty ? "<none>" : text
                },
                age,
            ]
        case "apiextensions.k8s.io/customresourcedefinitions":
            return [string("Created At") { $0[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "" }]
        default:
            return [age]
        }
    }

    private static func string(_ name: String, _ value: @escaping @Sendable (JSONValue) -> String) -> Column {
        Column(name: name, type: "string", cell: { object, _ in .string(value(object)) })
    }

    private static func integer(_ name: String, _ value: @escaping @Sendable (JSONValue) -> Int) -> Column {
        Column(name: name, type: "integer", cell: { object, _ in .number(Double(value(object))) })
    }

    private static func count(_ value: JSONValue?) -> Int {
        value?.objectValue?.count ?? value?.arrayValue?.count ?? 0
    }
}
