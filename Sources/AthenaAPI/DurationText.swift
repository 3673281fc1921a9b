/// Durations written the Kubernetes/Go way (`90s`, `30m`, `1h30m`, `1.5h`), as used by
/// `autoStop.after`.
public enum DurationText {
    /// Why a duration did not parse.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        public var description: String { message }
    }

    private static let units: [Character: Double] = ["h": 3600, "m": 60, "s": 1]

    /// The duration in seconds. Each part is a decimal number followed by `h`, `m` or `s`.
    public static func parseSeconds(_ text: String) throws(ParseError) -> Double {
        guard !text.isEmpty else { throw ParseError(message: "empty duration; write e.g. \"1h\" or \"30m\"") }
        var total = 0.0
        var number = ""
        for character in text {
            if character.isASCII && (character.isNumber || character == ".") {
                number.append(character)
            } else if let unit = units[character] {
                guard let value = Double(number), !number.hasPrefix("."), number.filter({ $0 == "." }).count <= 1 else {
                    throw ParseError(message: "duration \"\(text)\": expected a number before '\(character)'")
                }
                total += value * unit
                number = ""
            } else {
                throw ParseError(
                    message: "duration \"\(text)\": unknown unit '\(character)' (use h, m or s, e.g. \"1h30m\")")
            }
        }
        guard number.isEmpty else {
            throw ParseError(message: "duration \"\(text)\": missing unit after \"\(number)\" (use h, m or s)")
        }
        return total
    }
}

extension DurationText {
    /// Whole seconds written back the same way (`5400` → `1h30m`, `90` → `1m30s`, `0` → `0s`),
    /// for messages.
    public static func format(_ seconds: Double) -> String {
        var left = Int(min(max(seconds, 0), 1e15).rounded())
        guard left > 0 else { return "0s" }
        var text = ""
        for (unit, size) in [("h", 3600), ("m", 60), ("s", 1)] where left >= size {
            text += "\(left / size)\(unit)"
            left %= size
        }
        return text
    }
}
