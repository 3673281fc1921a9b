import ArgumentParser
import AthenaControllers
import Foundation
import KubeClient
import KubeRuntime
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `athena-operator`: wires the Kubernetes client, the controller runtime, leader election and
/// the health/metrics server, then runs them until SIGTERM or SIGINT. Only wiring lives here.
@main
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "athena-operator",
        abstract: "The Athena Serving Kubernetes operator.",
        discussion: """
            Configuration is read from --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the \
            in-cluster service account. Controllers run only on the replica holding the Lease when \
            --leader-elect is set; every replica serves /healthz, /readyz and /metrics.
            """)

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "kubeconfig context to use (default: current-context).")
    var context: String?

    @Option(help: "Namespace to watch; empty watches all namespaces.")
    var namespace: String = ""

    @Flag(help: "Elect a leader through a coordination.k8s.io/v1 Lease so only one replica reconciles.")
    var leaderElect = false

    @Option(help: "Name of the leader-election Lease.")
    var leaseName = "athena-operator-leader"

    @Option(help: "Namespace of the Lease (default: $POD_NAMESPACE, else the kubeconfig namespace).")
    var leaseNamespace: String?

    @Option(help: "Address of the /healthz, /readyz and /metrics server.")
    var healthHost = "0.0.0.0"

    @Option(help: "Port of the /healthz, /readyz and /metrics server.")
    var healthPort = 8081

    @Flag(inversion: .prefixedNo, help: "Export Prometheus metrics on /metrics.")
    var metrics = true

    @Option(help: "Concurrent reconciles per controller (AIApplication, OnlineService).")
    var workers = 8

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("unknown --log-level '\(logLevel)'")
        }
        guard (0...65535).contains(healthPort) else { throw ValidationError("--health-port must be 0...65535") }
        if leaseName.isEmpty { throw ValidationError("--lease-name must not be empty") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be 1...64") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "athena.operator")

        let registry = PrometheusCollectorRegistry()
        if metrics {
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        }

        let config: KubeConfig
        do {
            config = try KubeConfig.load(kubeconfigPath: kubeconfig, context: context)
        } catch {
            throw ValidationError("\(error)")
        }
        // One identity per process names both the Lease holder and the User-Agent of every request,
        // so the API server's audit (and the tests) can tell which replica wrote what.
        let identity = ProcessInfo.processInfo.environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "\(ProcessInfo.processInfo.hostName)_\(ProcessInfo.processInfo.processIdentifier)"
        let client = KubeClient(config: config, userAgent: "athena-operator/\(identity)")

        var elector: LeaderElector?
        if leaderElect {
            let namespace = leaseNamespace ?? ProcessInfo.processInfo.environment["POD_NAMESPACE"] ?? config.namespace
            elector = try LeaderElector(
                api: client,
                configuration: .init(leaseName: leaseName, leaseNamespace: namespace, identity: identity))
        }
        let options: BuildOptions
        do {
            options = try BuildOptions.fromEnvironment()
        } catch {
            throw ValidationError("\(error)")
        }
        let manager = Manager(api: client, leaderElector: elector)
        OperatorControllers.register(on: manager, options: options, namespace: namespace, workers: workers)

        var metricsText: (@Sendable () async -> String)?
        if metrics {
            metricsText = { @Sendable in registry.emitToString() }
        }
        let health = HealthServer(
            configuration: .init(host: healthHost, port: healthPort),
            readiness: { manager.readiness },
            metrics: metricsText,
            onListening: { port in logger.info("health and metrics on \(healthHost):\(port)") })

        logger.info(
            "starting",
            metadata: [
                "server": "\(config.server)", "namespace": "\(namespace.isEmpty ? "<all>" : namespace)",
                "leaderElection": "\(leaderElect)", "identity": "\(identity)", "workers": "\(workers)", "gatewayImage": "\(options.gatewayImage)",
            ])
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: health),
                    .init(service: manager, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
