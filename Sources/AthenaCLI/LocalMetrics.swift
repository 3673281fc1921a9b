import Metrics
import Prometheus
import Synchronization

/// Prometheus metrics for `athena serve`: the gateway's counters and histograms (requests,
/// latency, batches, upstream errors) on `/metrics`, as the `athena-gateway` binary has them.
///
/// Why a process-wide value: swift-metrics' `MetricsSystem` can be bootstrapped once per process,
/// and the gateway's metrics are created through it; `athena serve` runs one gateway.
enum LocalMetrics {
    private static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Bootstraps the metrics system on first use and renders the registry.
    static let text: @Sendable () -> String = {
        let registry = LocalMetrics.registry
        return {
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return String(decoding: buffer, as: UTF8.self)
        }
    }()
}
