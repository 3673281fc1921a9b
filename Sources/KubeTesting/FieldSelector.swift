import Foundation
import KubeModel

/// A parsed `fieldSelector` query parameter: `path=value`, `path==value` or `path!=value` terms
/// joined by commas.
///
/// The real server allows a per-kind list of fields; this one accepts `metadata.name`,
/// `metadata.namespace` and any other dotted path into the object (e.g. `status.phase`,
/// `involvedObject.name`), compared as strings.
struct FieldSelector: Sendable, Hashable {
    struct Term: Sendable, Hashable {
        var path: [String]
        var value: String
        var negated: Bool
    }

    var terms: [Term]

    static let everything = FieldSelector(terms: [])

    init(terms: [Term]) {
        self.terms = terms
    }

    struct ParseError: Error, Sendable {
        var message: String
    }

    init(parsing text: String) throws(ParseError) {
        var terms: [Term] = []
        for part in text.split(separator: ",") {
            let term = String(part).trimmingCharacters(in: .whitespaces)
            var parsed: Term?
            for (token, negated) in [("!=", true), ("==", false), ("=", false)] {
                if let range = term.range(of: token) {
                    let path = term[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                    let value = term[range.upperBound...].trimmingCharacters(in: .whitespaces)
                    guard !path.isEmpty else { break }
                    parsed = Term(path: path.split(separator: ".").map(String.init), value: value, negated: negated)
                    break
                }
            }
            guard let parsed else {
                throw ParseError(message: "invalid field selector \"\(text)\": \"\(term)\" is not field=value or field!=value")
            }
            terms.append(parsed)
        }
        self.terms = terms
    }

    func matches(_ object: JSONValue) -> Bool {
        terms.allSatisfy { term in
            let actual: String
            switch object[path: term.path] {
            case .string(let s): actual = s
            case .number(let n): actual = n.rounded() == n ? String(Int(n)) : String(n)
            case .bool(let b): actual = String(b)
            default: actual = ""
            }
            return (actual == term.value) != term.negated
        }
    }
}
