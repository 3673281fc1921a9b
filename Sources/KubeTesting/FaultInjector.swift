import Foundation
import KubeModel
import Synchronization

/// Makes the server misbehave on purpose so reliability code (retries, backoff, relists) can be
/// tested: failed requests, watches cut short, slow answers.
public final class FaultInjector: Sendable {
    struct Failure: Sendable {
        var remaining: Int
        var status: Int
        var verb: String?
        var resource: String?
        var retryAfterSeconds: Int?
    }

    struct WatchLimit: Sendable {
        var events: Int
        var resource: String?
    }

    struct Latency: Sendable {
        var delay: Duration
        var verb: String?
        var resource: String?
    }

    struct State: Sendable {
        var failures: [Failure] = []
        var watchLimits: [WatchLimit] = []
        var latencies: [Latency] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The next `count` requests matching `verb` and `resource` (nil = any; resource as in
    /// `RequestLog.count`) are answered with a `Status` of that code instead of being served.
    /// A 429 carries `Retry-After` (default 1 s).
    public func failNext(
        _ count: Int = 1, status: Int = 500, verb: String? = nil, resource: String? = nil, retryAfterSeconds: Int? = nil
    ) {
        guard count > 0 else { return }
        state.withLock {
            $0.failures.append(
                Failure(remaining: count, status: status, verb: verb, resource: resource, retryAfterSeconds: retryAfterSeconds))
        }
    }

    /// Every watch started from now on (on `resource`, or any) is closed by the server after it
    /// has written `events` events; bookmarks do not count.
    public func closeWatches(afterEvents events: Int, resource: String? = nil) {
        state.withLock { $0.watchLimits.append(WatchLimit(events: max(0, events), resource: resource)) }
    }

    public func clearWatchLimits() {
        state.withLock { $0.watchLimits.removeAll() }
    }

    /// Delays every matching request by `delay` before it is served.
    public func setLatency(_ delay: Duration, verb: String? = nil, resource: String? = nil) {
        state.withLock { $0.latencies.append(Latency(delay: delay, verb: verb, resource: resource)) }
    }

    public func clearLatency() {
        state.withLock { $0.latencies.removeAll() }
    }

    /// Clears every fault.
    public func reset() {
        state.withLock { $0 = State() }
    }

    // MARK: - Used by the request handler

    /// Consumes one matching failure, if any, as the Status to answer.
    func takeFailure(verb: String, entry: RequestLog.Entry) -> (Status, retryAfter: Int?)? {
        state.withLock { state -> (Status, retryAfter: Int?)? in
            guard let index = state.failures.firstIndex(where: { failure in
                (failure.verb.map { $0 == verb } ?? true) && (failure.resource.map { entry.matches(resource: $0) } ?? true)
            }) else { return nil }
            let failure = state.failures[index]
            state.failures[index].remaining -= 1
            if state.failures[index].remaining <= 0 { state.failures.remove(at: index) }
            let reason = APIErrors.reason(forCode: failure.status)
            let retryAfter = failure.status == 429 ? (failure.retryAfterSeconds ?? 1) : failure.retryAfterSeconds
            var status = Status(code: failure.status, reason: reason, message: "injected fault: \(reason) (\(failure.status))")
            if let retryAfter { status.details = StatusDetails(retryAfterSeconds: retryAfter) }
            return (status, retryAfter)
        }
    }

    func watchEventLimit(for entry: RequestLog.Entry) -> Int? {
        state.withLock { state in
            state.watchLimits.filter { limit in limit.resource.map { entry.matches(resource: $0) } ?? true }
                .map(\.events).min()
        }
    }

    func latency(verb: String, entry: RequestLog.Entry) -> Duration {
        state.withLock { state in
            state.latencies.filter { latency in
                (latency.verb.map { $0 == verb } ?? true) && (latency.resource.map { entry.matches(resource: $0) } ?? true)
            }.map(\.delay).max() ?? .zero
        }
    }
}
