import KubeModel

/// NodePort allocation, as the real server's Service strategy does it: a `NodePort` or
/// `LoadBalancer` Service's ports without a `nodePort` get a free one from 30000–32767; a
/// requested one must be in that range and not taken by another Service (422 otherwise); an
/// update that leaves `nodePort` out keeps the one the port had; a `ClusterIP` Service has none.
/// `kubectl get svc` then shows `80:31234/TCP`, and the operator learns the port it can report.
extension Cluster {
    static let nodePortRange = 30000...32767

    /// Allocates and checks the node ports of `object` (a Service being created, or replacing `old`).
    func assignNodePorts(_ object: inout JSONValue, old: JSONValue?) -> [StatusCause] {
        let serviceType = object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
        guard var ports = object[path: ["spec", "ports"]]?.arrayValue else { return [] }
        guard serviceType == "NodePort" || serviceType == "LoadBalancer" else {
            var causes: [StatusCause] = []
            for (index, port) in ports.enumerated() where port["nodePort"] != nil {
                causes.append(APIErrors.cause(.forbidden, field: "spec.ports[\(index)].nodePort",
                                              "Forbidden: may not be used when `type` is '\(serviceType)'"))
            }
            return causes
        }
        let previous = old?[path: ["spec", "ports"]]?.arrayValue ?? []
        var taken = nodePortsInUse(except: object)
        var causes: [StatusCause] = []
        for index in ports.indices {
            if ports[index]["nodePort"]?.intValue == 0 { ports[index]["nodePort"] = nil }  // 0 asks for one, as unset does
            if let requested = ports[index]["nodePort"]?.intValue {
                let field = "spec.ports[\(index)].nodePort"
                if !Self.nodePortRange.contains(requested) {
                    causes.append(APIErrors.cause(.invalid, field: field,
                        "Invalid value: \(requested): provided port is not in the valid range. The range of valid ports is 30000-32767"))
                } else if !taken.insert(requested).inserted {
                    causes.append(APIErrors.cause(.invalid, field: field, "Invalid value: \(requested): provided port is already allocated"))
                }
                continue
            }
            let same = previous.first { $0["port"] == ports[index]["port"] && ($0["protocol"] ?? "TCP") == (ports[index]["protocol"] ?? "TCP") }
            if let kept = same?["nodePort"]?.intValue, !taken.contains(kept) {
                ports[index]["nodePort"] = .number(Double(kept))
                taken.insert(kept)
            } else if let free = freeNodePort(avoiding: taken) {
                ports[index]["nodePort"] = .number(Double(free))
                taken.insert(free)
            } else {
                causes.append(APIErrors.cause(.invalid, field: "spec.ports[\(index)].nodePort", "Invalid value: 0: range is full"))
            }
        }
        object[path: "spec", "ports"] = .array(ports)
        return causes
    }

    /// Node ports of every stored Service but `object` itself.
    private func nodePortsInUse(except object: JSONValue) -> Set<Int> {
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        let name = object[path: ["metadata", "name"]]?.stringValue
        var used = Set<Int>()
        for (key, service) in objects["/services"] ?? [:] where !(key.namespace == namespace && key.name == name) {
            for port in service[path: ["spec", "ports"]]?.arrayValue ?? [] {
                if let nodePort = port["nodePort"]?.intValue { used.insert(nodePort) }
            }
        }
        return used
    }

    /// A free port, spread by the resource version so consecutive Services do not all get 30000.
    private func freeNodePort(avoiding taken: Set<Int>) -> Int? {
        let size = Self.nodePortRange.count
        let start = (resourceVersion * 7919) % size
        for step in 0..<size {
            let port = Self.nodePortRange.lowerBound + (start + step) % size
            if !taken.contains(port) { return port }
        }
        return nil
    }
}
