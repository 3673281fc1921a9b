import Foundation
import Hummingbird
import KubeModel
import Logging
import NIOCore
import Synchronization

/// An in-memory Kubernetes API server for tests, `kubectl` and the operator: real HTTP on
/// loopback, real API semantics (resourceVersions, generation, /status, finalizers, garbage
/// collection, watches with 410 Gone, CRDs with schema validation and printer columns).
///
/// ```swift
/// let server = try await APIServer.start()
/// try server.writeKubeconfig(to: path)
/// ...
/// await server.stop()
/// ```
public final class APIServer: Sendable {
    /// How the server is started.
    public struct Options: Sendable {
        public var host: String
        /// 0 picks a free port; read it back from `APIServer.port`.
        public var port: Int
        /// Stand in for the Deployment and Job controllers (test infrastructure, see docs).
        public var simulateWorkloads: Bool
        /// How long the simulated controllers wait before reporting a workload ready or done.
        public var workloadDelay: Duration
        /// Events kept for watches that resume from an older resourceVersion.
        public var historyLimit: Int
        /// When set, every watch that allows bookmarks gets one this often.
        public var bookmarkInterval: Duration?

        public init(
            host: String = "127.0.0.1", port: Int = 0, simulateWorkloads: Bool = false,
            workloadDelay: Duration = .milliseconds(200), historyLimit: Int = 1000, bookmarkInterval: Duration? = nil
        ) {
            self.host = host
            self.port = port
            self.simulateWorkloads = simulateWorkloads
            self.workloadDelay = workloadDelay
            self.historyLimit = historyLimit
            self.bookmarkInterval = bookmarkInterval
        }
    }

    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public let options: Options
    /// Every request answered, with per-verb / per-resource counters.
    public let requestLog = RequestLog()
    /// Failures, cut watches and latency on demand.
    public let faults = FaultInjector()
    let store: ObjectStore
    let logger: Logger
    private let running = Mutex<Running?>(nil)

    private struct Running: Sendable {
        var port: Int
        var tasks: [Task<Void, Never>]
    }

    /// `logger` defaults to warnings only, so tests are not flooded with per-request lines.
    public init(options: Options = Options(), logger: Logger? = nil) {
        self.options = options
        self.store = ObjectStore(historyLimit: options.historyLimit)
        var fallback = Logger(label: "kube-testserver")
        fallback.logLevel = .warning
        self.logger = logger ?? fallback
    }

    /// Creates and starts a server; it listens when this returns.
    public static func start(_ options: Options = Options()) async throws -> APIServer {
        let server = APIServer(options: options)
        try await server.start()
        return server
    }

    /// Binds and starts serving; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let failure = Mutex<String?>(nil)
        let app = Application(
            responder: APIResponder(server: self),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
            },
            logger: Self.listenerLogger(logger))
        let serverTask = Task {
            do {
                try await app.run()
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
            portContinuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            serverTask.cancel()
            let reason = failure.withLock { $0 } ?? "the listener did not report a port"
            throw StartError(description: "kube-testserver could not listen on \(options.host):\(options.port): \(reason)")
        }
        var tasks = [serverTask]
        if options.simulateWorkloads { tasks.append(WorkloadSimulator(server: self).start()) }
        if let interval = options.bookmarkInterval {
            tasks.append(Task { [store] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    store.sendBookmarks()
                }
            })
        }
        running.withLock { $0 = Running(port: port, tasks: tasks) }
        return port
    }

    /// Stopping cancels the listener, which Hummingbird reports at error level for every open
    /// keep-alive connection; that is expected here, so the listener only logs critical problems.
    private static func listenerLogger(_ base: Logger) -> Logger {
        var logger = base
        logger.logLevel = max(base.logLevel, .critical)
        return logger
    }

    /// Ends every watch and stops listening.
    public func stop() async {
        let tasks = running.withLock { running -> [Task<Void, Never>] in
            let tasks = running?.tasks ?? []
            running = nil
            return tasks
        }
        store.closeAllWatches(includingInternal: true)
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// The bound port (0 before `start`).
    public var port: Int { running.withLock { $0?.port ?? 0 } }

    /// `http://host:port`.
    public var url: String { "http://\(options.host):\(port)" }

    // MARK: - Server controls

    /// The current global resourceVersion.
    public var resourceVersion: Int { store.read { $0.resourceVersion } }

    /// Forgets the event history: the next watch from any older resourceVersion gets 410 Gone.
    public func expireWatchHistory() {
        _ = try? store.withCluster { $0.expireHistory() }
    }

    /// Ends every open watch now; clients have to reconnect.
    public func closeAllWatches() {
        store.closeAllWatches()
    }

    /// Sends a BOOKMARK at the current resourceVersion to every watch that allows bookmarks.
    public func sendBookmarks() {
        store.sendBookmarks()
    }
}
