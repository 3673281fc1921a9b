import AthenaAPI
import Foundation
import Testing

/// The CRD YAML and the Swift types describe the same API: the same keys both ways, the same
/// JSON types, enums, ranges and defaults, and the CRD metadata `kubectl` relies on.
@Suite("CRD and Swift types agree")
struct CRDAgreementTests {
    struct Kind: Sendable, CustomStringConvertible {
        var plural: String
        var kind: String
        var shortName: String
        var full: @Sendable () throws -> JSONValue
        var description: String { kind }
    }

    static let kinds = [
        Kind(plural: "aiapplications", kind: AIApplication.kind, shortName: "aiapp") { try JSONValue(encoding: Fixtures.application) },
        Kind(plural: "onlineservices", kind: OnlineService.kind, shortName: "osvc") { try JSONValue(encoding: Fixtures.onlineService) },
        Kind(plural: "batchservices", kind: BatchService.kind, shortName: "bsvc") { try JSONValue(encoding: Fixtures.batchService) },
    ]

    // MARK: - Keys and types

    @Test("every key of a fully populated object is in the schema, with the same JSON type", arguments: kinds)
    func swiftKeysAreInTheSchema(kind: Kind) throws {
        let schema = try TestFiles.crdSchema(plural: kind.plural)
        var value = try kind.full()
        value["metadata"] = .object([:])
        let errors = StructuralSchema(root: schema).validate(value)
        let structural = errors.filter { $0.contains("unknown field") || $0.contains("must be of type") || $0.contains("integer or a string") }
        #expect(structural.isEmpty, "\(kind.kind): \(structural)")
    }

    @Test("every property of the schema is a key of the Swift type", arguments: kinds)
    func schemaKeysAreInSwift(kind: Kind) throws {
        let schema = StructuralSchema(root: try TestFiles.crdSchema(plural: kind.plural))
        let present = Self.paths(of: try kind.full())
        let missing = schema.nodes().map(\.path).filter { !$0.isEmpty && !$0.hasPrefix("metadata") && !present.contains($0) }
        #expect(missing.isEmpty, "\(kind.kind): in the CRD but not set by the Swift fixture (field missing in Swift?): \(missing)")
    }

    /// Paths of a JSON value in the schema-walk notation (`a.b[].c`, map values `{}`), not
    /// descending into JSON Schema documents (`data`) or metadata.
    static func paths(of value: JSONValue) -> Set<String> {
        var result: Set<String> = []
        func walk(_ v: JSONValue, _ path: String, mapKeys: Bool) {
            result.insert(path)
            if path.hasSuffix(".data") || path == "metadata" { return }
            switch v {
            case .object(let members):
                let isMap = mapKeys
                for (k, child) in members {
                    let childPath = isMap ? path + "{}" : (path.isEmpty ? k : "\(path).\(k)")
                    walk(child, childPath, mapKeys: ["headers", "mapping"].contains(k))
                }
            case .array(let items):
                for item in items { walk(item, path + "[]", mapKeys: false) }
            default: break
            }
        }
        walk(value, "", mapKeys: false)
        return result
    }

    // MARK: - Enums and ranges

    static let enums: [String: [String]] = [
        "spec.runtime.protocol": EngineProtocolKind.allCases.map(\.rawValue),
        "spec.health.startup.httpGet.scheme": ProbeScheme.allCases.map(\.rawValue),
        "spec.health.readiness.httpGet.scheme": ProbeScheme.allCases.map(\.rawValue),
        "spec.health.liveness.httpGet.scheme": ProbeScheme.allCases.map(\.rawValue),
        "spec.deployTypes[]": DeployType.allCases.map(\.rawValue),
        "spec.apis[].method": ModelAPI.methods + ModelAPI.methods.map { $0.lowercased() },
        "spec.apis[].protocol": ["http", "https", "HTTP", "HTTPS"],
        "spec.apis[].request.Content-type": ModelAPIMessage.contentTypes,
        "spec.apis[].response.Content-type": ModelAPIMessage.contentTypes,
        "spec.auth.mode": AuthMode.allCases.map(\.rawValue),
        "spec.loadBalancing.policy": LoadBalancingPolicy.allCases.map(\.rawValue),
        "spec.input.type": BatchInputType.allCases.map(\.rawValue),
        "status.conditions[].status": ["True", "False", "Unknown"],
        "status.phase": [],  // per kind, below
    ]

    static let phases: [String: [String]] = [
        "aiapplications": AIApplicationPhase.allCases.map(\.rawValue),
        "onlineservices": OnlineServicePhase.allCases.map(\.rawValue),
        "batchservices": BatchServicePhase.allCases.map(\.rawValue),
    ]

    @Test("every enum in the schema lists exactly the Swift cases", arguments: kinds)
    func enumsAgree(kind: Kind) throws {
        let schema = StructuralSchema(root: try TestFiles.crdSchema(plural: kind.plural))
        for (path, node) in schema.nodes() {
            guard let values = node["enum"]?.arrayValue?.compactMap(\.stringValue) else { continue }
            let expected = path == "status.phase" ? Self.phases[kind.plural] : Self.enums[path]
            let cases = try #require(expected, "\(kind.kind): enum at \(path) has no Swift counterpart in the test table")
            #expect(Set(values) == Set(cases), "\(kind.kind) \(path): CRD \(values) vs Swift \(cases)")
        }
    }

    static let ranges: [String: ClosedRange<Int>] = {
        var table: [String: ClosedRange<Int>] = [
            "spec.runtime.port": FieldRange.port,
            "spec.runtime.batching.maxBatchSize": BatchingSpec.batchSizeRange,
            "spec.runtime.batching.maxCallsInFlight": BatchingSpec.callsInFlightRange,
            "spec.runtime.batching.maxDelayMicroseconds": BatchingSpec.delayMicrosecondsRange,
            "spec.resources.gpu.count": FieldRange.gpuCount,
            "spec.versions[].resources.gpu.count": FieldRange.gpuCount,
            "spec.versions[].weight": FieldRange.weight,
            "spec.versions[].replicas": FieldRange.replicas,
            "spec.nodePort": FieldRange.nodePort,
            "spec.rateLimit.qps": FieldRange.qps,
            "spec.limits.maxBodyBytes": FieldRange.maxBodyBytes,
            "spec.limits.timeoutSeconds": FieldRange.requestTimeoutSeconds,
            "spec.deployTimeoutSeconds": FieldRange.deployTimeoutSeconds,
            "spec.parallelism": FieldRange.parallelism,
            "spec.timeoutSeconds": FieldRange.batchTimeoutSeconds,
        ]
        for probe in ["startup", "readiness", "liveness"] {
            let p = "spec.health.\(probe)"
            table["\(p).httpGet.port"] = FieldRange.port
            table["\(p).grpc.port"] = FieldRange.port
            table["\(p).initialDelaySeconds"] = FieldRange.initialDelaySeconds
            table["\(p).periodSeconds"] = FieldRange.periodSeconds
            table["\(p).timeoutSeconds"] = FieldRange.probeTimeoutSeconds
            table["\(p).failureThreshold"] = FieldRange.failureThreshold
        }
        return table
    }()

    @Test("every minimum/maximum in the schema is the Swift FieldRange", arguments: kinds)
    func rangesAgree(kind: Kind) throws {
        let schema = StructuralSchema(root: try TestFiles.crdSchema(plural: kind.plural))
        for (path, node) in schema.nodes() {
            guard node["minimum"] != nil || node["maximum"] != nil else { continue }
            if path.hasPrefix("spec.metrics.") {
                #expect(node["minimum"]?.doubleValue == FieldRange.metric.lowerBound)
                #expect(node["maximum"]?.doubleValue == FieldRange.metric.upperBound)
                continue
            }
            let range = try #require(Self.ranges[path], "\(kind.kind): range at \(path) has no Swift counterpart")
            #expect(node["minimum"]?.intValue == range.lowerBound, "\(kind.kind) \(path) minimum")
            #expect(node["maximum"]?.intValue == range.upperBound, "\(kind.kind) \(path) maximum")
        }
    }

    // MARK: - Structural schema rules (kubernetes-validate does not look inside openAPIV3Schema)

    @Test("schemas are structural: typed nodes, int-or-string shape, typed items, known printer column types", arguments: kinds)
    func structural(kind: Kind) throws {
        let schema = StructuralSchema(root: try TestFiles.crdSchema(plural: kind.plural))
        let types: Set<String> = ["object", "array", "string", "integer", "number", "boolean"]
        for (path, node) in schema.nodes() {
            if node["x-kubernetes-int-or-string"]?.boolValue == true {
                #expect(node["type"] == nil, "\(path): int-or-string must not set type")
                #expect(node["anyOf"] == [["type": "integer"], ["type": "string"]], "\(path): int-or-string anyOf")
                continue
            }
            #expect(node["anyOf"] == nil && node["oneOf"] == nil && node["allOf"] == nil, "\(path): only int-or-string may use anyOf")
            let type = node["type"]?.stringValue ?? ""
            #expect(types.contains(type), "\(path): type \(type) is not a structural type")
            if type == "array" { #expect(node["items"]?.objectValue != nil, "\(path): array without items") }
            if node["properties"] != nil { #expect(node["additionalProperties"] == nil, "\(path): properties and additionalProperties") }
            if node["x-kubernetes-preserve-unknown-fields"]?.boolValue == true {
                #expect(path.hasSuffix(".data"), "\(path): preserve-unknown-fields only for apis schemas")
            }
            if let required = node["required"]?.arrayValue?.compactMap(\.stringValue) {
                for key in required { #expect(node["properties"]?[key] != nil, "\(path): required \(key) is not a property") }
            }
        }
        let crd = try TestFiles.crd(plural: kind.plural)
        let columns = crd[path: ["spec", "versions"]]?.arrayValue?.first?["additionalPrinterColumns"]?.arrayValue ?? []
        for column in columns {
            #expect(["string", "integer", "number", "boolean", "date"].contains(column["type"]?.stringValue ?? ""))
        }
    }

    // MARK: - CRD metadata

    @Test("names, scope, status subresource, printer columns", arguments: kinds)
    func crdMetadata(kind: Kind) throws {
        let crd = try TestFiles.crd(plural: kind.plural)
        #expect(crd["apiVersion"]?.stringValue == "apiextensions.k8s.io/v1")
        #expect(crd[path: ["metadata", "name"]]?.stringValue == "\(kind.plural).\(ServingAPI.group)")
        #expect(crd[path: ["spec", "group"]]?.stringValue == ServingAPI.group)
        #expect(crd[path: ["spec", "scope"]]?.stringValue == "Namespaced")
        let names = try #require(crd[path: ["spec", "names"]])
        #expect(names["kind"]?.stringValue == kind.kind)
        #expect(names["plural"]?.stringValue == kind.plural)
        #expect(names["shortNames"] == [.string(kind.shortName)])
        #expect(names["categories"] == [.string(ServingAPI.category)])
        let versions = try #require(crd[path: ["spec", "versions"]]?.arrayValue)
        #expect(versions.count == 1)
        let version = try #require(versions.first)
        #expect(version["name"]?.stringValue == ServingAPI.version)
        #expect(version["served"] == true && version["storage"] == true)
        #expect(version[path: ["subresources", "status"]] == .object([:]))
        let columns = version["additionalPrinterColumns"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        let expected = [
            "aiapplications": ["Version", "Phase", "Image", "Age"],
            "onlineservices": ["Phase", "URL", "Versions", "Ready", "Age"],
            "batchservices": ["Phase", "Succeeded", "Failed", "Total", "Age"],
        ][kind.plural]
        #expect(columns == expected)
        // Every column's jsonPath names a field that exists in the schema (or metadata).
        let schema = StructuralSchema(root: try TestFiles.crdSchema(plural: kind.plural))
        let paths = Set(schema.nodes().map(\.path))
        for column in version["additionalPrinterColumns"]?.arrayValue ?? [] {
            let jsonPath = String((column["jsonPath"]?.stringValue ?? "").dropFirst())
            #expect(jsonPath.hasPrefix("metadata.") || paths.contains(jsonPath), "column path \(jsonPath)")
        }
    }

    @Test("the resource coordinates of the Swift types match the CRDs", arguments: kinds)
    func resourceCoordinates(kind: Kind) throws {
        let resource: GroupVersionResource = switch kind.kind {
        case AIApplication.kind: AIApplication.resource
        case OnlineService.kind: OnlineService.resource
        default: BatchService.resource
        }
        #expect(resource.group == ServingAPI.group)
        #expect(resource.version == ServingAPI.version)
        #expect(resource.resource == kind.plural)
        #expect(resource.namespaced)
    }
}
