import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Keep-alive HTTP/1.1 connections to one engine endpoint, kept per event loop.
///
/// A request takes an idle connection of the event loop it runs on (the loop that accepted the
/// client connection, since Swift concurrency runs on NIO's loops), so client socket, engine
/// socket and the task share one thread: no thread hop per request. Replaces AsyncHTTPClient,
/// whose per-request state machines, separate head/body writes and executor hops cost more
/// CPU than the rest of the gateway together (profile in docs/benchmarks.md).
final class HTTPConnectionPool: Sendable {
    /// A pooled connection and its handler (used on the channel's loop only).
    struct Connection: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<HTTPEngineConnectionHandler>
    }

    let host: String
    let port: Int
    let connectTimeout: TimeAmount
    /// Idle connections kept per event loop; more are closed when returned.
    let maxIdlePerLoop: Int
    private let group: any EventLoopGroup
    private let idle = Mutex<[LoopIdle]>([])

    /// One event loop's idle connections. A short array searched by loop, not a dictionary:
    /// `Dictionary`'s in-place element access allocates a coroutine frame per call (three
    /// allocations per request in the profile).
    private struct LoopIdle {
        let loop: ObjectIdentifier
        var connections: [Connection]
    }
    private let closed = Atomic<Bool>(false)

    init(host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
         connectTimeout: TimeAmount = .seconds(2), maxIdlePerLoop: Int = 256) {
        self.host = host
        self.port = port
        self.group = group
        self.connectTimeout = connectTimeout
        self.maxIdlePerLoop = maxIdlePerLoop
    }

    /// Runs one request given as head and body (encoded here; health checks and tests).
    func execute(_ head: HTTPRequestHead, body: ByteBuffer, deadline: NIODeadline) async throws -> HTTPEngineReply {
        try await execute(Self.encode(head, body: body), deadline: deadline)
    }

    /// `head` and `body` as HTTP/1.1 bytes; adds `content-length` when missing.
    static func encode(_ head: HTTPRequestHead, body: ByteBuffer) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(256 + body.readableBytes)
        out.writeString("\(head.method.rawValue) \(head.uri) HTTP/1.1\r\n")
        for (name, value) in head.headers {
            out.writeString(name)
            out.writeStaticString(": ")
            out.writeString(value)
            out.writeStaticString("\r\n")
        }
        if !head.headers.contains(name: "content-length") {
            out.writeString("content-length: \(body.readableBytes)\r\n")
        }
        out.writeStaticString("\r\n")
        var body = body
        out.writeBuffer(&body)
        return out
    }

    /// Runs one request, already encoded as HTTP/1.1 bytes (head and body). A stale keep-alive
    /// connection (closed by the engine before answering) is retried once on a fresh
    /// connection; everything else is reported as it happened.
    func execute(_ request: ByteBuffer, deadline: NIODeadline) async throws -> HTTPEngineReply {
        // On an event loop, only that loop's connections: borrowing another loop's idle one
        // costs a thread hop on every request it carries from then on (and the loop never gets
        // its own), where a connect costs once. Off the loops (tests, tools), any will do.
        let current = MultiThreadedEventLoopGroup.currentEventLoop
        let loop = current ?? group.next()
        var reusedFailed = false
        while true {
            let (connection, reused) = try await acquire(on: loop, fresh: reusedFailed, elsewhere: current == nil)
            do {
                let reply = try await send(request, deadline: deadline, on: connection)
                if reply.keepAlive { release(connection) } else { connection.channel.close(promise: nil) }
                return reply
            } catch HTTPEngineConnectionError.closedBeforeResponse where reused && !reusedFailed {
                reusedFailed = true
            }
        }
    }

    /// Starts one request on an idle connection of the current event loop, without a task, and
    /// returns `true`; `completion` then runs on this loop with the answer or the failure
    /// (`closedBeforeResponse`: a keep-alive connection the engine had closed; the request may
    /// be sent again). `false`, having done nothing, when this loop has no idle connection:
    /// ``execute(_:deadline:)`` connects.
    func executeNow(_ request: ByteBuffer, deadline: NIODeadline,
                    completion: @escaping @Sendable (Result<HTTPEngineReply, HTTPEngineConnectionError>) -> Void) -> Bool {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop,
              let connection = takeIdle(preferring: loop, elsewhere: false)
        else { return false }
        let started = connection.handler.value.send(request, deadline: deadline) { [self] result in
            switch result {
            case .success(let reply) where reply.keepAlive: release(connection)
            default: connection.channel.close(promise: nil)
            }
            completion(result)
        }
        if !started { connection.channel.close(promise: nil) }
        return started
    }

    /// Closes every idle connection; connections in use close when their request ends.
    func shutdown() {
        closed.store(true, ordering: .relaxed)
        let all = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle.flatMap(\.connections)
        }
        for connection in all { connection.channel.close(promise: nil) }
    }

    /// Idle connections right now (tests).
    var idleCount: Int { idle.withLock { $0.reduce(0) { $0 + $1.connections.count } } }

    /// Idle connections of `loop` right now (tests).
    func idleCount(on loop: any EventLoop) -> Int {
        idle.withLock { idle in idle.first { $0.loop == ObjectIdentifier(loop) }?.connections.count ?? 0 }
    }

    // MARK: - Connections

    private func acquire(on loop: any EventLoop, fresh: Bool, elsewhere: Bool) async throws -> (Connection, reused: Bool) {
        if !fresh, let connection = takeIdle(preferring: loop, elsewhere: elsewhere) { return (connection, true) }
        return (try await connect(on: loop), false)
    }

    /// An idle, open connection of `loop`'s, or (`elsewhere`) of another loop's.
    private func takeIdle(preferring loop: any EventLoop, elsewhere: Bool) -> Connection? {
        idle.withLock { idle in
            let key = ObjectIdentifier(loop)
            if let i = idle.firstIndex(where: { $0.loop == key }) {
                while let connection = idle[i].connections.popLast() {
                    if connection.channel.isActive { return connection }
                }
            }
            // None on this loop: any other loop's, when the caller allows it.
            guard elsewhere else { return nil }
            for i in idle.indices {
                while let connection = idle[i].connections.popLast() {
                    if connection.channel.isActive { return connection }
                }
            }
            return nil
        }
    }

    private func release(_ connection: Connection) {
        guard connection.channel.isActive, !closed.load(ordering: .relaxed) else {
            connection.channel.close(promise: nil)
            return
        }
        let kept = idle.withLock { idle in
            let key = ObjectIdentifier(connection.channel.eventLoop)
            guard let i = idle.firstIndex(where: { $0.loop == key }) else {
                idle.append(LoopIdle(loop: key, connections: [connection]))
                return true
            }
            if idle[i].connections.count >= maxIdlePerLoop { return false }
            idle[i].connections.append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }

    private func connect(on loop: any EventLoop) async throws -> Connection {
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTPEngineConnectionHandler())
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            throw EngineError(.unreachable, "cannot connect to \(host):\(port): \(error)")
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: HTTPEngineConnectionHandler.self), eventLoop: channel.eventLoop)
        }.get()
        return Connection(channel: channel, handler: handler)
    }

    /// The handler resumes the continuation itself (no promise, future and callback per call).
    private func send(_ request: ByteBuffer, deadline: NIODeadline, on connection: Connection) async throws -> HTTPEngineReply {
        let loop = connection.channel.eventLoop
        return try await withUnsafeThrowingContinuation { continuation in
            if loop.inEventLoop {
                connection.handler.value.send(request, deadline: deadline, continuation: continuation)
            } else {
                loop.execute { connection.handler.value.send(request, deadline: deadline, continuation: continuation) }
            }
        }
    }
}
