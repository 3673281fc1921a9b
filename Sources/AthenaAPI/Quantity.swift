/// A Kubernetes resource quantity such as `500m`, `2`, `1.5Gi` or `1e3`, kept as the text the
/// user wrote so it round-trips unchanged into a Deployment.
///
/// Decodes from a string or an integer (YAML `cpu: 2`), like the CRD's `int-or-string` schema; a
/// fractional number (`cpu: 0.5`) is rejected, as the API server does, because its text is
/// ambiguous — write `"500m"` or `"0.5"`.
public struct Quantity: Codable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The quantity as written.
    public var text: String

    public init(_ text: String) { self.text = text }
    public init(stringLiteral value: String) { text = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let i = try? container.decode(Int.self) {
            text = String(i)
        } else if let s = try? container.decode(String.self) {
            text = s
        } else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "a quantity must be a string such as \"500m\" or \"1Gi\", or an integer")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public var description: String { text }

    /// The amount in base units (cores, bytes), or `nil` when the text is not a valid quantity.
    public var value: Double? { Quantity.parse(text) }

    /// Whether the text follows the Kubernetes quantity grammar
    /// (`<sign><number><suffix>`, suffix one of `Ki Mi Gi Ti Pi Ei n u m k M G T P E` or `e<exp>`).
    public var isValid: Bool { value != nil }

    // MARK: - Parsing

    private static let binarySuffixes: [String: Double] = [
        "Ki": 0x1p10, "Mi": 0x1p20, "Gi": 0x1p30, "Ti": 0x1p40, "Pi": 0x1p50, "Ei": 0x1p60,
    ]
    private static let decimalSuffixes: [String: Double] = [
        "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    ]

    static func parse(_ text: String) -> Double? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.first == "+" || rest.first == "-" {
            if rest.first == "-" { sign = -1 }
            rest = rest.dropFirst()
        }
        let numberEnd = rest.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? rest.endIndex
        let number = rest[..<numberEnd]
        let suffix = String(rest[numberEnd...])
        guard isDecimal(number), let magnitude = Double(number) else { return nil }
        if let factor = binarySuffixes[suffix] ?? decimalSuffixes[suffix] {
            return sign * magnitude * factor
        }
        guard let first = suffix.first, first == "e" || first == "E" else { return nil }
        var exponent = suffix.dropFirst()
        var expSign = 1.0
        if exponent.first == "+" || exponent.first == "-" {
            if exponent.first == "-" { expSign = -1 }
            exponent = exponent.dropFirst()
        }
        guard isDecimal(exponent), let e = Double(exponent) else { return nil }
        return sign * magnitude * pow10(expSign * e)
    }

    /// `123`, `1.5`, `1.`, `.5` — digits with at most one dot and at least one digit.
    private static func isDecimal(_ s: Substring) -> Bool {
        let dots = s.filter { $0 == "." }.count
        let digits = s.filter { $0.isASCII && $0.isNumber }.count
        return dots <= 1 && digits >= 1 && digits + dots == s.count
    }

    private static func pow10(_ e: Double) -> Double {
        var result = 1.0
        let steps = Int(min(abs(e), 400))
        for _ in 0..<steps { result = e < 0 ? result / 10 : result * 10 }
        return result
    }
}
