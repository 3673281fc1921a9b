import Foundation
import Hummingbird
import KubeModel

/// Just enough OpenAPI v3 for plain `kubectl apply` (no `--validate=false`): kubectl reads
/// `/openapi/v3` to learn whether the server validates fields itself (a PATCH operation per kind
/// with a `fieldValidation` query parameter). When it does, kubectl skips client-side schema
/// validation and sends `fieldValidation=Strict`, which this server honours for custom
/// resources. The documents carry no schemas; `/openapi/v2` stays 404.
enum OpenAPIDocuments {
    static func respond(path: String, types: [ResourceType]) throws -> Response {
        let segments = path.split(separator: "/").map(String.init)
        guard segments.count >= 2, segments[0] == "openapi", segments[1] == "v3" else {
            throw Status(code: 404, reason: "NotFound", message: "this test server serves no OpenAPI v2 document")
        }
        let groupVersions = Discovery.groupNames(types).flatMap { group in
            Discovery.versions(of: group, types).map { (group, $0) }
        }
        if segments.count == 2 {
            var paths: [String: JSONValue] = [:]
            for (group, version) in groupVersions {
                let key = prefix(group, version)
                let hash = documentHash(group: group, version: version, types: types)
                paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash)")]
            }
            return Reply.json(["paths": .object(paths)])
        }
        let key = segments.dropFirst(2).joined(separator: "/")
        guard let (group, version) = groupVersions.first(where: { prefix($0.0, $0.1) == key }) else {
            throw Status(code: 404, reason: "NotFound", message: "no OpenAPI v3 document for \(key)")
        }
        return Reply.json(document(group: group, version: version, types: types))
    }

    static func prefix(_ group: String, _ version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    static func document(group: String, version: String, types: [ResourceType]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        let parameters: JSONValue = .array(
            ["fieldValidation", "fieldManager", "dryRun"].map { name in
                ["name": .string(name), "in": "query", "schema": ["type": "string", "uniqueItems": true]]
            })
        for type in types where type.group == group && type.version == version {
            let scope = type.namespaced ? "/namespaces/{namespace}" : ""
            let path = "/\(prefix(group, version))\(scope)/\(type.plural)/{name}"
            paths[path] = [
                "patch": [
                    "operationId": .string("patch\(type.kind)"),
                    "x-kubernetes-group-version-kind": [
                        "group": .string(group), "version": .string(version), "kind": .string(type.kind),
                    ],
                    "x-kubernetes-action": "patch",
                    "parameters": parameters,
                    "responses": ["200": ["description": "OK"]],
                ]
            ]
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes (athena kube-testserver)", "version": "v1.32.0"],
            "paths": .object(paths), "components": ["schemas": [:]],
        ]
    }

    private static func documentHash(group: String, version: String, types: [ResourceType]) -> String {
        let data = (try? document(group: group, version: version, types: types).serialized()) ?? Data()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16, uppercase: true)
    }
}
