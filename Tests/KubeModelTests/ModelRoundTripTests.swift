import Foundation
import KubeModel
import Testing

@Suite("Model round trips")
struct ModelRoundTripTests {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func sparseObjectsEmitNoNull() throws {
        let values: [any Encodable] = [
            ObjectMeta(name: "x"),
            Lease(metadata: ObjectMeta(name: "leader", namespace: "ns"), spec: LeaseSpec(holderIdentity: "a")),
            Event(metadata: ObjectMeta(name: "e"), involvedObject: ObjectReference(kind: "Pod", name: "p")),
            Status(code: 404, reason: "NotFound", message: "gone"),
            Condition(type: "Ready", status: "True", reason: "Up", message: "ok"),
            OwnerReference(apiVersion: "v1", kind: "Pod", name: "p", uid: "u"),
        ]
        for value in values {
            let text = try Self.encode(value)
            #expect(!text.contains("null"), "\(type(of: value)) encoded a null: \(text)")
        }
    }

    @Test func leaseRoundTrips() throws {
        let lease = Lease(
            metadata: ObjectMeta(name: "athena-operator-leader", namespace: "athena-system"),
            spec: LeaseSpec(
                holderIdentity: "pod-1", leaseDurationSeconds: 15, acquireTime: "2026-11-21T23:00:00.000000Z",
                renewTime: "2026-11-21T23:00:02.500000Z", leaseTransitions: 3))
        let data = try JSONEncoder().encode(lease)
        let decoded = try JSONDecoder().decode(Lease.self, from: data)
        #expect(decoded == lease)
        #expect(decoded.apiVersion == "coordination.k8s.io/v1")
        #expect(Lease.resource.resource == "leases")
    }

    @Test func eventDecodesServerJSON() throws {
        let json = """
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"osvc.1","namespace":"default"},
             "involvedObject":{"apiVersion":"serving.athena.dev/v1alpha1","kind":"OnlineService","name":"osvc","uid":"u1"},
             "reason":"DeployStarted","message":"m","type":"Normal","count":2,
             "firstTimestamp":"2026-11-21T23:00:00Z","lastTimestamp":"2026-11-21T23:01:00Z",
             "source":{"component":"athena-operator"}}
            """
        let event = try JSONDecoder().decode(Event.self, from: Data(json.utf8))
        #expect(event.count == 2)
        #expect(event.involvedObject.kind == "OnlineService")
        #expect(event.source?.component == "athena-operator")
        #expect(Event.resource.apiVersion == "v1")
    }

    @Test func objectReferenceFromObjectFillsTypeCoordinates() {
        var lease = Lease(metadata: ObjectMeta(name: "l", namespace: "ns"))
        lease.apiVersion = nil
        lease.kind = nil
        lease.metadata.uid = "uid-1"
        let ref = ObjectReference(for: lease)
        #expect(ref == ObjectReference(apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: "l", namespace: "ns", uid: "uid-1"))
    }

    @Test func statusDecodesCauses() throws {
        let json = """
            {"kind":"Status","apiVersion":"v1","status":"Failure","message":"invalid","reason":"Invalid",
             "details":{"name":"x","kind":"OnlineService","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.model"}]},
             "code":422}
            """
        let status = try JSONDecoder().decode(Status.self, from: Data(json.utf8))
        #expect(status.code == 422)
        #expect(status.details?.causes?.first?.field == "spec.model")
    }
}
