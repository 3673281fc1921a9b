import ArgumentParser
import AthenaGateway
import Logging
import Metrics
import Prometheus

/// `athena-gateway --config FILE --host 127.0.0.1 --port 1888`: wiring only (entry point: main.swift).
struct AthenaGatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "athena-gateway",
        abstract: "Serve inference engines over ASE, ModelArts, KServe v1 and Open Inference Protocol v2.")

    @Option(help: "Routing-table file (YAML or JSON), reloaded when it changes.")
    var config: String

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 1888

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func run() async throws {
        try await serve()
    }

    /// Parses nothing more: bootstraps metrics and logging and serves until SIGTERM/SIGINT.
    func serve() async throws {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var logger = Logger(label: "athena-gateway")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let options = GatewayOptions(
            host: host, port: port, logger: logger,
            metricsText: {
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                return String(decoding: buffer, as: UTF8.self)
            },
            onServerRunning: { [logger] port in logger.notice("athena-gateway listening", metadata: ["port": "\(port)"]) })
        let gateway: Gateway
        do {
            gateway = try Gateway(configFile: config, options: options)
        } catch {
            throw ValidationError("\(error)")
        }
        try await gateway.runService()
    }
}
