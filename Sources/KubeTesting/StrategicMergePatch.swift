import KubeModel

/// `application/strategic-merge-patch+json` for built-in kinds, good enough for what
/// `kubectl apply` and `kubectl patch` send: maps merge, lists of named things (containers,
/// env, volumes, ports, conditions...) merge by their key, `finalizers` merge as a set, and the
/// directives `$patch` (replace/delete), `$retainKeys`, `$setElementOrder/` and
/// `$deleteFromPrimitiveList/` are honoured. Every other list is replaced, as in a merge patch.
enum StrategicMergePatch {
    /// Lists merged element-wise, by the named key.
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
        "env": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath", "imagePullSecrets": "name",
        "conditions": "type", "ownerReferences": "uid", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    ]
    /// Lists of scalars merged as sets.
    static let setLists: Set<String> = ["finalizers"]

    static func apply(_ original: JSONValue, _ patch: JSONValue) -> JSONValue {
        merge(original, patch) ?? [:]
    }

    /// `nil` means "delete this value" (`$patch: delete`).
    static func merge(_ original: JSONValue?, _ patch: JSONValue) -> JSONValue? {
        guard case .object(let members) = patch else { return patch }
        switch members["$patch"]?.stringValue {
        case "delete": return nil
        case "replace": return stripDirectives(patch)
        default: break
        }
        var result = original?.objectValue ?? [:]
        var orders: [String: [JSONValue]] = [:]
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            if key == "$patch" || key == "$retainKeys" { continue }
            if key.hasPrefix("$setElementOrder/") {
                orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue ?? []
            } else if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = value.arrayValue ?? []
                if let items = result[field]?.arrayValue { result[field] = .array(items.filter { !removed.contains($0) }) }
            } else if value.isNull {
                result[key] = nil
            } else if case .array(let items) = value {
                result[key] = mergeList(field: key, original: result[key]?.arrayValue, patch: items)
            } else if case .object = value {
                result[key] = merge(result[key], value)
            } else {
                result[key] = value
            }
        }
        for (field, order) in orders {
            guard let items = result[field]?.arrayValue else { continue }
            result[field] = .array(reorder(items, by: order, key: mergeKey(field: field, items + order)))
        }
        if let retain = members["$retainKeys"]?.arrayValue?.compactMap(\.stringValue) {
            result = result.filter { retain.contains($0.key) }
        }
        return .object(result)
    }

    static func mergeKey(field: String, _ items: [JSONValue]) -> String? {
        if field == "ports" {
            return items.contains { $0["containerPort"] != nil } ? "containerPort" : "port"
        }
        return mergeKeys[field]
    }

    static func mergeList(field: String, original: [JSONValue]?, patch: [JSONValue]) -> JSONValue {
        if setLists.contains(field) {
            var result = original ?? []
            for item in patch where !result.contains(item) { result.append(item) }
            return .array(result)
        }
        guard let key = mergeKey(field: field, patch), patch.allSatisfy({ $0.objectValue != nil }) else {
            return .array(patch.map(stripDirectives))
        }
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" && $0.objectValue?.count == 1 }) {
            return .array(patch.filter { $0["$patch"] == nil }.map(stripDirectives))
        }
        var result = original ?? []
        for item in patch {
            let index = result.firstIndex { $0[key] != nil && $0[key] == item[key] }
            if item["$patch"]?.stringValue == "delete" {
                if let index { result.remove(at: index) }
            } else if let index {
                if let merged = merge(result[index], item) { result[index] = merged } else { result.remove(at: index) }
            } else {
                result.append(stripDirectives(item))
            }
        }
        return .array(result)
    }

    private static func reorder(_ items: [JSONValue], by order: [JSONValue], key: String?) -> [JSONValue] {
        func identity(_ item: JSONValue) -> JSONValue { key.flatMap { item[$0] } ?? item }
        let positions = order.map(identity)
        return items.enumerated().sorted { lhs, rhs in
            let l = positions.firstIndex(of: identity(lhs.element)) ?? (positions.count + lhs.offset)
            let r = positions.firstIndex(of: identity(rhs.element)) ?? (positions.count + rhs.offset)
            return l < r
        }.map(\.element)
    }

    static func stripDirectives(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(
                members.filter { !$0.key.hasPrefix("$") }.mapValues(stripDirectives))
        case .array(let items):
            return .array(items.map(stripDirectives))
        default:
            return value
        }
    }
}
