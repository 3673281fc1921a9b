public import AthenaAPI
public import Hummingbird
import HummingbirdCore
public import Logging
import Synchronization

/// How to run a gateway.
public struct GatewayOptions: Sendable {
    public var host: String
    public var port: Int
    public var logger: Logger
    /// Makes engines for endpoints; `nil` uses the real gRPC/HTTP engines.
    public var engineFactory: (any EngineFactory)?
    /// Prometheus text for `/metrics`; set by the executable that bootstrapped the registry.
    public var metricsText: (@Sendable () -> String)?
    /// Called with the bound port once the server listens (port 0 picks a free one).
    public var onServerRunning: (@Sendable (Int) async -> Void)?
    /// How often the routing-table file's modification time is checked.
    public var reloadInterval: Duration
    /// How often DNS endpoints are resolved again when the table does not say.
    public var dnsRefresh: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 1888, logger: Logger = Logger(label: "athena-gateway"),
        engineFactory: (any EngineFactory)? = nil, metricsText: (@Sendable () -> String)? = nil,
        onServerRunning: (@Sendable (Int) async -> Void)? = nil, reloadInterval: Duration = .seconds(1),
        dnsRefresh: Duration = .seconds(10)
    ) {
        self.host = host
        self.port = port
        self.logger = logger
        self.engineFactory = engineFactory
        self.metricsText = metricsText
        self.onServerRunning = onServerRunning
        self.reloadInterval = reloadInterval
        self.dnsRefresh = dnsRefresh
    }
}

/// The gateway: protocol front-ends, routing, load balancing and engine calls, built from a
/// routing table (in memory for `athena serve`, or a file the operator writes, hot-reloaded).
///
/// ```swift
/// let gateway = try Gateway(table: table, options: .init(port: 1888))
/// try await gateway.run()          // until cancelled / graceful shutdown
/// ```
public final class Gateway: Sendable {
    public let options: GatewayOptions
    /// The routing-table file being watched, if any.
    public let configFile: String?
    let factory: any EngineFactory
    let metrics = GatewayMetrics()
    /// Access-log lines (at log level info and below), batched to stderr.
    let accessLog = AccessLog()
    let current: Mutex<GatewayState>
    /// The last reload problem (`nil` when the file in use is the file on disk).
    let configProblem = Mutex<String?>(nil)

    /// A gateway serving `table`; change it later with `update(table:)`.
    public init(table: RoutingTable, options: GatewayOptions = .init()) throws {
        self.options = options
        self.configFile = nil
        self.factory = options.engineFactory ?? DefaultEngineFactory(logger: options.logger)
        let problems = table.problems()
        guard problems.isEmpty else { throw RoutingTableLoadError(file: "<in memory>", message: problems.joined(separator: "; ")) }
        self.current = Mutex(try GatewayState.build(table: table, previous: nil, factory: factory).state)
        metrics.configValid.record(1)
    }

    /// A gateway serving the routing table in `configFile` (YAML or JSON), reloaded when it
    /// changes. Throws when the first load fails: a sidecar must not start on a bad table.
    public convenience init(configFile: String, options: GatewayOptions = .init()) throws {
        let table = try RoutingTableLoader.load(file: configFile)
        try self.init(table: table, options: options, configFile: configFile)
    }

    private init(table: RoutingTable, options: GatewayOptions, configFile: String) throws {
        self.options = options
        self.configFile = configFile
        self.factory = options.engineFactory ?? DefaultEngineFactory(logger: options.logger)
        self.current = Mutex(try GatewayState.build(table: table, previous: nil, factory: factory).state)
        metrics.configValid.record(1)
    }

    /// The state requests are served from right now.
    public var state: GatewayState { current.withLock { $0 } }

    /// The service `name` of the current state (one lookup under the lock, no copy of the state).
    func service(named name: String) -> ServiceRuntime? {
        current.withLock { $0.services[name] }
    }

    /// Swaps in a new table; engines of endpoints that stay are kept. Throws (and keeps the old
    /// table) when `table` is not usable.
    public func update(table: RoutingTable) throws {
        let problems = table.problems()
        guard problems.isEmpty else {
            throw RoutingTableLoadError(file: configFile ?? "<in memory>", message: problems.joined(separator: "; "))
        }
        let retired: [any Engine] = try current.withLock { state in
            let built = try GatewayState.build(table: table, previous: state, factory: factory)
            state = built.state
            return built.retired
        }
        if !retired.isEmpty {
            Task { for engine in retired { await engine.shutdown() } }
        }
    }

    // MARK: - Running

    /// The application serving this gateway (with the reload and DNS loops attached).
    public func makeApplication() -> some ApplicationProtocol {
        let onRunning = options.onServerRunning
        // Hummingbird binds, runs the lifecycle and serves `.test(.router)` through the router
        // adapter; live connections go to the gateway's own HTTP/1.1 handler (see GatewayChildChannel).
        var app = Application(
            router: makeRouter(),
            server: HTTPServerBuilder { _ in GatewayChildChannel(gateway: self) },
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in await onRunning?(channel.localAddress?.port ?? 0) },
            logger: options.logger)
        app.addServices(GatewayBackground(gateway: self))
        return app
    }

    /// Serves until the task is cancelled or a graceful shutdown is triggered.
    public func run() async throws {
        try await makeApplication().run()
    }

    /// Serves until SIGTERM/SIGINT (the executable's entry point).
    public func runService() async throws {
        try await makeApplication().runService()
    }
}
