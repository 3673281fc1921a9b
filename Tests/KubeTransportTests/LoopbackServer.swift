import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An HTTP/1.1 server on 127.0.0.1 (ephemeral port) whose answers are scripted per path, so the
/// transport can be tested with real libcurl against chunked streams, drops and slow writers.
final class LoopbackServer: Sendable {
    /// What the server does for a request to a path.
    enum Behavior: Sendable {
        /// A complete response with a Content-Length.
        case respond(status: Int, headers: [String: String] = [:], body: String = "")
        /// A chunked response: each string is written (and flushed) as one chunk after `delay`.
        /// With `dropAfter`, the connection is closed after that many chunks, without the final
        /// zero-length chunk, like a server that dies mid-watch.
        case chunked(chunks: [String], delay: Duration = .zero, dropAfter: Int? = nil)
        /// Sends the head and `first`, then holds the connection open until the client closes it.
        case hold(first: String)
        /// Echoes the request line, headers and body back as JSON.
        case echo
    }

    struct RecordedRequest: Sendable {
        var method: String
        var uri: String
        var headers: [String: String]
        var body: String
    }

    let port: Int
    private let routes: [String: Behavior]
    private let recorded = Mutex<[RecordedRequest]>([])
    private let closedHolds = Mutex<Int>(0)
    private let connections = Mutex<Int>(0)
    private let serverChannel: any Channel

    var requests: [RecordedRequest] { recorded.withLock { $0 } }
    /// How many `.hold` connections the client has closed.
    var holdsClosedByClient: Int { closedHolds.withLock { $0 } }
    /// How many TCP connections the server has accepted.
    var connectionCount: Int { connections.withLock { $0 } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(routes: [String: Behavior], channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>) throws {
        self.routes = routes
        self.serverChannel = channel.channel
        guard let port = channel.channel.localAddress?.port else { throw LoopbackError("server has no port") }
        self.port = port
    }

    static func start(routes: [String: Behavior]) async throws -> LoopbackServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: child)
                }
            }
        let server = try LoopbackServer(routes: routes, channel: channel)
        Task {
            await withDiscardingTaskGroup { group in
                do {
                    try await channel.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await server.serve(connection) }
                        }
                    }
                } catch {
                    // The listener was closed by `stop()`.
                }
            }
        }
        return server
    }

    /// Closes the listener. The accept loop is not cancelled: closing ends its sequence once the
    /// connections already accepted have been handed out, and each of those is served (cancelling
    /// would drop an accepted `NIOAsyncChannel` unused, which NIO traps on in debug builds).
    func stop() async {
        try? await serverChannel.close()
    }

    // MARK: - Serving

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        connections.withLock { $0 += 1 }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                var head: HTTPRequestHead?
                var body = ""
                while let part = try await iterator.next() {
                    switch part {
                    case .head(let h):
                        head = h
                        body = ""
                    case .body(let buffer):
                        body += String(buffer: buffer)
                    case .end:
                        guard let head else { continue }
                        var headers: [String: String] = [:]
                        for (name, value) in head.headers { headers[name.lowercased()] = value }
                        let request = RecordedRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: body)
                        recorded.withLock { $0.append(request) }
                        let path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "")
                        let keepOpen = try await respond(to: request, behavior: routes[path], outbound: outbound, inbound: &iterator)
                        if !keepOpen { return }
                    }
                }
            }
        } catch {
            // A client that hangs up mid-response is part of several tests.
        }
    }

    /// Writes the scripted response; returns false when the connection must be closed.
    private func respond(
        to request: RecordedRequest, behavior: Behavior?, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
        inbound: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    ) async throws -> Bool {
        switch behavior {
        case nil:
            try await writeWhole(status: 404, headers: [:], body: "no route for \(request.uri)", outbound)
        case .respond(let status, let headers, let body):
            try await writeWhole(status: status, headers: headers, body: body, outbound)
        case .echo:
            let json = try JSONSerialization.data(withJSONObject: [
                "method": request.method, "uri": request.uri, "headers": request.headers, "body": request.body,
            ])
            try await writeWhole(status: 200, headers: ["content-type": "application/json"], body: String(decoding: json, as: UTF8.self), outbound)
        case .chunked(let chunks, let delay, let dropAfter):
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-type": "application/json"])))
            for (index, chunk) in chunks.enumerated() {
                if let dropAfter, index == dropAfter { return false }
                if delay > .zero { try await Task.sleep(for: delay) }
                try await outbound.write(.body(.byteBuffer(ByteBuffer(string: chunk))))
            }
            if dropAfter != nil { return false }
            try await outbound.write(.end(nil))
        case .hold(let first):
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-type": "application/json"])))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: first))))
            do {
                while try await inbound.next() != nil {}
            } catch {
                // Reset by peer counts as closed too.
            }
            closedHolds.withLock { $0 += 1 }
            return false
        }
        return true
    }

    private func writeWhole(
        status: Int, headers: [String: String], body: String, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.add(name: name, value: value) }
        fields.replaceOrAdd(name: "content-length", value: String(body.utf8.count))
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body))))
        try await outbound.write(.end(nil))
    }
}

struct LoopbackError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
