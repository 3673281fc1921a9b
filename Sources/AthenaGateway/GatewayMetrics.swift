import Metrics
import Synchronization

/// The gateway's metrics through swift-metrics (the executable bootstraps Prometheus). The
/// handles of one service/version are created once and cached, so a request costs a lookup
/// under a lock, not factory calls: a comparison with the last pair looked up (the strings of a
/// service's answers share storage, so that is a pointer check), else a dictionary lookup.
final class GatewayMetrics: Sendable {
    private struct Key: Hashable {
        var service: String
        var version: String
    }

    /// Handles for one service/version.
    final class VersionMetrics: Sendable {
        let byClass: [Counter]  // 1xx…5xx
        let duration: Timer
        let requestBytes: Counter
        let responseBytes: Counter
        let upstream: Mutex<[String: Counter]> = Mutex([:])
        let sessions: Mutex<[String: Counter]> = Mutex([:])
        let dimensions: [(String, String)]

        init(service: String, version: String) {
            dimensions = [("service", service), ("version", version)]
            byClass = (1...5).map { Counter(label: "athena_gateway_requests_total", dimensions: [("service", service), ("version", version), ("code_class", "\($0)xx")]) }
            duration = Timer(label: "athena_gateway_request_duration_seconds", dimensions: [("service", service), ("version", version)], preferredDisplayUnit: .seconds)
            requestBytes = Counter(label: "athena_gateway_request_body_bytes_total", dimensions: [("service", service), ("version", version)])
            responseBytes = Counter(label: "athena_gateway_response_body_bytes_total", dimensions: [("service", service), ("version", version)])
        }
    }

    /// Every service/version's handles, and the last pair looked up (hashing two strings was
    /// about 1% of a pass-through request).
    private struct Cache {
        var byKey: [Key: VersionMetrics] = [:]
        var last: (key: Key, metrics: VersionMetrics)?
    }
    private let versions = Mutex(Cache())
    let inflight = Meter(label: "athena_gateway_inflight_requests")
    let reloads = Counter(label: "athena_gateway_config_reloads_total", dimensions: [("result", "success")])
    let reloadFailures = Counter(label: "athena_gateway_config_reloads_total", dimensions: [("result", "failure")])
    let configValid = Gauge(label: "athena_gateway_config_valid")
    /// Engine calls started without a task (``Gateway/respond(to:executor:answer:)``), for tests.
    let immediateCalls = Atomic<Int>(0)
    /// Times a streaming session stopped reading its client because the engine was behind (tests).
    let sessionReadPauses = Atomic<Int>(0)
    /// WebSocket session handlers alive (tests: a closed connection must free its handler and session).
    let liveWebSocketHandlers = Atomic<Int>(0)

    /// One finished request: count by code class, latency, body bytes in and out.
    func requestFinished(service: String, version: String, status: Int, nanoseconds: Int64, requestBytes: Int, responseBytes: Int) {
        let m = handles(service, version)
        m.byClass[min(4, max(0, status / 100 - 1))].increment()
        m.duration.recordNanoseconds(nanoseconds)
        if requestBytes > 0 { m.requestBytes.increment(by: requestBytes) }
        if responseBytes > 0 { m.responseBytes.increment(by: responseBytes) }
    }

    /// Streaming sessions (WebSocket, SSE) open right now.
    let activeSessions = Meter(label: "athena_gateway_active_sessions")

    /// One finished streaming session: counted by transport and the class of its final status
    /// (its frames are not requests: they stay out of the request counters and latencies).
    func sessionFinished(service: String, version: String, transport: String, status: Int) {
        let m = handles(service, version)
        let key = "\(transport) \(status / 100)"
        let counter = m.sessions.withLock { cache in
            if let c = cache[key] { return c }
            let c = Counter(label: "athena_gateway_sessions_total",
                            dimensions: m.dimensions + [("transport", transport), ("code_class", "\(status / 100)xx")])
            cache[key] = c
            return c
        }
        counter.increment()
    }

    /// An engine call that failed on the wire (not a wrapper error).
    func upstreamError(service: String, version: String, kind: String) {
        let m = handles(service, version)
        let counter = m.upstream.withLock { cache in
            if let c = cache[kind] { return c }
            let c = Counter(label: "athena_gateway_upstream_errors_total", dimensions: m.dimensions + [("kind", kind)])
            cache[kind] = c
            return c
        }
        counter.increment()
    }

    /// The handles of `service`/`version`, made on first use (internal for tests).
    func handles(_ service: String, _ version: String) -> VersionMetrics {
        versions.withLock { cache in
            if let last = cache.last, last.key.service == service, last.key.version == version { return last.metrics }
            let key = Key(service: service, version: version)
            let m = cache.byKey[key] ?? VersionMetrics(service: service, version: version)
            cache.byKey[key] = m
            cache.last = (key, m)
            return m
        }
    }
}
