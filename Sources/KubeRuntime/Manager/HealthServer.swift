import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle

/// The operator's probe and scrape endpoint: `/healthz` (the process serves requests),
/// `/readyz` (caches synced; see ``Readiness``) and `/metrics` (Prometheus text).
///
/// The metrics text comes from a closure so that only the executable bootstraps a metrics
/// backend; this library never picks one.
public struct HealthServer: Service {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 picks a free port; ``HealthServer`` reports the bound port through `onListening`.
        public var port: Int

        public init(host: String = "0.0.0.0", port: Int = 8081) {
            self.host = host
            self.port = port
        }
    }

    /// Whether the process may receive traffic, and why not.
    public struct Readiness: Sendable, Hashable {
        public var isReady: Bool
        /// One line per check, shown in the `/readyz` body.
        public var details: [String]

        public init(isReady: Bool, details: [String] = []) {
            self.isReady = isReady
            self.details = details
        }
    }

    public let configuration: Configuration
    private let readiness: @Sendable () -> Readiness
    private let metrics: (@Sendable () async -> String)?
    private let onListening: @Sendable (Int) async -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - readiness: evaluated on every `/readyz` request.
    ///   - metrics: the Prometheus exposition text; `/metrics` answers 404 when `nil`.
    ///   - onListening: called with the bound port once the server accepts connections.
    public init(
        configuration: Configuration = .init(), readiness: @escaping @Sendable () -> Readiness,
        metrics: (@Sendable () async -> String)? = nil,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in },
        logger: Logger = Logger(label: "athena.health")
    ) {
        self.configuration = configuration
        self.readiness = readiness
        self.metrics = metrics
        self.onListening = onListening
        self.logger = logger
    }

    public func run() async throws {
        let router = Router()
        router.get("healthz") { _, _ in "ok\n" }
        router.get("readyz") { [readiness] _, _ -> Response in
            let state = readiness()
            let body = (state.details + [state.isReady ? "ok" : "not ready"]).joined(separator: "\n") + "\n"
            return Response(
                status: state.isReady ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("metrics") { [metrics] _, _ -> Response in
            guard let metrics else {
                return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "metrics disabled\n")))
            }
            let text = await metrics()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let onListening = onListening
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "athena-health"),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        try await app.run()
    }
}
