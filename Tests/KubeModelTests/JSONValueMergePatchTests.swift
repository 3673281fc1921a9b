import Foundation
import KubeModel
import Testing

@Suite("JSON merge patch (RFC 7386)")
struct JSONValueMergePatchTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var target: JSONValue
        var patch: JSONValue
        var expected: JSONValue
        var testDescription: String { "\(patch)" }
    }

    // The examples of RFC 7386 appendix A, plus nested-object cases a status patch produces.
    static let cases: [Case] = [
        Case(target: ["a": "b"], patch: ["a": "c"], expected: ["a": "c"]),
        Case(target: ["a": "b"], patch: ["b": "c"], expected: ["a": "b", "b": "c"]),
        Case(target: ["a": "b"], patch: ["a": nil], expected: [:]),
        Case(target: ["a": "b", "b": "c"], patch: ["a": nil], expected: ["b": "c"]),
        Case(target: ["a": ["b"]], patch: ["a": "c"], expected: ["a": "c"]),
        Case(target: ["a": "c"], patch: ["a": ["b"]], expected: ["a": ["b"]]),
        Case(target: ["a": ["b": "c"]], patch: ["a": ["b": "d", "c": nil]], expected: ["a": ["b": "d"]]),
        Case(target: ["a": [["b": "c"]]], patch: ["a": [1]], expected: ["a": [1]]),
        Case(target: ["a", "b"], patch: ["c", "d"], expected: ["c", "d"]),
        Case(target: ["a": "b"], patch: ["c"], expected: ["c"]),
        Case(target: ["a": "foo"], patch: nil, expected: nil),
        Case(target: ["a": "foo"], patch: "bar", expected: "bar"),
        Case(target: ["e": nil], patch: ["a": 1], expected: ["e": nil, "a": 1]),
        Case(target: [1, 2], patch: ["a": "b", "c": nil], expected: ["a": "b"]),
        Case(target: [:], patch: ["a": ["bb": ["ccc": nil]]], expected: ["a": ["bb": [:]]]),
        Case(
            target: ["spec": ["replicas": 1], "status": ["ready": false]],
            patch: ["status": ["ready": true, "message": "ok"]],
            expected: ["spec": ["replicas": 1], "status": ["ready": true, "message": "ok"]]),
    ]

    @Test(arguments: cases)
    func appliesPatch(_ testCase: Case) {
        #expect(testCase.target.applyingMergePatch(testCase.patch) == testCase.expected)
    }

    @Test func serializationKeepsNullsAndSortsKeys() throws {
        let value: JSONValue = ["b": nil, "a": [1, 2.5, true, "x"]]
        let text = String(decoding: try value.serialized(), as: UTF8.self)
        #expect(text == #"{"a":[1,2.5,true,"x"],"b":null}"#)
        #expect(try JSONValue.parse(Data(text.utf8)) == value)
    }

    @Test func malformedJSONThrows() {
        #expect(throws: (any Error).self) { try JSONValue.parse(Data("{\"a\":".utf8)) }
    }
}
