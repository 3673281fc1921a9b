import Metrics

/// The controller's metrics under controller-runtime's names, so existing dashboards work:
/// `controller_runtime_reconcile_total{controller,result}`,
/// `controller_runtime_reconcile_errors_total{controller}`,
/// `controller_runtime_reconcile_time_seconds{controller}`.
struct ControllerMetrics: Sendable {
    enum Result: String, CaseIterable, Sendable {
        case success, error, requeueAfter = "requeue_after", terminalError = "terminal_error"
    }

    private let totals: [Result: Counter]
    private let errors: Counter
    private let duration: Timer

    init(controller: String, factory: any MetricsFactory) {
        var totals: [Result: Counter] = [:]
        for result in Result.allCases {
            totals[result] = Counter(
                label: "controller_runtime_reconcile_total",
                dimensions: [("controller", controller), ("result", result.rawValue)], factory: factory)
        }
        self.totals = totals
        errors = Counter(
            label: "controller_runtime_reconcile_errors_total", dimensions: [("controller", controller)],
            factory: factory)
        duration = Timer(
            label: "controller_runtime_reconcile_time_seconds", dimensions: [("controller", controller)],
            preferredDisplayUnit: .seconds, factory: factory)
    }

    func record(_ result: Result, duration elapsed: Duration) {
        totals[result]?.increment()
        if result == .error || result == .terminalError { errors.increment() }
        duration.recordNanoseconds(Int64(elapsed / .nanoseconds(1)))
    }
}
