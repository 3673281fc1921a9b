import Synchronization

/// `rateLimit.qps` of a service: a token bucket per gateway replica. Requests beyond it are
/// answered 429 (`rateLimited`, 10429) before anything is decoded or sent to an engine.
///
/// The bucket holds up to `burst` tokens (by default one second's worth, at least 1) and
/// refills at `qps` tokens per second; a request takes one. A bucket, not a fixed window: a
/// window lets 2× the rate through around its edges, and clients see the limit as steady.
final class RateLimiter: Sendable {
    let qps: Double
    let burst: Double
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let bucket: Mutex<Bucket>

    init(qps: Double, burst: Int?, now: ContinuousClock.Instant = .now) {
        self.qps = qps
        self.burst = Self.burst(qps: qps, burst: burst)
        self.bucket = Mutex(Bucket(tokens: self.burst, updated: now))
    }

    /// `burst`, or one second's worth of `qps` (the table caps qps, so this cannot overflow).
    private static func burst(qps: Double, burst: Int?) -> Double {
        Double(max(1, burst ?? Int(min(qps, 1e9).rounded(.up))))
    }

    /// Takes a token if there is one. Otherwise returns how long until the next one (for
    /// `Retry-After`).
    func admit(now: ContinuousClock.Instant = .now) -> Duration? {
        bucket.withLock { bucket in
            let elapsed = now - bucket.updated
            if elapsed > .zero {
                bucket.tokens = min(burst, bucket.tokens + elapsed.seconds * qps)
                bucket.updated = now
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .milliseconds(Int64(min((1 - bucket.tokens) / qps * 1000, 86_400_000).rounded(.up)))
        }
    }

    /// The same limit: a reloaded table keeps the bucket (and its state) when `rateLimit` did not change.
    func hasLimits(qps: Double, burst: Int?) -> Bool {
        self.qps == qps && self.burst == Self.burst(qps: qps, burst: burst)
    }
}
