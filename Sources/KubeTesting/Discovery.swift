import Foundation
import Hummingbird
import KubeModel

/// The discovery documents kubectl reads to map kinds and short names to URLs: the legacy
/// `APIVersions` / `APIGroupList` / `APIResourceList`, and the aggregated
/// `apidiscovery.k8s.io/v2` list kubectl 1.30+ asks for first.
enum Discovery {
    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-athena-testserver", "gitCommit": "athena-testserver",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    static let subresourceVerbs: [JSONValue] = ["get", "patch", "update"]

    static func respond(_ target: RequestTarget, types: [ResourceType], accept: String, serverAddress: String) throws -> Response {
        let aggregated = accept.contains("as=APIGroupDiscoveryList")
        let aggregatedVersion = accept.contains("v=v2;") || accept.hasSuffix("v=v2") || accept.contains("v=v2,") ? "v2" : "v2beta1"
        let aggregatedType = "application/json;g=apidiscovery.k8s.io;v=\(aggregatedVersion);as=APIGroupDiscoveryList"
        switch target {
        case .coreVersions:
            if aggregated {
                return Reply.json(aggregatedList(types.filter { $0.group.isEmpty }, version: aggregatedVersion), contentType: aggregatedType)
            }
            return Reply.json([
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
            ])
        case .groups:
            let grouped = types.filter { !$0.group.isEmpty }
            if aggregated {
                return Reply.json(aggregatedList(grouped, version: aggregatedVersion), contentType: aggregatedType)
            }
            return Reply.json([
                "kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groupNames(grouped).map { apiGroup($0, types) }),
            ])
        case .group(let group):
            guard types.contains(where: { $0.group == group && !group.isEmpty }) else { throw APIErrors.pathNotFound() }
            var body = apiGroup(group, types)
            body["kind"] = "APIGroup"
            body["apiVersion"] = "v1"
            return Reply.json(body)
        case .coreResources:
            return Reply.json(resourceList(group: "", version: "v1", types))
        case .groupResources(let group, let version):
            guard types.contains(where: { $0.group == group && $0.version == version }) else {
                throw APIErrors.pathNotFound()
            }
            return Reply.json(resourceList(group: group, version: version, types))
        default:
            throw APIErrors.pathNotFound()
        }
    }

    // MARK: - Legacy documents

    static func groupNames(_ types: [ResourceType]) -> [String] {
        var seen: [String] = []
        for type in types where !seen.contains(type.group) { seen.append(type.group) }
        return seen
    }

    /// Versions of a group, preferred first (Kubernetes version priority: v2 > v1 > v1beta1 > v1alpha1).
    static func versions(of group: String, _ types: [ResourceType]) -> [String] {
        var versions: [String] = []
        for type in types where type.group == group && !versions.contains(type.version) { versions.append(type.version) }
        return versions.sorted { priority($0) > priority($1) }
    }

    static func priority(_ version: String) -> Int {
        let scanner = Scanner(string: version)
        guard scanner.scanString("v") != nil, let major = scanner.scanInt() else { return 0 }
        if scanner.isAtEnd { return 1_000_000 + major * 1000 }
        let stage = scanner.scanString("beta") != nil ? 500 : (scanner.scanString("alpha") != nil ? 0 : -1)
        guard stage >= 0 else { return 0 }
        let minor = scanner.scanInt() ?? 0
        return 100_000 + major * 1000 + stage + minor
    }

    static func apiGroup(_ group: String, _ types: [ResourceType]) -> JSONValue {
        let versions = versions(of: group, types).map { version -> JSONValue in
            ["groupVersion": .string("\(group)/\(version)"), "version": .string(version)]
        }
        return ["name": .string(group), "versions": .array(versions), "preferredVersion": versions.first ?? [:]]
    }

    static func resourceList(group: String, version: String, _ types: [ResourceType]) -> JSONValue {
        var resources: [JSONValue] = []
        for type in types where type.group == group && type.version == version {
            var entry: JSONValue = [
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
            resources.append(entry)
            if type.hasStatus {
                resources.append([
                    "name": .string("\(type.plural)/status"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(type.kind), "verbs": .array(subresourceVerbs),
                ])
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(type(group, version)),
            "resources": .array(resources),
        ]
    }

    private static func type(_ group: String, _ version: String) -> String {
        group.isEmpty ? version : "\(group)/\(version)"
    }

    // MARK: - Aggregated discovery

    static func aggregatedList(_ types: [ResourceType], version apiVersion: String) -> JSONValue {
        let items = groupNames(types).map { group -> JSONValue in
            let versions = versions(of: group, types).map { version -> JSONValue in
                let resources = types.filter { $0.group == group && $0.version == version }.map(aggregatedResource)
                return ["version": .string(version), "resources": .array(resources), "freshness": "Current"]
            }
            return ["metadata": ["name": .string(group)], "versions": .array(versions)]
        }
        return [
            "kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(apiVersion)"),
            "metadata": [:], "items": .array(items),
        ]
    }

    static func aggregatedResource(_ type: ResourceType) -> JSONValue {
        let kind: JSONValue = ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
        var entry: JSONValue = [
            "resource": .string(type.plural), "responseKind": kind,
            "scope": type.namespaced ? "Namespaced" : "Cluster", "singularResource": .string(type.singular),
            "verbs": .array(type.verbs.map(JSONValue.string)),
        ]
        if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
        if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
        if type.hasStatus {
            entry["subresources"] = [["subresource": "status", "responseKind": kind, "verbs": .array(subresourceVerbs)]]
        }
        return entry
    }
}
