import Foundation

/// A parsed personalised routing rule (ModelArts syntax), evaluated against request headers by the
/// gateway and checked by the operator before anything is deployed.
///
/// Grammar (whitespace between tokens is free):
/// ```
/// rule      := or
/// or        := and ( "||" and )*
/// and       := not ( "&&" not )*
/// not       := "!" not | "(" or ")" | condition
/// condition := header ( "==" string | "!=" string | "matches" string
///                     | ".hashCode()" "%" int compare int )
/// header    := "#HEADER_" name          name := [A-Za-z0-9_-]+
/// compare   := "<" | "<=" | ">" | ">=" | "==" | "!="
/// string    := '…' | "…"                (backslash escapes the quote and itself)
/// ```
/// Semantics:
/// - header names match case-insensitively; `#HEADER_x_user` also finds `x-user` when no
///   `x_user` header is present (proxies often drop underscores);
/// - `matches` is a whole-value match (like Java's `String.matches`), ICU regex syntax;
/// - `.hashCode()` is Java's `String.hashCode` (UTF-16, 32-bit wrapping) so buckets agree with
///   ModelArts, but `%` is floored (always 0…m-1) so `% 100 < 10` is exactly 10 % of users;
/// - a missing header satisfies only `!=`.
public struct RoutingRule: Sendable, Hashable, CustomStringConvertible {
    /// The rule's text as written.
    public let source: String
    /// The syntax tree.
    public let expression: Expression

    /// A node of the syntax tree.
    public indirect enum Expression: Sendable, Hashable {
        case or(Expression, Expression)
        case and(Expression, Expression)
        case not(Expression)
        case equals(header: String, value: String)
        case notEquals(header: String, value: String)
        case matches(header: String, pattern: Pattern)
        case hashBucket(header: String, modulus: Int, comparison: Comparison, bound: Int)
    }

    /// A comparison of a hash bucket with a bound.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case equal = "==", notEqual = "!="

        func holds(_ lhs: Int, _ rhs: Int) -> Bool {
            switch self {
            case .less: lhs < rhs
            case .lessOrEqual: lhs <= rhs
            case .greater: lhs > rhs
            case .greaterOrEqual: lhs >= rhs
            case .equal: lhs == rhs
            case .notEqual: lhs != rhs
            }
        }
    }

    /// A compiled regular expression, compared by its text.
    public struct Pattern: Sendable, Hashable {
        /// The pattern as written.
        public let text: String
        private let regex: SendableRegex

        /// `regex` must be the pattern wrapped as `\A(?:text)\z`, so a match is a whole-value match.
        init(text: String, regex: NSRegularExpression) {
            self.text = text
            self.regex = SendableRegex(regex: regex)
        }

        /// Whether the whole of `value` matches.
        public func matchesWhole(_ value: String) -> Bool {
            let range = NSRange(value.startIndex..<value.endIndex, in: value)
            return regex.regex.firstMatch(in: value, options: [], range: range) != nil
        }

        public static func == (lhs: Pattern, rhs: Pattern) -> Bool { lhs.text == rhs.text }
        public func hash(into hasher: inout Hasher) { hasher.combine(text) }
    }

    public var description: String { source }

    /// Every header name the rule reads (lower-cased), e.g. for the gateway to log or document.
    public var headerNames: Set<String> {
        var names = Set<String>()
        func walk(_ e: Expression) {
            switch e {
            case .or(let l, let r), .and(let l, let r):
                walk(l)
                walk(r)
            case .not(let inner): walk(inner)
            case .equals(let h, _), .notEquals(let h, _), .matches(let h, _), .hashBucket(let h, _, _, _):
                names.insert(h.lowercased())
            }
        }
        walk(expression)
        return names
    }

    // MARK: - Evaluation

    /// Whether a request with these headers matches. `header` returns a header's value given its
    /// name as written in the rule; use `evaluate(headers:)` for a dictionary.
    public func evaluate(_ header: (String) -> String?) -> Bool {
        Self.evaluate(expression, header)
    }

    /// Whether a request with these headers matches (names compared case-insensitively).
    public func evaluate(headers: [String: String]) -> Bool {
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        return evaluate { name in
            let key = name.lowercased()
            return lowered[key] ?? lowered[key.replacingOccurrences(of: "_", with: "-")]
        }
    }

    private static func evaluate(_ e: Expression, _ header: (String) -> String?) -> Bool {
        switch e {
        case .or(let l, let r): return evaluate(l, header) || evaluate(r, header)
        case .and(let l, let r): return evaluate(l, header) && evaluate(r, header)
        case .not(let inner): return !evaluate(inner, header)
        case .equals(let name, let value): return header(name) == value
        case .notEquals(let name, let value): return header(name) != value
        case .matches(let name, let pattern):
            guard let value = header(name) else { return false }
            return pattern.matchesWhole(value)
        case .hashBucket(let name, let modulus, let comparison, let bound):
            guard let value = header(name) else { return false }
            return comparison.holds(bucket(of: value, modulus: modulus), bound)
        }
    }

    /// Java's `String.hashCode()`: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping
    /// at 32 bits.
    public static func javaHashCode(_ s: String) -> Int32 {
        var h: Int32 = 0
        for unit in s.utf16 { h = h &* 31 &+ Int32(unit) }
        return h
    }

    /// The floored remainder of the Java hash code: always in `0..<modulus`.
    public static func bucket(of value: String, modulus: Int) -> Int {
        let m = Int64(max(modulus, 1))
        let r = Int64(javaHashCode(value)) % m
        return Int(r < 0 ? r + m : r)
    }
}

/// `NSRegularExpression` is immutable and documented thread-safe; this box says so to the
/// compiler.
private struct SendableRegex: @unchecked Sendable {
    let regex: NSRegularExpression
}
