/// Exponential backoff for reconnect loops, reset once a connection has proven healthy.
///
/// Pure value: the reflector asks for the next delay after each failure and calls ``reset()``
/// after a watch that lasted at least ``healthyAfter`` or delivered events, so one bad minute
/// does not slow down every later reconnect (client-go's reflector backoff manager).
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var factor: Double
    /// A connection this long-lived counts as healthy and resets the backoff.
    public var healthyAfter: Duration
    public private(set) var failures = 0

    public init(
        initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), factor: Double = 2,
        healthyAfter: Duration = .seconds(60)
    ) {
        self.initial = initial
        self.maximum = maximum
        self.factor = max(1, factor)
        self.healthyAfter = healthyAfter
    }

    /// The delay before the next attempt (initial, initial·factor, ... capped at maximum).
    public mutating func nextDelay() -> Duration {
        let seconds = initial / .seconds(1) * Foundation_pow(factor, Double(failures))
        failures += 1
        let capped = min(seconds, maximum / .seconds(1))
        return .nanoseconds(Int64(capped * 1e9))
    }

    public mutating func reset() { failures = 0 }

    private func Foundation_pow(_ base: Double, _ exponent: Double) -> Double {
        // Repeated multiplication, capped early: avoids importing Foundation for one function.
        var result = 1.0
        var n = 0
        while Double(n) < exponent, result < 1e12 {
            result *= base
            n += 1
        }
        return result
    }
}
