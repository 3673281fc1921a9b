import KubeModel

/// Reads a CustomResourceDefinition: its validation and the resource types it makes servable.
enum CRDDefinition {
    /// The checks the real server makes that matter to a CRD author (names, scope, versions).
    static func validate(_ crd: JSONValue) -> [StatusCause] {
        var causes: [StatusCause] = []
        let spec = crd["spec"] ?? [:]
        let group = spec["group"]?.stringValue ?? ""
        let plural = spec[path: ["names", "plural"]]?.stringValue ?? ""
        let name = crd[path: ["metadata", "name"]]?.stringValue ?? ""
        if group.isEmpty { causes.append(APIErrors.cause(.required, field: "spec.group", "Required value")) }
        if plural.isEmpty { causes.append(APIErrors.cause(.required, field: "spec.names.plural", "Required value")) }
        if (spec[path: ["names", "kind"]]?.stringValue ?? "").isEmpty {
            causes.append(APIErrors.cause(.required, field: "spec.names.kind", "Required value"))
        }
        if !group.isEmpty, !plural.isEmpty, name != "\(plural).\(group)" {
            causes.append(
                APIErrors.cause(
                    .invalid, field: "metadata.name",
                    "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group"))
        }
        let scope = spec["scope"]?.stringValue ?? ""
        if scope != "Namespaced" && scope != "Cluster" {
            causes.append(
                APIErrors.cause(
                    .notSupported, field: "spec.scope",
                    "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\""))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty {
            causes.append(APIErrors.cause(.required, field: "spec.versions", "Required value: must have exactly one version marked as storage version"))
        } else {
            let storage = versions.filter { $0["storage"]?.boolValue == true }.count
            if storage != 1 {
                causes.append(
                    APIErrors.cause(
                        .invalid, field: "spec.versions",
                        "Invalid value: must have exactly one version marked as storage version"))
            }
            for (index, version) in versions.enumerated() where (version["name"]?.stringValue ?? "").isEmpty {
                causes.append(APIErrors.cause(.required, field: "spec.versions[\(index)].name", "Required value"))
            }
        }
        return causes
    }

    /// One resource type per served version.
    static func resourceTypes(_ crd: JSONValue) -> [ResourceType] {
        let spec = crd["spec"] ?? [:]
        let names = spec["names"] ?? [:]
        let kind = names["kind"]?.stringValue ?? ""
        return (spec["versions"]?.arrayValue ?? []).compactMap { version -> ResourceType? in
            guard version["served"]?.boolValue ?? true, let versionName = version["name"]?.stringValue else { return nil }
            let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).compactMap { column -> PrinterColumn? in
                guard let name = column["name"]?.stringValue, let path = column["jsonPath"]?.stringValue else { return nil }
                return PrinterColumn(
                    name: name, type: column["type"]?.stringValue ?? "string", format: column["format"]?.stringValue,
                    description: column["description"]?.stringValue, priority: column["priority"]?.intValue ?? 0,
                    jsonPath: path)
            }
            return ResourceType(
                group: spec["group"]?.stringValue ?? "", version: versionName, kind: kind,
                plural: names["plural"]?.stringValue ?? "",
                singular: names["singular"]?.stringValue ?? kind.lowercased(),
                namespaced: spec["scope"]?.stringValue != "Cluster",
                shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
                categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
                hasStatus: version[path: ["subresources", "status"]] != nil,
                builtin: false, printerColumns: columns,
                schema: version[path: ["schema", "openAPIV3Schema"]])
        }
    }
}

extension Cluster {
    /// Serves the CRD's resources and reports it the way kubectl waits for: Established=True.
    mutating func establish(crd: JSONValue) -> JSONValue {
        let name = crd[path: ["metadata", "name"]]?.stringValue ?? ""
        if crd[path: ["metadata", "deletionTimestamp"]] == nil {
            customTypes[name] = CRDDefinition.resourceTypes(crd)
        }
        var object = crd
        let time = (crd[path: ["metadata", "creationTimestamp"]]?.stringValue).map(JSONValue.string) ?? .string(timestamp)
        var conditions: [JSONValue] = [
            [
                "type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found",
                "lastTransitionTime": time,
            ],
            [
                "type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted", "lastTransitionTime": time,
            ],
        ]
        if crd[path: ["metadata", "deletionTimestamp"]] != nil {
            conditions.append([
                "type": "Terminating", "status": "True", "reason": "InstanceDeletionInProgress",
                "message": "CustomResource deletion is in progress", "lastTransitionTime": .string(timestamp),
            ])
        }
        object["status"] = [
            "conditions": .array(conditions),
            "acceptedNames": crd[path: ["spec", "names"]] ?? [:],
            "storedVersions": .array(
                (crd[path: ["spec", "versions"]]?.arrayValue ?? []).filter { $0["storage"]?.boolValue == true }
                    .compactMap { $0["name"] }),
        ]
        return object
    }

    /// The CRD is gone: its resources stop being served and their watches end.
    mutating func dropCustomTypes(crd: JSONValue) {
        let name = crd[path: ["metadata", "name"]]?.stringValue ?? ""
        guard let types = customTypes.removeValue(forKey: name), let storageKey = types.first?.storageKey else { return }
        objects[storageKey] = nil
        for (id, watcher) in watchers where watcher.storageKey == storageKey {
            watcher.continuation.yield(.close)
            watcher.continuation.finish()
            watchers[id] = nil
        }
    }
}
