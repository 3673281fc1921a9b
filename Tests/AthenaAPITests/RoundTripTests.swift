import AthenaAPI
import Foundation
import Testing

/// Encoding never emits `null` (a merge patch would delete the field) and decoding the encoding
/// gives back the same object.
@Suite("Round trips")
struct RoundTripTests {
    static func containsNull(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .array(let items): items.contains(where: containsNull)
        case .object(let members): members.values.contains(where: containsNull)
        default: false
        }
    }

    @Test("fully populated objects round-trip without null")
    func fullObjects() throws {
        let app = Fixtures.application
        let online = Fixtures.onlineService
        let batch = Fixtures.batchService
        for json in [try JSONValue(encoding: app), try JSONValue(encoding: online), try JSONValue(encoding: batch)] {
            #expect(!Self.containsNull(json))
        }
        #expect(try JSONValue(encoding: app).decode(as: AIApplication.self) == app)
        #expect(try JSONValue(encoding: online).decode(as: OnlineService.self) == online)
        #expect(try JSONValue(encoding: batch).decode(as: BatchService.self) == batch)
    }

    @Test("sparse objects encode only what is set")
    func sparseObjects() throws {
        let service = OnlineService(name: "s", spec: OnlineServiceSpec(versions: [ServiceVersion(application: "a")]))
        let json = try JSONValue(encoding: service)
        #expect(!Self.containsNull(json))
        #expect(json == [
            "apiVersion": "serving.athena.dev/v1alpha1", "kind": "OnlineService", "metadata": ["name": "s"],
            "spec": ["versions": [["application": "a"]]],
        ])
        let bytes = String(decoding: try JSONEncoder().encode(service.spec.withDefaults()), as: UTF8.self)
        #expect(!bytes.contains("null"))
    }

    @Test("samples round-trip through the Swift types unchanged")
    func samples() throws {
        for file in try SampleTests.validSamples() {
            let json = try TestFiles.json(file)
            let reencoded: JSONValue = switch try ServingObject(json: json) {
            case .application(let o): try JSONValue(encoding: o)
            case .onlineService(let o): try JSONValue(encoding: o)
            case .batchService(let o): try JSONValue(encoding: o)
            }
            #expect(reencoded == json, "\(file.lastPathComponent) changed in a round trip")
        }
    }

    @Test("quantities and int-or-string decode from numbers and strings")
    func scalars() throws {
        #expect(try JSONValue(2).decode(as: Quantity.self) == "2")
        #expect(try JSONValue("500m").decode(as: Quantity.self).value == 0.5)
        #expect(throws: DecodingError.self) { try JSONValue(0.5).decode(as: Quantity.self) }
        #expect(try JSONValue(3).decode(as: IntOrString.self) == .int(3))
        #expect(try JSONValue("25%").decode(as: IntOrString.self) == .string("25%"))
        #expect(try JSONValue(encoding: Quantity("1Gi")) == "1Gi")
    }

    @Test("decoding errors become field errors with the path")
    func decodingErrors() throws {
        let json: JSONValue = [
            "apiVersion": "serving.athena.dev/v1alpha1", "kind": "OnlineService", "metadata": ["name": "s"],
            "spec": ["versions": [["application": "a", "weight": "ten"]]],
        ]
        #expect(throws: ServingObject.DecodeError.self) { try ServingObject(json: json) }
        do {
            _ = try ServingObject(json: json)
        } catch {
            #expect(error.errors.first?.path == "spec.versions[0].weight")
        }
        do {
            _ = try ServingObject(json: ["apiVersion": "serving.athena.dev/v1alpha1", "kind": "Pod"])
        } catch {
            #expect(error.errors.first?.path == "kind")
        }
        do {
            _ = try ServingObject(json: ["apiVersion": "v1", "kind": "OnlineService"])
        } catch {
            #expect(error.errors.first?.path == "apiVersion")
        }
    }
}
