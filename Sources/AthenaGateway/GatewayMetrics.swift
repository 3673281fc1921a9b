import Metrics
import Synchronization

/// The gateway's metrics through swift-metrics (the executable bootstraps Prometheus). Handles
/// are cached per label set so a request does a dictionary lookup, not a factory call.
final class GatewayMetrics: Sendable {
    private struct Key: Hashable {
        var service: String
        var version: String
        var extra: String
    }

    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Timer]>([:])
    let inflight = Meter(label: "athena_gateway_inflight_requests")
    let reloads = Counter(label: "athena_gateway_config_reloads_total", dimensions: [("result", "success")])
    let reloadFailures = Counter(label: "athena_gateway_config_reloads_total", dimensions: [("result", "failure")])
    let configValid = Gauge(label: "athena_gateway_config_valid")

    /// One finished request: count by code class, latency, body bytes in and out.
    func requestFinished(service: String, version: String, status: Int, seconds: Double, requestBytes: Int, responseBytes: Int) {
        let codeClass = "\(status / 100)xx"
        counter("athena_gateway_requests_total", service, version, ("code_class", codeClass)).increment()
        timer(service, version).recordNanoseconds(Int64(seconds * 1e9))
        if requestBytes > 0 { counter("athena_gateway_request_body_bytes_total", service, version, nil).increment(by: requestBytes) }
        if responseBytes > 0 { counter("athena_gateway_response_body_bytes_total", service, version, nil).increment(by: responseBytes) }
    }

    /// An engine call that failed on the wire (not a wrapper error).
    func upstreamError(service: String, version: String, kind: String) {
        counter("athena_gateway_upstream_errors_total", service, version, ("kind", kind)).increment()
    }

    private func counter(_ label: String, _ service: String, _ version: String, _ extra: (String, String)?) -> Counter {
        let key = Key(service: service, version: version, extra: label + "|" + (extra.map { "\($0.0)=\($0.1)" } ?? ""))
        return counters.withLock { cache in
            if let c = cache[key] { return c }
            var dims = [("service", service), ("version", version)]
            if let extra { dims.append(extra) }
            let c = Counter(label: label, dimensions: dims)
            cache[key] = c
            return c
        }
    }

    private func timer(_ service: String, _ version: String) -> Timer {
        let key = Key(service: service, version: version, extra: "")
        return timers.withLock { cache in
            if let t = cache[key] { return t }
            let t = Timer(label: "athena_gateway_request_duration_seconds", dimensions: [("service", service), ("version", version)], preferredDisplayUnit: .seconds)
            cache[key] = t
            return t
        }
    }
}
