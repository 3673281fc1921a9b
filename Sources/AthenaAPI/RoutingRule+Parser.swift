import Foundation

extension RoutingRule {
    /// The longest rule accepted, and the deepest nesting: rules are small, and bounds keep a
    /// hostile spec from exhausting the stack.
    public static let maxLength = 4096
    static let maxDepth = 64

    /// Parses `source`, or throws an error naming the column and what was expected there.
    public init(parsing source: String) throws(RoutingRuleError) {
        guard source.count <= Self.maxLength else {
            throw RoutingRuleError(
                message: "rule is \(source.count) characters long; at most \(Self.maxLength) are allowed",
                column: Self.maxLength + 1, expression: source)
        }
        var lexer = RuleLexer(source)
        let tokens = try lexer.tokens()
        var parser = RuleParser(source: source, tokens: tokens)
        self.source = source
        self.expression = try parser.parseRule()
    }

    /// `RoutingRule(parsing:)` as a static function, for call sites that read better that way.
    public static func parse(_ source: String) throws(RoutingRuleError) -> RoutingRule {
        try RoutingRule(parsing: source)
    }
}
