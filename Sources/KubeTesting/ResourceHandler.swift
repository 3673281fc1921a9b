import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

/// Serves one request on a resource: reads the body and query, runs the verb on the store and
/// shapes the answer (object, list, Table, watch stream).
struct ResourceHandler {
    let server: APIServer
    let target: ResourceTarget
    let request: Request
    let query: [String: String]
    let accept: String

    var type: ResourceType { target.type }
    var store: ObjectStore { server.store }
    var wantsTable: Bool { accept.contains("as=Table") }
    var wantsPartialMetadata: Bool { accept.contains("as=PartialObjectMetadata") }
    var dryRun: Bool { query["dryRun"] == "All" }
    /// `fieldValidation=Strict`: unknown fields of custom resources are an error, not dropped.
    var strictFields: Bool { query["fieldValidation"] == "Strict" }

    func handle(verb: String) async throws -> Response {
        if let subresource = target.subresource {
            guard subresource == "status", type.hasStatus else { throw APIErrors.pathNotFound() }
            guard ["get", "update", "patch"].contains(verb) else { throw APIErrors.methodNotAllowed() }
        }
        switch verb {
        case "get": return try get()
        case "list": return try list()
        case "watch": return try WatchResponder(handler: self).respond()
        case "create": return try await create()
        case "update": return try await update()
        case "patch": return try await patch()
        case "delete": return try await delete()
        case "deletecollection": return try await deleteCollection()
        default: throw APIErrors.methodNotAllowed()
        }
    }

    // MARK: - Reads

    private func get() throws -> Response {
        guard let name = target.name else { throw APIErrors.pathNotFound() }
        let (object, rv) = store.read { cluster in
            (cluster.object(type, cluster.key(type, namespace: target.namespace, name: name)), cluster.resourceVersion)
        }
        guard let object else { throw APIErrors.notFound(type, name) }
        let view = Cluster.view(object, as: type)
        if wantsTable {
            return Reply.json(
                TableRenderer.table(type, objects: [view], resourceVersion: rv, includeObject: query["includeObject"]),
                contentType: "application/json;as=Table;v=v1;g=meta.k8s.io")
        }
        if wantsPartialMetadata { return Reply.json(Self.partial(view)) }
        return Reply.json(view)
    }

    private func list() throws -> Response {
        let request = try listRequest()
        let page = try store.withCluster { cluster throws(Status) in try cluster.list(type, request) }
        if wantsTable {
            return Reply.json(
                TableRenderer.table(
                    type, objects: page.items, resourceVersion: page.resourceVersion, includeObject: query["includeObject"],
                    continueToken: page.continueToken),
                contentType: "application/json;as=Table;v=v1;g=meta.k8s.io")
        }
        var metadata: JSONValue = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { metadata["continue"] = .string(token) }
        if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .number(Double(remaining)) }
        if wantsPartialMetadata {
            return Reply.json([
                "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                "items": .array(page.items.map(Self.partial)),
            ])
        }
        return Reply.json([
            "kind": .string("\(type.kind)List"), "apiVersion": .string(type.apiVersion), "metadata": metadata,
            "items": .array(page.items),
        ])
    }

    static func partial(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:]]
    }

    func listRequest() throws(Status) -> ListRequest {
        var request = ListRequest(namespace: target.namespace)
        do {
            if let text = query["labelSelector"] { request.labels = try LabelSelector(parsing: text) }
        } catch {
            throw APIErrors.badRequest(error.message)
        }
        do {
            if let text = query["fieldSelector"] { request.fields = try FieldSelector(parsing: text) }
        } catch {
            throw APIErrors.badRequest(error.message)
        }
        if let limit = query["limit"] {
            guard let value = Int(limit), value >= 0 else { throw APIErrors.badRequest("invalid limit \"\(limit)\"") }
            request.limit = value
        }
        request.continueToken = query["continue"]
        request.allowBookmarks = query["allowWatchBookmarks"] == "true" || query["allowWatchBookmarks"] == "1"
        return request
    }

    // MARK: - Writes

    /// Runs a write on the store, or on a throwaway copy for `dryRun=All` (watchers see nothing).
    private func write(_ body: (inout Cluster) throws(Status) -> JSONValue) throws(Status) -> JSONValue {
        if dryRun {
            var copy = store.read { $0 }
            copy.watchers = [:]
            return try body(&copy)
        }
        return try store.withCluster(body)
    }

    private func create() async throws -> Response {
        guard target.name == nil, target.subresource == nil else { throw APIErrors.methodNotAllowed() }
        guard !type.namespaced || target.namespace != nil else { throw APIErrors.methodNotAllowed() }
        let body = try await readBody()
        let created = try write { cluster throws(Status) in
            try cluster.create(type, namespace: target.namespace, body: body, strictFields: strictFields)
        }
        return Reply.json(Cluster.view(created, as: type), status: 201)
    }

    private func update() async throws -> Response {
        guard let name = target.name else { throw APIErrors.methodNotAllowed() }
        let body = try await readBody()
        let updated = try write { cluster throws(Status) in
            try cluster.update(
                type, namespace: target.namespace, name: name, body: body, subresource: target.subresource,
                strictFields: strictFields)
        }
        return Reply.json(Cluster.view(updated, as: type))
    }

    private func patch() async throws -> Response {
        guard let name = target.name else { throw APIErrors.methodNotAllowed() }
        let contentType = (request.headers[.contentType] ?? "").split(separator: ";").first.map(String.init) ?? ""
        let patch = try await readBody(yaml: contentType == "application/apply-patch+yaml")
        let patched = try write { cluster throws(Status) -> JSONValue in
            let key = cluster.key(type, namespace: target.namespace, name: name)
            guard let existing = cluster.object(type, key) else {
                if contentType == "application/apply-patch+yaml" {
                    return try cluster.create(type, namespace: target.namespace, body: patch, strictFields: strictFields)
                }
                throw APIErrors.notFound(type, name)
            }
            let result = try Patcher.apply(patch, contentType: contentType, to: Cluster.view(existing, as: type), type: type)
            return try cluster.update(
                type, namespace: target.namespace, name: name, body: result, subresource: target.subresource,
                strictFields: strictFields)
        }
        return Reply.json(Cluster.view(patched, as: type))
    }

    private func delete() async throws -> Response {
        guard let name = target.name else { throw APIErrors.methodNotAllowed() }
        let deleteRequest = try await deleteOptions()
        let (result, stillThere) = try write { cluster throws(Status) -> JSONValue in
            let result = try cluster.delete(type, namespace: target.namespace, name: name, request: deleteRequest)
            let remains = cluster.object(type, cluster.key(type, namespace: target.namespace, name: name)) != nil
            return ["object": result, "remains": .bool(remains)]
        }.pair
        return Reply.json(Cluster.view(result, as: type), status: stillThere ? 202 : 200)
    }

    private func deleteCollection() async throws -> Response {
        let request = try listRequest()
        let deleteRequest = try await deleteOptions()
        let deleted = try write { cluster throws(Status) -> JSONValue in
            let page = try cluster.list(type, ListRequest(namespace: request.namespace, labels: request.labels, fields: request.fields))
            var items: [JSONValue] = []
            for item in page.items {
                let name = item[path: ["metadata", "name"]]?.stringValue ?? ""
                let namespace = item[path: ["metadata", "namespace"]]?.stringValue
                items.append(try cluster.delete(type, namespace: namespace, name: name, request: deleteRequest))
            }
            return .array(items)
        }
        return Reply.json([
            "kind": .string("\(type.kind)List"), "apiVersion": .string(type.apiVersion),
            "metadata": ["resourceVersion": .string(String(store.read { $0.resourceVersion }))],
            "items": .array((deleted.arrayValue ?? []).map { Cluster.view($0, as: type) }),
        ])
    }

    // MARK: - Bodies

    func readBody(yaml: Bool = false) async throws -> JSONValue {
        let buffer = try await request.body.collect(upTo: APIResponder.maxBodyBytes)
        let data = Data(buffer: buffer)
        let contentType = request.headers[.contentType] ?? ""
        if contentType.contains("protobuf") || contentType.contains("cbor") {
            throw APIErrors.unsupportedMediaType(contentType)
        }
        if yaml || contentType.contains("yaml") {
            do {
                return try YAMLConversion.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw APIErrors.badRequest(error.message)
            }
        }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw APIErrors.badRequest("the request body is not valid JSON: \(error)")
        }
    }

    private func deleteOptions() async throws -> DeleteRequest {
        let buffer = try await request.body.collect(upTo: APIResponder.maxBodyBytes)
        var options: JSONValue = [:]
        if buffer.readableBytes > 0 {
            do {
                options = try JSONValue.parse(Data(buffer: buffer))
            } catch {
                throw APIErrors.badRequest("the DeleteOptions body is not valid JSON: \(error)")
            }
        }
        var policy = query["propagationPolicy"] ?? options["propagationPolicy"]?.stringValue
        if policy == nil, (options["orphanDependents"]?.boolValue ?? (query["orphanDependents"] == "true")) {
            policy = "Orphan"
        }
        if let policy, !["Orphan", "Background", "Foreground"].contains(policy) {
            throw APIErrors.badRequest(
                "propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\"")
        }
        return DeleteRequest(
            propagationPolicy: policy, preconditionUID: options[path: ["preconditions", "uid"]]?.stringValue,
            preconditionResourceVersion: options[path: ["preconditions", "resourceVersion"]]?.stringValue)
    }
}

extension JSONValue {
    fileprivate var pair: (JSONValue, Bool) {
        (self["object"] ?? .null, self["remains"]?.boolValue ?? false)
    }
}
