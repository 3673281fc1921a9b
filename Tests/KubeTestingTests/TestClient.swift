import Foundation
import KubeModel
@testable import KubeTesting

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A plain HTTP client for the tests: raw requests against a started `APIServer`, answers as
/// status code + JSON, so the server is tested independently of KubeClient.
struct TestClient {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The lines of a watch stream, each parsed.
        var events: [JSONValue] {
            text.split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
        }
    }

    let server: APIServer

    func send(
        _ method: String, _ path: String, body: JSONValue? = nil, contentType: String = "application/json",
        accept: String? = nil
    ) async throws -> Reply {
        guard let url = URL(string: server.url + path) else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 20
        if let body {
            request.httpBody = try body.serialized()
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] {
            headers["\(key)".lowercased()] = "\(value)"
        }
        return Reply(status: http?.statusCode ?? 0, headers: headers, body: data)
    }

    func get(_ path: String, accept: String? = nil) async throws -> Reply {
        try await send("GET", path, accept: accept)
    }

    func post(_ path: String, _ body: JSONValue) async throws -> Reply {
        try await send("POST", path, body: body)
    }

    func put(_ path: String, _ body: JSONValue) async throws -> Reply {
        try await send("PUT", path, body: body)
    }

    func patch(_ path: String, _ body: JSONValue, type: String = "application/merge-patch+json") async throws -> Reply {
        try await send("PATCH", path, body: body, contentType: type)
    }

    func delete(_ path: String, _ body: JSONValue? = nil) async throws -> Reply {
        try await send("DELETE", path, body: body)
    }
}

/// Runs `body` against a fresh server and always stops it.
func withServer<T>(
    _ options: APIServer.Options = APIServer.Options(), _ body: (APIServer, TestClient) async throws -> T
) async throws -> T {
    let server = try await APIServer.start(options)
    do {
        let result = try await body(server, TestClient(server: server))
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

enum Fixtures {
    static func configMap(_ name: String, namespace: String = "default", data: [String: String] = ["k": "v"]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "data": .object(data.mapValues(JSONValue.string)),
        ]
    }

    static func deployment(_ name: String, replicas: Int = 2) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "replicas": .number(Double(replicas)),
                "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": "main", "image": "busybox"]]],
                ],
            ],
        ]
    }

    /// A namespaced CRD `widgets.example.athena.dev` with status subresource, printer columns
    /// and a schema exercising bounds, enums, defaults and pruning.
    static let widgetCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.athena.dev"],
        "spec": [
            "group": "example.athena.dev", "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"], "categories": ["athena"]],
            "versions": [
                [
                    "name": "v1alpha1", "served": true, "storage": true, "subresources": ["status": [:]],
                    "additionalPrinterColumns": [
                        ["name": "Size", "type": "integer", "jsonPath": ".spec.size"],
                        ["name": "Colors", "type": "string", "jsonPath": ".spec.parts[*].color"],
                        ["name": "Phase", "type": "string", "jsonPath": ".status.phase"],
                    ],
                    "schema": [
                        "openAPIV3Schema": [
                            "type": "object",
                            "properties": [
                                "spec": [
                                    "type": "object", "required": ["size"],
                                    "properties": [
                                        "size": ["type": "integer", "minimum": 1, "maximum": 100],
                                        "mode": ["type": "string", "enum": ["fast", "slow"], "default": "fast"],
                                        "name": ["type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"],
                                        "parts": [
                                            "type": "array", "maxItems": 3,
                                            "items": ["type": "object", "properties": ["color": ["type": "string"]]],
                                        ],
                                        "labels": ["type": "object", "additionalProperties": ["type": "string"]],
                                        "free": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                                    ],
                                ],
                                "status": ["type": "object", "properties": ["phase": ["type": "string"]]],
                            ],
                        ]
                    ],
                ]
            ],
        ],
    ]

    static func widget(_ name: String, size: Int = 3, extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec: [String: JSONValue] = ["size": .number(Double(size))]
        for (key, value) in extra { spec[key] = value }
        return [
            "apiVersion": "example.athena.dev/v1alpha1", "kind": "Widget",
            "metadata": ["name": .string(name), "namespace": "default"], "spec": .object(spec),
        ]
    }
}
