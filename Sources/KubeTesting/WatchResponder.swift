import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

/// A watch as the real server streams it: one JSON event per line over a chunked response,
/// initial or replayed events first, then live ones, BOOKMARKs when allowed, a 410 as an ERROR
/// event, and the end of the stream after `timeoutSeconds` or an injected event limit.
struct WatchResponder {
    let handler: ResourceHandler

    func respond() throws -> Response {
        let type = handler.type
        let store = handler.store
        let request = try handler.listRequest()
        let (stream, continuation) = AsyncStream<WatchMessage>.makeStream()
        let opened: Result<Int, Status> = store.withClusterResult { cluster throws(Status) in
            try cluster.addWatcher(type, request, resourceVersion: handler.query["resourceVersion"], continuation: continuation)
        }
        let id: Int
        switch opened {
        case .success(let value):
            id = value
        case .failure(let status) where status.code == 410:
            let line = Self.line(["type": "ERROR", "object": Self.statusJSON(status)])
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: line)))
        case .failure(let status):
            throw status
        }
continuation.onTermination = { _ in store.removeWatcherLater(id) }
        let entry = RequestLog.Entry(
            method: "GET", path: "", query: "", verb: "watch", group: type.group, version: type.version,
            resource: type.plural, subresource: nil, namespace: request.namespace, name: nil, status: 200, date: Date())
        let limit = handler.server.faults.watchEventLimit(for: entry)
        let timeout = handler.query["timeoutSeconds"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        let table = handler.wantsTable
        let includeObject = handler.query["includeObject"]
        let timer = Task {
            guard let timeout else { return }
            try? await Task.sleep(for: .seconds(timeout))
            if !Task.isCancelled { continuation.yield(.close) }
        }
        let body = ResponseBody { writer in
            defer {
                timer.cancel()
                continuation.finish()
            }
            var written = 0
            if let limit, limit <= 0 {
                try await writer.finish(nil)
                return
            }
            loop: for await message in stream {
                switch message {
                case .event(let eventType, let object, let rv):
                    let view = Cluster.view(object, as: type)
                    let shown = table
                        ? TableRenderer.table(type, objects: [view], resourceVersion: rv, includeObject: includeObject)
                        : view
                    try await writer.write(ByteBuffer(bytes: Self.line(["type": .string(eventType.rawValue), "object": shown])))
                    written += 1
                    if let limit, written >= limit { break loop }
                case .bookmark(let rv):
                    let bookmark: JSONValue = [
                        "kind": .string(type.kind), "apiVersion": .string(type.apiVersion),
                        "metadata": ["resourceVersion": .string(String(rv))],
                    ]
                    try await writer.write(ByteBuffer(bytes: Self.line(["type": "BOOKMARK", "object": bookmark])))
                case .close:
                    break loop
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }

    static func line(_ value: JSONValue) -> Data {
        var data = (try? value.serialized()) ?? Data()
        data.append(0x0A)
        return data
    }

    static func statusJSON(_ status: Status) -> JSONValue {
        var body = (try? JSONValue(encoding: status)) ?? [:]
        body["metadata"] = [:]
        return body
    }
}
