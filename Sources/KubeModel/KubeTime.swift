import Foundation

/// Kubernetes time strings: `Time` is RFC3339 in whole seconds (`2026-11-21T23:00:00Z`),
/// `MicroTime` has six fractional digits (`2026-11-21T23:00:00.123456Z`). Always UTC.
public enum KubeTime {
    /// `metav1.Time`: whole seconds.
    public static func time(_ date: Date) -> String {
        let (base, _) = split(date)
        return base + "Z"
    }

    /// `metav1.MicroTime`: microseconds, as Lease and `eventTime` require.
    public static func microTime(_ date: Date) -> String {
        let (base, micros) = split(date)
        return base + "." + String(format: "%06d", micros) + "Z"
    }

    /// Parses either form (and any RFC3339 offset); `nil` when the text is not a timestamp.
    public static func parse(_ text: String) -> Date? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let plain = Date.ISO8601FormatStyle()
        if let date = try? withFraction.parse(text) { return date }
        if let date = try? plain.parse(text) { return date }
        // ISO8601FormatStyle reads at most millisecond fractions on some platforms: retry without the fraction.
        guard let dot = text.firstIndex(of: "."),
            let end = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        else { return nil }
        let fraction = Double("0" + text[dot..<end]) ?? 0
        guard let whole = try? plain.parse(String(text[..<dot]) + String(text[end...])) else { return nil }
        return whole.addingTimeInterval(fraction)
    }

    private static func split(_ date: Date) -> (String, Int) {
        let interval = date.timeIntervalSince1970
        let seconds = interval.rounded(.down)
        let micros = min(999_999, Int(((interval - seconds) * 1_000_000).rounded()))
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let base = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        return (base, micros)
    }
}
