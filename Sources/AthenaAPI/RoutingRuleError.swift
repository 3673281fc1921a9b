/// Why a routing rule did not parse, with the 1-based column where the problem starts.
public struct RoutingRuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// 1-based character column in `expression`.
    public var column: Int
    /// The rule text.
    public var expression: String

    public init(message: String, column: Int, expression: String) {
        self.message = message
        self.column = column
        self.expression = expression
    }

    /// `column 12: expected '==' …`.
    public var description: String { "column \(column): \(message)" }

    /// The rule with a caret under the offending column, for CLIs and logs.
    public var pointer: String {
        expression + "\n" + String(repeating: " ", count: max(column - 1, 0)) + "^"
    }
}
