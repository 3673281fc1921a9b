import Foundation

/// A parsed `labelSelector` query parameter: requirements joined by commas, all of which must hold.
///
/// Supports the full string syntax of the real server: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
/// `k notin (a,b)`, `k` (exists) and `!k` (does not exist).
struct LabelSelector: Sendable, Hashable {
    enum Operator: Sendable, Hashable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist
    }

    struct Requirement: Sendable, Hashable {
        var key: String
        var op: Operator
        var values: [String]

        func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .equals: return value == values.first
            case .notEquals: return value != values.first
            case .in: return value.map { values.contains($0) } ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }
    }

    var requirements: [Requirement]

    static let everything = LabelSelector(requirements: [])

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    // MARK: - Parsing

    struct ParseError: Error, Sendable {
        var message: String
    }

    /// Parses the selector; an empty string selects everything.
    init(parsing text: String) throws(ParseError) {
        var requirements: [Requirement] = []
        for part in Self.splitTopLevel(text) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                throw ParseError(message: "invalid label selector \"\(text)\": empty requirement")
            }
            requirements.append(try Self.parseRequirement(trimmed, in: text))
        }
        self.requirements = requirements
    }

    init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    /// Splits on commas that are not inside `( )`.
    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: parts.append(current); current = ""
            default: current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    private static func parseRequirement(_ text: String, in whole: String) throws(ParseError) -> Requirement {
        func fail(_ why: String) -> ParseError {
            ParseError(message: "unable to parse requirement \"\(text)\" of label selector \"\(whole)\": \(why)")
        }
        if text.hasPrefix("!") {
            let key = String(text.dropFirst()).trimmingCharacters(in: .whitespaces)
            try checkKey(key, fail)
            return Requirement(key: key, op: .doesNotExist, values: [])
        }
        for (token, op) in [("!=", Operator.notEquals), ("==", .equals), ("=", .equals)] {
            if let range = text.range(of: token) {
                let key = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
                try checkKey(key, fail)
                try checkValue(value, fail)
                return Requirement(key: key, op: op, values: [value])
            }
        }
        let words = text.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let key = words[0]
            let rest = words[1].trimmingCharacters(in: .whitespaces)
            let op: Operator
            let setText: Substring
            if rest.hasPrefix("notin") {
                op = .notIn
                setText = rest.dropFirst(5)
            } else if rest.hasPrefix("in") {
                op = .in
                setText = rest.dropFirst(2)
            } else {
                throw fail("expected one of =, ==, !=, in, notin after the key")
            }
            let set = setText.trimmingCharacters(in: .whitespaces)
            guard set.hasPrefix("("), set.hasSuffix(")") else { throw fail("a set must be written (a,b)") }
            let values = set.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            for value in values { try checkValue(value, fail) }
            try checkKey(key, fail)
            return Requirement(key: key, op: op, values: values)
        }
        try checkKey(text, fail)
        return Requirement(key: text, op: .exists, values: [])
    }

    private static func checkKey(_ key: String, _ fail: (String) -> ParseError) throws(ParseError) {
        guard !key.isEmpty, key.count <= 317,
            key.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) })
        else { throw fail("invalid label key \"\(key)\"") }
    }

    private static func checkValue(_ value: String, _ fail: (String) -> ParseError) throws(ParseError) {
        guard value.count <= 63, value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw fail("invalid label value \"\(value)\"")
        }
    }
}
