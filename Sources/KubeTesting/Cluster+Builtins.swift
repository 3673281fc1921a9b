import Foundation
import KubeModel

/// The defaulting the real server's built-in strategies do on create, as far as the operator
/// and kubectl can see it.
extension Cluster {
    mutating func prepareBuiltinForCreate(_ type: ResourceType, _ object: inout JSONValue) {
        guard type.builtin else { return }
        object = object.removingNulls()
        switch type.storageKey {
        case BuiltinResources.namespace.storageKey:
            object["status"] = ["phase": "Active"]
            if object[path: ["spec", "finalizers"]] == nil { object[path: "spec", "finalizers"] = ["kubernetes"] }
        case "/secrets":
            if object["type"] == nil { object["type"] = "Opaque" }
            if let stringData = object["stringData"]?.objectValue {
                var data = object["data"]?.objectValue ?? [:]
                for (key, value) in stringData {
                    data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
                }
                object["data"] = .object(data)
                object["stringData"] = nil
            }
        case "/services":
            prepareService(&object)
        case "/pods":
            object["status"] = ["phase": "Pending", "qosClass": "BestEffort"]
        case BuiltinResources.deployment.storageKey:
            object["status"] = [:]
            if object[path: ["spec", "replicas"]] == nil { object[path: "spec", "replicas"] = 1 }
        case BuiltinResources.job.storageKey:
            object["status"] = [:]
            for (field, value) in [("completions", 1), ("parallelism", 1), ("backoffLimit", 6)]
            where object[path: ["spec", field]] == nil {
                object[path: "spec", field] = .number(Double(value))
            }
        default:
            break
        }
    }

    private mutating func prepareService(_ object: inout JSONValue) {
        let serviceType = object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        object[path: "spec", "type"] = .string(serviceType)
        if serviceType != "ExternalName", object[path: ["spec", "clusterIP"]] == nil {
            let n = resourceVersion + 10
            let ip = "10.96.\((n / 250) % 250).\(n % 250 + 1)"
            object[path: "spec", "clusterIP"] = .string(ip)
            object[path: "spec", "clusterIPs"] = [.string(ip)]
        }
        if let ports = object[path: ["spec", "ports"]]?.arrayValue {
            object[path: "spec", "ports"] = .array(
                ports.map { port in
                    var copy = port
                    if copy["protocol"] == nil { copy["protocol"] = "TCP" }
                    if copy["targetPort"] == nil, let number = copy["port"] { copy["targetPort"] = number }
                    return copy
                })
        }
        object["status"] = ["loadBalancer": [:]]
    }
}

extension JSONValue {
    /// The value with every `null` member and element removed (how a typed decode sees it).
    func removingNulls() -> JSONValue {
        switch self {
        case .object(let members):
            return .object(members.filter { !$0.value.isNull }.mapValues { $0.removingNulls() })
        case .array(let items):
            return .array(items.filter { !$0.isNull }.map { $0.removingNulls() })
        default:
            return self
        }
    }
}
