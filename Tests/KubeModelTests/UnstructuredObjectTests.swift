import Foundation
import KubeModel
import Testing

@Suite("UnstructuredObject")
struct UnstructuredObjectTests {
    @Test func metadataReadsAndWritesWithoutTouchingOtherFields() throws {
        var object = UnstructuredObject(json: [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "cm", "namespace": "ns", "labels": ["a": "b"], "generation": 3],
            "data": ["k": "v"],
        ])
        #expect(object.metadata.name == "cm")
        #expect(object.metadata.generation == 3)
        #expect(object.key == "ns/cm")
        object.metadata.labels?["c"] = "d"
        #expect(object.json[path: ["metadata", "labels", "c"]] == "d")
        #expect(object.json["data"] == ["k": "v"])
        #expect(object.json[path: ["metadata", "uid"]] == nil, "absent fields must stay absent, not become null")
    }

    @Test func decodingRejectsMalformedMetadata() {
        let json = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":42}}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(UnstructuredObject.self, from: Data(json.utf8))
        }
    }

    @Test func decodingRejectsNonObjects() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(UnstructuredObject.self, from: Data("[1,2]".utf8))
        }
    }

    @Test func ownerReferencesSurviveTheProjection() {
        var object = UnstructuredObject(json: ["metadata": ["name": "x"]])
        var meta = object.metadata
        meta.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "Pod", name: "p", uid: "u", controller: true)]
        object.metadata = meta
        #expect(object.metadata.ownerReferences == meta.ownerReferences)
    }
}

@Suite("KubeTime")
struct KubeTimeTests {
    @Test func formatsTimeAndMicroTime() {
        let date = Date(timeIntervalSince1970: 1_795_302_000.25)
        #expect(KubeTime.time(date) == "2026-11-21T23:00:00Z")
        #expect(KubeTime.microTime(date) == "2026-11-21T23:00:00.250000Z")
    }

    @Test(arguments: ["2026-11-21T23:00:00Z", "2026-11-21T23:00:00.250000Z", "2026-11-21T23:00:00.25Z"])
    func parsesBothForms(_ text: String) throws {
        let date = try #require(KubeTime.parse(text))
        #expect(abs(date.timeIntervalSince1970 - 1_795_302_000) < 1)
    }

    @Test func microTimeRoundTrips() throws {
        let date = Date(timeIntervalSince1970: 1_795_302_000.123456)
        let parsed = try #require(KubeTime.parse(KubeTime.microTime(date)))
        #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.001)
    }

    @Test func rejectsGarbage() {
        #expect(KubeTime.parse("yesterday") == nil)
    }
}
