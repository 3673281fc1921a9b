import AthenaAPI
import Testing

@Suite("Routing rules")
struct RoutingRuleTests {
    struct Case: Sendable, CustomStringConvertible {
        var rule: String
        var headers: [String: String]
        var matches: Bool
        var description: String { "\(rule) with \(headers)" }
    }

    static let evaluations: [Case] = [
        Case(rule: "#HEADER_version == '0.0.1'", headers: ["version": "0.0.1"], matches: true),
        Case(rule: "#HEADER_version == '0.0.1'", headers: ["Version": "0.0.1"], matches: true),
        Case(rule: "#HEADER_version == '0.0.1'", headers: ["version": "0.0.2"], matches: false),
        Case(rule: "#HEADER_version == '0.0.1'", headers: [:], matches: false),
        Case(rule: "#HEADER_version != '0.0.1'", headers: [:], matches: true),
        Case(rule: "#HEADER_version != '0.0.1'", headers: ["version": "0.0.1"], matches: false),
        Case(rule: "#HEADER_x matches 'beta|canary'", headers: ["x": "canary"], matches: true),
        Case(rule: "#HEADER_x matches 'beta|canary'", headers: ["x": "canary-2"], matches: false),
        Case(rule: "#HEADER_x matches 'a|ab'", headers: ["x": "ab"], matches: true),
        Case(rule: #"#HEADER_x matches '\d+'"#, headers: ["x": "123"], matches: true),
        Case(rule: #"#HEADER_x matches '\d+'"#, headers: ["x": "12a"], matches: false),
        Case(rule: "#HEADER_x matches '.*'", headers: [:], matches: false),
        Case(rule: "#HEADER_x_user == 'a'", headers: ["X-User": "a"], matches: true),
        Case(rule: "#HEADER_a == '1' && #HEADER_b == '2'", headers: ["a": "1", "b": "2"], matches: true),
        Case(rule: "#HEADER_a == '1' && #HEADER_b == '2'", headers: ["a": "1"], matches: false),
        Case(rule: "#HEADER_a == '1' || #HEADER_b == '2'", headers: ["b": "2"], matches: true),
        Case(rule: "#HEADER_a == '1' || #HEADER_b == '2' && #HEADER_c == '3'", headers: ["a": "1"], matches: true),
        Case(rule: "(#HEADER_a == '1' || #HEADER_b == '2') && #HEADER_c == '3'", headers: ["a": "1"], matches: false),
        Case(rule: "!(#HEADER_a == '1')", headers: ["a": "2"], matches: true),
        Case(rule: #"#HEADER_q == 'it\'s'"#, headers: ["q": "it's"], matches: true),
        Case(rule: #"#HEADER_q == "double""#, headers: ["q": "double"], matches: true),
        // Java "a".hashCode() = 97 → 97 % 100 = 97.
        Case(rule: "#HEADER_uid.hashCode() % 100 == 97", headers: ["uid": "a"], matches: true),
        Case(rule: "#HEADER_uid.hashCode() % 100 < 10", headers: ["uid": "a"], matches: false),
        Case(rule: "#HEADER_uid.hashCode() % 100 >= 90", headers: ["uid": "a"], matches: true),
        Case(rule: "#HEADER_uid.hashCode() % 100 < 100", headers: [:], matches: false),
    ]

    @Test("evaluation", arguments: evaluations)
    func evaluates(c: Case) throws {
        let rule = try RoutingRule.parse(c.rule)
        #expect(rule.evaluate(headers: c.headers) == c.matches)
    }

    struct Failure: Sendable, CustomStringConvertible {
        var rule: String
        var column: Int
        var message: String
        var description: String { rule }
    }

    static let failures: [Failure] = [
        Failure(rule: "", column: 1, message: "empty rule"),
        Failure(rule: "#HEADER_version = '1'", column: 17, message: "use '=='"),
        Failure(rule: "#header_version == '1'", column: 1, message: "expected '#HEADER_<name>'"),
        Failure(rule: "#HEADER_ == '1'", column: 9, message: "expected a header name"),
        Failure(rule: "#HEADER_v == 1", column: 14, message: "expected a quoted string"),
        Failure(rule: "#HEADER_v == '1", column: 14, message: "unterminated string"),
        Failure(rule: "#HEADER_v is '1'", column: 11, message: "expected '==', '!=', 'matches' or '.hashCode()'"),
        Failure(rule: "#HEADER_v == '1' & #HEADER_w == '2'", column: 18, message: "use '&&'"),
        Failure(rule: "#HEADER_v == '1' #HEADER_w == '2'", column: 18, message: "combine conditions"),
        Failure(rule: "(#HEADER_v == '1'", column: 18, message: "expected ')' to close the '(' at column 1"),
        Failure(rule: "#HEADER_v matches '(('", column: 19, message: "invalid regular expression"),
        Failure(rule: "#HEADER_v.hash() % 10 < 1", column: 10, message: "expected '.hashCode()'"),
        Failure(rule: "#HEADER_v.hashCode() < 10", column: 22, message: "expected '%'"),
        Failure(rule: "#HEADER_v.hashCode() % 0 < 1", column: 24, message: "greater than 0"),
        Failure(rule: "#HEADER_v.hashCode() % 100 ~ 1", column: 28, message: "unexpected character '~'"),
        Failure(rule: "#HEADER_v.hashCode() % 100 < x", column: 30, message: "expected an integer"),
        Failure(rule: "#HEADER_v == '1' &&", column: 20, message: "found the end of the rule"),
        Failure(rule: String(repeating: "(", count: 100) + "#HEADER_v == '1'" + String(repeating: ")", count: 100),
            column: 65, message: "nested more than"),
    ]

    @Test("parse errors name the column and what was expected", arguments: failures)
    func rejects(f: Failure) {
        do {
            let rule = try RoutingRule.parse(f.rule)
            Issue.record("parsed \(rule) but expected an error")
        } catch {
            #expect(error.column == f.column, "\(error)")
            #expect(error.message.contains(f.message), "\(error)")
            #expect(error.description.hasPrefix("column \(error.column): "))
            #expect(error.pointer.hasSuffix(String(repeating: " ", count: f.column - 1) + "^"))
        }
    }

    @Test("Java hashCode compatibility and floored buckets")
    func javaHashCode() {
        #expect(RoutingRule.javaHashCode("") == 0)
        #expect(RoutingRule.javaHashCode("a") == 97)
        #expect(RoutingRule.javaHashCode("hello") == 99_162_322)
        // Overflows 32 bits: Java gives -1_097_262_386 for "polygenelubricants"... and a negative hash.
        let h = RoutingRule.javaHashCode("polygenelubricants")
        #expect(h == Int32.min)
        #expect(RoutingRule.bucket(of: "polygenelubricants", modulus: 100) == 52)
        for user in (0..<500).map({ "user-\($0)" }) {
            #expect((0..<100).contains(RoutingRule.bucket(of: user, modulus: 100)))
        }
    }

    @Test("a bucket rule selects about the declared share of users")
    func bucketShare() throws {
        let rule = try RoutingRule.parse("#HEADER_uid.hashCode() % 100 < 10")
        let hits = (0..<10_000).filter { rule.evaluate(headers: ["uid": "user-\($0)"]) }.count
        #expect((800...1200).contains(hits), "\(hits) of 10000")
    }

    @Test("header names and description")
    func introspection() throws {
        let rule = try RoutingRule.parse("#HEADER_A == '1' || !(#HEADER_b matches 'x') && #HEADER_C.hashCode() % 10 < 3")
        #expect(rule.headerNames == ["a", "b", "c"])
        #expect(rule.description == rule.source)
        #expect(try RoutingRule.parse("#HEADER_a == '1'") == RoutingRule.parse("#HEADER_a == '1'"))
    }
}
