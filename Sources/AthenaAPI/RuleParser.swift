import Foundation

/// Recursive-descent parser over the tokens of one routing rule (see `RoutingRule` for the
/// grammar). Every error names the column and what was expected.
struct RuleParser {
    let source: String
    let tokens: [RuleToken]
    private var position = 0
    private var depth = 0

    init(source: String, tokens: [RuleToken]) {
        self.source = source
        self.tokens = tokens
    }

    typealias Expression = RoutingRule.Expression

    private var current: RuleToken { tokens[min(position, tokens.count - 1)] }

    private func fail(_ message: String, at token: RuleToken) -> RoutingRuleError {
        RoutingRuleError(message: message, column: token.column, expression: source)
    }

    private func found(_ token: RuleToken) -> String {
        token.kind == .end ? "the end of the rule" : "'\(token.text)'"
    }

    private mutating func advance() -> RuleToken {
        let token = current
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    mutating func parseRule() throws(RoutingRuleError) -> Expression {
        if current.kind == .end {
            throw fail("empty rule; write e.g. #HEADER_version == '1.0.0'", at: current)
        }
        let expression = try parseOr()
        guard current.kind == .end else {
            throw fail("unexpected \(found(current)) after a complete condition; combine conditions with && or ||",
                at: current)
        }
        return expression
    }

    private mutating func parseOr() throws(RoutingRuleError) -> Expression {
        var left = try parseAnd()
        while current.kind == .op("||") {
            _ = advance()
            left = .or(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(RoutingRuleError) -> Expression {
        var left = try parseNot()
        while current.kind == .op("&&") {
            _ = advance()
            left = .and(left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(RoutingRuleError) -> Expression {
        depth += 1
        defer { depth -= 1 }
        guard depth <= RoutingRule.maxDepth else {
            throw fail("rule is nested more than \(RoutingRule.maxDepth) levels deep", at: current)
        }
        let token = current
        switch token.kind {
        case .op("!"):
            _ = advance()
            return .not(try parseNot())
        case .leftParen:
            _ = advance()
            let inner = try parseOr()
            guard current.kind == .rightParen else {
                throw fail("expected ')' to close the '(' at column \(token.column), found \(found(current))",
                    at: current)
            }
            _ = advance()
            return inner
        case .header(let name):
            _ = advance()
            return try parseCondition(header: name, headerToken: token)
        default:
            throw fail("expected a condition starting with #HEADER_<name>, '(' or '!', found \(found(token))",
                at: token)
        }
    }

    private mutating func parseCondition(header name: String, headerToken: RuleToken) throws(RoutingRuleError)
        -> Expression
    {
        let token = advance()
        switch token.kind {
        case .op("=="): return .equals(header: name, value: try parseString(after: "=="))
        case .op("!="): return .notEquals(header: name, value: try parseString(after: "!="))
        case .word("matches"):
            let patternToken = current
            let text = try parseString(after: "matches")
            return .matches(header: name, pattern: try compile(text, at: patternToken))
        case .hashCode:
            return try parseHashBucket(header: name)
        default:
            throw fail(
                "expected '==', '!=', 'matches' or '.hashCode()' after '\(headerToken.text)', found \(found(token))",
                at: token)
        }
    }

    private mutating func parseHashBucket(header name: String) throws(RoutingRuleError) -> Expression {
        let percent = advance()
        guard percent.kind == .op("%") else {
            throw fail("expected '%' after '.hashCode()', e.g. .hashCode() % 100 < 10, found \(found(percent))",
                at: percent)
        }
        let modulusToken = advance()
        guard case .int(let modulus) = modulusToken.kind else {
            throw fail("expected an integer after '%', found \(found(modulusToken))", at: modulusToken)
        }
        guard modulus > 0 else { throw fail("the modulus must be greater than 0", at: modulusToken) }
        let comparisonToken = advance()
        guard case .op(let op) = comparisonToken.kind, let comparison = RoutingRule.Comparison(rawValue: op) else {
            throw fail("expected a comparison (<, <=, >, >=, ==, !=) after '% \(modulus)', found \(found(comparisonToken))",
                at: comparisonToken)
        }
        let boundToken = advance()
        guard case .int(let bound) = boundToken.kind else {
            throw fail("expected an integer after '\(op)', found \(found(boundToken))", at: boundToken)
        }
        return .hashBucket(header: name, modulus: modulus, comparison: comparison, bound: bound)
    }

    private mutating func parseString(after op: String) throws(RoutingRuleError) -> String {
        let token = advance()
        guard case .string(let value) = token.kind else {
            throw fail("expected a quoted string after '\(op)', e.g. '1.0.0', found \(found(token))", at: token)
        }
        return value
    }

    private func compile(_ text: String, at token: RuleToken) throws(RoutingRuleError) -> RoutingRule.Pattern {
        do {
            _ = try NSRegularExpression(pattern: text)
            let whole = try NSRegularExpression(pattern: "\\A(?:" + text + ")\\z")
            return RoutingRule.Pattern(text: text, regex: whole)
        } catch {
            throw fail("invalid regular expression '\(text)'", at: token)
        }
    }
}
