/// Splits a routing rule into tokens, each with its 1-based column.
struct RuleToken: Equatable {
    enum Kind: Equatable {
        case header(String)
        case hashCode
        case op(String)
        case word(String)
        case string(String)
        case int(Int)
        case leftParen, rightParen
        case end
    }

    var kind: Kind
    /// 1-based column of the first character.
    var column: Int
    /// The token as written, for "found …" messages.
    var text: String
}

// MARK: - Lexer

/// The lexer of routing rules: one pass over the characters, errors name the column.
struct RuleLexer {
    private let chars: [Character]
    private let source: String
    private var i = 0

    init(_ source: String) {
        self.source = source
        chars = Array(source)
    }

    private func fail(_ message: String, at index: Int) -> RoutingRuleError {
        RoutingRuleError(message: message, column: index + 1, expression: source)
    }

    private func peek(_ offset: Int = 0) -> Character? {
        i + offset < chars.count ? chars[i + offset] : nil
    }

    private static func isNameCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-")
    }

    mutating func tokens() throws(RoutingRuleError) -> [RuleToken] {
        var result: [RuleToken] = []
        while true {
            while let c = peek(), c.isWhitespace { i += 1 }
            let start = i
            guard let c = peek() else {
                result.append(RuleToken(kind: .end, column: start + 1, text: "end of rule"))
                return result
            }
            let kind: RuleToken.Kind
            switch c {
            case "#": kind = try header()
            case ".": kind = try hashCode()
            case "(": i += 1; kind = .leftParen
            case ")": i += 1; kind = .rightParen
            case "'", "\"": kind = .string(try string(quote: c))
            case "=", "!", "<", ">":
                if peek(1) == "=" {
                    i += 2
                    kind = .op(String(c) + "=")
                } else if c == "=" {
                    throw fail("found '=', use '==' to compare", at: i)
                } else {
                    i += 1
                    kind = .op(String(c))
                }
            case "&", "|":
                guard peek(1) == c else {
                    throw fail("found '\(c)', use '\(c)\(c)' to combine conditions", at: i)
                }
                i += 2
                kind = .op(String(c) + String(c))
            case "%": i += 1; kind = .op("%")
            default:
                if c.isASCII && c.isNumber {
                    while let d = peek(), d.isASCII && d.isNumber { i += 1 }
                    let text = String(chars[start..<i])
                    guard let value = Int(text), value <= 1_000_000_000 else {
                        throw fail("number \(text) is too large", at: start)
                    }
                    kind = .int(value)
                } else if c.isLetter {
                    while let d = peek(), d.isLetter || d.isNumber || d == "_" { i += 1 }
                    kind = .word(String(chars[start..<i]))
                } else {
                    throw fail("unexpected character '\(c)'", at: i)
                }
            }
            result.append(RuleToken(kind: kind, column: start + 1, text: String(chars[start..<i])))
        }
    }

    private mutating func header() throws(RoutingRuleError) -> RuleToken.Kind {
        let prefix = Array("#HEADER_")
        guard i + prefix.count <= chars.count, Array(chars[i..<i + prefix.count]) == prefix else {
            throw fail("expected '#HEADER_<name>' (upper-case HEADER followed by '_' and the header name)", at: i)
        }
        i += prefix.count
        let nameStart = i
        while let c = peek(), Self.isNameCharacter(c) { i += 1 }
        guard i > nameStart else {
            throw fail("expected a header name after '#HEADER_' (letters, digits, '-' or '_')", at: nameStart)
        }
        return .header(String(chars[nameStart..<i]))
    }

    private mutating func hashCode() throws(RoutingRuleError) -> RuleToken.Kind {
        let call = Array(".hashCode()")
        guard i + call.count <= chars.count, Array(chars[i..<i + call.count]) == call else {
            throw fail("expected '.hashCode()' after the header", at: i)
        }
        i += call.count
        return .hashCode
    }

    private mutating func string(quote: Character) throws(RoutingRuleError) -> String {
        let start = i
        i += 1
        var value = ""
        while let c = peek() {
            i += 1
            if c == quote { return value }
            if c == "\\", let next = peek() {
                i += 1
                if next == quote || next == "\\" {
                    value.append(next)
                } else {
                    // Keep unknown escapes verbatim: regex patterns need `\d`, `\.`.
                    value.append(c)
                    value.append(next)
                }
            } else {
                value.append(c)
            }
        }
        throw fail("unterminated string: no closing \(quote) for the quote here", at: start)
    }
}
