import Foundation

/// Ages as `kubectl get` prints them (`5s`, `3m20s`, `2d4h`), the same rounding as Kubernetes'
/// `duration.HumanDuration`.
enum HumanDuration {
    static func since(_ timestamp: String?, now: Date = Date()) -> String {
        guard let timestamp, let date = try? Date(timestamp, strategy: .iso8601) else { return "<unknown>" }
        return format(now.timeIntervalSince(date))
    }

    static func format(_ interval: TimeInterval) -> String {
        let seconds = Int(interval.rounded(.down))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let d = (hours / 24) % 365
            return d == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(d)d"
        }
        return "\(hours / 24 / 365)y"
    }
}
