/// How fast failed keys come back: per-key exponential backoff plus a global token bucket,
/// the defaults of client-go's `DefaultControllerRateLimiter` (5 ms → 1000 s, 10 qps, burst 100).
public struct WorkQueueRateLimit: Sendable, Hashable {
    /// Delay after the first failure; doubles with each further failure of the same key.
    public var baseDelay: Duration
    /// Ceiling of the per-key delay.
    public var maxDelay: Duration
    /// Sustained rate of rate-limited re-adds over all keys (0 disables the bucket).
    public var qps: Double
    /// How many rate-limited re-adds may happen at once before `qps` applies.
    public var burst: Int

    public init(
        baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(1000), qps: Double = 10,
        burst: Int = 100
    ) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.qps = qps
        self.burst = burst
    }

    public static let `default` = WorkQueueRateLimit()
}
