import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

/// Turns each HTTP request into a Kubernetes API call on the store: routing, verbs, the request
/// log and injected faults happen here; the semantics live in `Cluster`.
struct APIResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: APIServer

    static let maxBodyBytes = 16 << 20

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        let types = server.store.read { $0.allTypes }
        let target = RequestTarget(path: path, types: types)
        if case .debugRequests = target { return debugRequests(request) }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        var entry = RequestLog.Entry(
            method: request.method.rawValue, path: path, query: request.uri.query ?? "", verb: "other", group: "",
            version: "", resource: "", subresource: nil, namespace: nil, name: nil, status: 0, date: Date(),
            userAgent: request.headers[.userAgent] ?? "")
        if case .resource(let resource) = target {
            entry.verb = Self.verb(method: request.method, resource: resource, query: query)
            entry.group = resource.type.group
            entry.version = resource.type.version
            entry.resource = resource.type.plural
            entry.subresource = resource.subresource
            entry.namespace = resource.namespace
            entry.name = resource.name
        } else if case .notFound = target {
            entry.verb = "other"
        } else {
            entry.verb = "discovery"
        }

        let delay = server.faults.latency(verb: entry.verb, entry: entry)
        if delay > .zero { try? await Task.sleep(for: delay) }

        var response: Response
        if let (status, retryAfter) = server.faults.takeFailure(verb: entry.verb, entry: entry) {
            response = Reply.status(status)
            if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        } else {
            do {
                response = try await dispatch(target, request: request, query: query, entry: entry)
            } catch let status as Status {
                response = Reply.status(status)
            } catch {
                response = Reply.status(APIErrors.internalError("\(error)"))
            }
        }
        entry.status = response.status.code
        server.requestLog.append(entry)
        return response
    }

    /// GET: `RequestLog.summary` (optionally `?userAgent=prefix`); DELETE: clears the log.
    private func debugRequests(_ request: Request) -> Response {
        switch request.method {
        case .get:
            let prefix = request.uri.queryParameters["userAgent"].map(String.init) ?? ""
            return Reply.json(server.requestLog.summary(userAgentPrefix: prefix))
        case .delete:
            server.requestLog.reset()
            return Reply.json(["cleared": true])
        default:
            return Reply.status(Status(code: 405, reason: "MethodNotAllowed", message: "/debug/requests takes GET or DELETE"))
        }
    }

    static func verb(method: HTTPRequest.Method, resource: ResourceTarget, query: [String: String]) -> String {
        switch method {
        case .get, .head:
            if resource.name != nil && !resource.watchPath { return "get" }
            let watch = query["watch"].map { $0 == "true" || $0 == "1" } ?? false
            return watch || resource.watchPath ? "watch" : "list"
        case .post: return "create"
        case .put: return "update"
        case .patch: return "patch"
        case .delete: return resource.name == nil ? "deletecollection" : "delete"
        default: return "other"
        }
    }

    private func dispatch(
        _ target: RequestTarget, request: Request, query: [String: String], entry: RequestLog.Entry
    ) async throws -> Response {
        let accept = request.headers[.accept] ?? ""
        switch target {
        case .version:
            return Reply.json(Discovery.version)
        case .health:
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
        case .openAPI:
            return try OpenAPIDocuments.respond(path: request.uri.path, types: server.store.read { $0.allTypes })
        case .coreVersions, .groups, .group, .groupResources, .coreResources:
            let types = server.store.read { $0.allTypes }
            return try Discovery.respond(target, types: types, accept: accept, serverAddress: "\(server.options.host):\(server.port)")
        case .notFound, .debugRequests:
            throw APIErrors.pathNotFound()
        case .resource(let resource):
            return try await ResourceHandler(server: server, target: resource, request: request, query: query, accept: accept)
                .handle(verb: entry.verb)
        }
    }
}

/// Small builders of HTTP responses.
enum Reply {
    static func json(_ value: JSONValue, status: Int = 200, contentType: String = "application/json") -> Response {
        let data = (try? value.serialized()) ?? Data("{}".utf8)
        return Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func status(_ status: Status) -> Response {
        var body = (try? JSONValue(encoding: status)) ?? [:]
        body["metadata"] = [:]
        return json(body, status: status.code ?? 500)
    }
}
