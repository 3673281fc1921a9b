import NIOCore

extension TimeAmount {
    /// A Swift `Duration` as NIO's nanosecond count (sub-nanosecond parts dropped): deadlines
    /// and timers handed to NIO, latencies recorded in nanoseconds.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension Double {
    /// `2`, `0.5`: no trailing `.0` for whole numbers (figures in error messages).
    var plainText: String {
        self == rounded() ? String(Int(self)) : String(self)
    }
}

extension Duration {
    /// The duration in seconds, as a `Double` (rates and `Retry-After`).
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
