import AthenaAPI
import Foundation
import Testing

/// The API server applies the CRD's defaults; the operator applies `withDefaults()`. Both must
/// produce the same object, except for the few defaults that depend on other fields and so can
/// only live in Swift (listed in `computed`).
@Suite("CRD defaults and Swift defaults agree")
struct DefaultsAgreementTests {
    /// Defaults Swift computes from other fields; the CRD cannot express them.
    static let computed: Set<String> = ["spec.runtime.port", "spec.versions[0].weight", "spec.input.type"]

    /// Objects with every optional block present but empty, so nested defaults are exercised.
    static let sparse: [String] = [
        """
        apiVersion: serving.athena.dev/v1alpha1
        kind: AIApplication
        metadata: {name: a}
        spec:
          version: "1"
          runtime: {image: x}
          model: {uri: "pvc://m"}
          apis: [{request: {}, response: {}}, {}]
          health:
            startup: {grpc: {}}
            readiness: {httpGet: {path: /}}
            liveness: {exec: {command: ["true"]}}
          resources: {gpu: {}}
        """,
        """
        apiVersion: serving.athena.dev/v1alpha1
        kind: AIApplication
        metadata: {name: a}
        spec: {version: "1", model: {uri: "https://x/m.zip"}}
        """,
        """
        apiVersion: serving.athena.dev/v1alpha1
        kind: OnlineService
        metadata: {name: s}
        spec:
          versions: [{application: a, resources: {gpu: {}}}]
        """,
        """
        apiVersion: serving.athena.dev/v1alpha1
        kind: OnlineService
        metadata: {name: s}
        spec:
          versions: [{application: a, weight: 50}, {application: b, weight: 50}]
          auth: {}
          limits: {}
          streaming: {}
          loadBalancing: {}
        """,
        """
        apiVersion: serving.athena.dev/v1alpha1
        kind: BatchService
        metadata: {name: b}
        spec: {application: a, input: {path: /in.csv}, output: {path: /out}, resources: {gpu: {}}}
        """,
    ]

    static func swiftDefaulted(_ object: ServingObject) throws -> JSONValue {
        switch object {
        case .application(var o):
            o.spec = o.spec.withDefaults()
            return try JSONValue(encoding: o)
        case .onlineService(var o):
            o.spec = o.spec.withDefaults()
            return try JSONValue(encoding: o)
        case .batchService(var o):
            o.spec = o.spec.withDefaults()
            return try JSONValue(encoding: o)
        }
    }

    static func leaves(_ value: JSONValue, _ path: String = "", into result: inout [String: JSONValue]) {
        switch value {
        case .object(let members) where !members.isEmpty && !path.hasSuffix(".data"):
            for (k, v) in members { leaves(v, path.isEmpty ? k : "\(path).\(k)", into: &result) }
        case .array(let items) where !items.isEmpty && items.allSatisfy({ $0.objectValue != nil }):
            for (i, v) in items.enumerated() { leaves(v, "\(path)[\(i)]", into: &result) }
        default:
            result[path] = value
        }
    }

    static func inputs() throws -> [String] {
        try sparse + SampleTests.validSamples().map { try TestFiles.text($0) }
    }

    @Test("CRD-defaulted equals Swift-defaulted, apart from computed defaults")
    func defaultsAgree() throws {
        for yaml in try Self.inputs() {
            let json = try TestFiles.json(yaml: yaml)
            let schema = try SampleTests.schema(for: json)
            var crd: [String: JSONValue] = [:]
            Self.leaves(schema.applyingDefaults(json), into: &crd)
            var swift: [String: JSONValue] = [:]
            Self.leaves(try Self.swiftDefaulted(ServingObject(json: json)), into: &swift)
            let name = json[path: ["metadata", "name"]]?.stringValue ?? "?"
            for (path, value) in crd {
                #expect(swift[path] == value, "\(name): \(path) is \(value) after CRD defaults but \(String(describing: swift[path])) in Swift")
            }
            let onlySwift = Set(swift.keys).subtracting(crd.keys).subtracting(Self.computed)
            #expect(onlySwift.isEmpty, "\(name): Swift defaults \(onlySwift.sorted()) that the CRD does not")
        }
    }

    @Test("defaults in the CRD satisfy their own schema")
    func defaultsAreValid() throws {
        for plural in ["aiapplications", "onlineservices", "batchservices"] {
            let schema = StructuralSchema(root: try TestFiles.crdSchema(plural: plural))
            for (path, node) in schema.nodes() {
                guard let value = node["default"] else { continue }
                let errors = StructuralSchema(root: node).validate(value)
                #expect(errors.isEmpty, "\(plural) \(path): default \(value) violates its schema: \(errors)")
            }
        }
    }

    @Test("withDefaults is idempotent")
    func idempotent() throws {
        for yaml in try Self.inputs() {
            let object = try ServingObject(json: TestFiles.json(yaml: yaml))
            switch object {
            case .application(let o): #expect(o.spec.withDefaults().withDefaults() == o.spec.withDefaults())
            case .onlineService(let o): #expect(o.spec.withDefaults().withDefaults() == o.spec.withDefaults())
            case .batchService(let o): #expect(o.spec.withDefaults().withDefaults() == o.spec.withDefaults())
            }
        }
    }
}
