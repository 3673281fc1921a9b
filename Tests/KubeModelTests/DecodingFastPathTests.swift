import Foundation
import Testing
@testable import KubeModel

/// The fast paths taken for the operator's hot loop decode exactly what the Codable paths do.
@Suite("Decoding fast paths")
struct DecodingFastPathTests {
    static let metadata: JSONValue = [
        "name": "svc-1", "namespace": "default", "uid": "u-1", "resourceVersion": "42", "generation": 3,
        "creationTimestamp": "2026-11-22T01:00:00Z", "labels": ["app": "x"], "annotations": ["a": "b"],
        "finalizers": ["serving.athena.dev/finalizer"], "deletionTimestamp": nil,
        "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "p", "uid": "u-0", "controller": true]],
        "managedFields": [["manager": "kubectl"]],
    ]

    @Test("well-typed metadata: projection equals the Codable decode")
    func projectionMatchesDecode() throws {
        #expect(ObjectMeta.hasExpectedTypes(Self.metadata))
        let fast = try ObjectMeta(json: Self.metadata)
        let slow = try Self.metadata.decode(as: ObjectMeta.self)
        #expect(fast == slow)
        #expect(fast.ownerReferences?.first?.controller == true)
    }

    static let wrongTypes: [(String, JSONValue)] = [
        ("generation", "3"), ("labels", ["app": 1]), ("finalizers", [true]),
        ("ownerReferences", [["kind": "ConfigMap"]]), ("name", 5),
    ]

    @Test("a wrong member type still throws the decoder's error", arguments: wrongTypes)
    func wrongTypeThrows(member: String, value: JSONValue) {
        var json = Self.metadata
        json[member] = value
        #expect(!ObjectMeta.hasExpectedTypes(json))
        #expect(throws: DecodingError.self) { try ObjectMeta(json: json) }
    }

    @Test("JSONValue decodes every kind, nested, whatever the attempt order")
    func jsonValueKinds() throws {
        let text = #"{"s":"true","n":1.5,"i":-2,"b":false,"z":null,"a":[1,"x",{"k":[true]}],"o":{}}"#
        let value = try JSONValue.parse(Data(text.utf8))
        #expect(value == [
            "s": "true", "n": 1.5, "i": -2, "b": false, "z": nil, "a": [1, "x", ["k": [true]]], "o": [:],
        ])
    }
}
