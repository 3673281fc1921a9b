import AthenaAPI
import Foundation
import KubeTesting
import Testing

/// The real `kubectl` against the in-memory API server: the CRDs install, the samples apply and
/// list with their printer columns, schema-invalid samples are refused with the field named, and
/// what the server stores (CRD defaults applied) decodes into the Swift types and validates.
@Suite("Samples end to end (kubectl)")
struct SamplesTests {
    static var root: URL {
        if let root = ProcessInfo.processInfo.environment["ATHENA_ROOT"], !root.isEmpty {
            return URL(fileURLWithPath: root)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func yamlFiles(_ directory: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: root.appendingPathComponent(directory), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    /// The `# expect: <path>` lines of an invalid sample.
    static func expectedPaths(_ file: URL) throws -> [String] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").prefix { $0.hasPrefix("#") }
            .compactMap { line in line.hasPrefix("# expect:") ? line.dropFirst("# expect:".count).trimmingCharacters(in: .whitespaces) : nil }
    }

    /// Starts a server, writes its kubeconfig, runs `body`, stops the server.
    static func withCluster(_ body: (APIServer, SamplesKubectl) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("athena-samples-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try await APIServer.start()
        do {
            let kubeconfig = dir.appendingPathComponent("kubeconfig").path
            try server.writeKubeconfig(to: kubeconfig)
            let kubectl = try SamplesKubectl(kubeconfig: kubeconfig, cacheDirectory: dir.path)
            try await body(server, kubectl)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func installCRDs(_ kubectl: SamplesKubectl) async throws {
        let apply = try await kubectl.run(["apply", "-f", root.appendingPathComponent("crds").path])
        try #require(apply.status == 0, "kubectl apply -f crds/ failed: \(apply.stderr)")
        #expect(apply.stdout.components(separatedBy: " created").count - 1 == 3, "\(apply.stdout)")
    }

    @Test("apply crds/ and config/samples/, list them with their printer columns")
    func applySamples() async throws {
        try await Self.withCluster { server, kubectl in
            try await Self.installCRDs(kubectl)
            let crds = try await kubectl.run(["get", "crd"])
            #expect(crds.status == 0)
            for name in ["aiapplications", "onlineservices", "batchservices"] {
                #expect(crds.stdout.contains("\(name).serving.athena.dev"), "kubectl get crd: \(crds.stdout)")
            }

            let apply = try await kubectl.run(["apply", "-f", Self.root.appendingPathComponent("config/samples").path])
            try #require(apply.status == 0, "kubectl apply -f config/samples/ failed: \(apply.stderr)")
            let samples = try Self.yamlFiles("config/samples")
            #expect(apply.stdout.components(separatedBy: " created").count - 1 == samples.count, "\(apply.stdout)")

            // A reconciler's status shows in the columns (written through /status like the operator).
            var digits = try #require(server.get(OnlineService.resource, namespace: "default", name: "digits"))
            let status = OnlineServiceStatus(phase: .running, url: "http://127.0.0.1:30080/v1/private/digits", versions: [
                VersionStatus(application: "digits-v1", weight: 90, replicas: 2, readyReplicas: 2),
                VersionStatus(application: "digits-v2", weight: 10, replicas: 1, readyReplicas: 1),
            ])
            digits["status"] = try JSONValue(encoding: status)
            _ = try server.updateStatus(digits)

            let get = try await kubectl.run(["get", "aiapp,osvc,bsvc"])
            try #require(get.status == 0, "kubectl get aiapp,osvc,bsvc failed: \(get.stderr)")
            let lines = get.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(lines.contains("NAME VERSION PHASE IMAGE AGE"), "\(get.stdout)")
            #expect(lines.contains("NAME PHASE URL VERSIONS READY AGE"), "\(get.stdout)")
            #expect(lines.contains("NAME PHASE SUCCEEDED FAILED AGE"), "\(get.stdout)")
            #expect(lines.contains { $0.hasPrefix("aiapplication.serving.athena.dev/digits-v1 1.0.0 ghcr.io/athena-serving/example-digits:0.1.0") })
            #expect(lines.contains { $0.hasPrefix("onlineservice.serving.athena.dev/digits Running http://127.0.0.1:30080/v1/private/digits 2/2 3/3") }, "\(get.stdout)")
            #expect(lines.contains { $0.hasPrefix("batchservice.serving.athena.dev/iris-batch") })

            // The category lists every kind.
            let category = try await kubectl.run(["get", "athena", "-o", "name"])
            #expect(category.status == 0)
            #expect(category.stdout.split(separator: "\n").count == samples.count, "\(category.stdout)")
        }
    }

    @Test("what the server stores decodes into the Swift types, validates, and its defaults match withDefaults()")
    func storedObjectsAgreeWithSwift() async throws {
        try await Self.withCluster { _, kubectl in
            try await Self.installCRDs(kubectl)
            let apply = try await kubectl.run(["apply", "-f", Self.root.appendingPathComponent("config/samples").path])
            try #require(apply.status == 0, "\(apply.stderr)")
            let list = try await kubectl.run(["get", "athena", "-o", "json"])
            try #require(list.status == 0, "\(list.stderr)")
            let items = try JSONValue.parse(Data(list.stdout.utf8))["items"]?.arrayValue ?? []
            #expect(items.count == (try Self.yamlFiles("config/samples").count))
            for item in items {
                let object = try ServingObject(json: item)
                #expect(object.validate().isEmpty, "\(object.metadata.name ?? ""): \(object.validate().summary)")
                switch object {
                case .application(let o):
                    var spec = o.spec.withDefaults()
                    spec.runtime?.port = o.spec.runtime?.port  // computed in Swift only
                    #expect(spec == o.spec, "\(o.metadata.name ?? ""): server defaults differ from withDefaults()")
                case .onlineService(let o):
                    var spec = o.spec.withDefaults()
                    for i in spec.versions.indices { spec.versions[i].weight = o.spec.versions[i].weight }
                    #expect(spec == o.spec, "\(o.metadata.name ?? ""): server defaults differ from withDefaults()")
                case .batchService(let o):
                    var spec = o.spec.withDefaults()
                    spec.input.type = o.spec.input.type
                    #expect(spec == o.spec, "\(o.metadata.name ?? ""): server defaults differ from withDefaults()")
                }
            }
        }
    }

    @Test("schema-invalid samples are refused by the server, naming the field")
    func schemaInvalidSamplesAreRejected() async throws {
        try await Self.withCluster { _, kubectl in
            try await Self.installCRDs(kubectl)
            let files = try Self.yamlFiles("config/samples/invalid/schema")
            #expect(files.count >= 8)
            for file in files {
                let result = try await kubectl.run(["apply", "-f", file.path])
                #expect(result.status != 0, "\(file.lastPathComponent) was accepted: \(result.stdout)")
                #expect(result.stderr.contains("is invalid"), "\(file.lastPathComponent): \(result.stderr)")
                for path in try Self.expectedPaths(file) {
                    #expect(result.stderr.contains(path + ":"), "\(file.lastPathComponent): \(result.stderr) does not name \(path)")
                }
            }
            let stored = try await kubectl.run(["get", "athena", "-o", "name"])
            #expect(stored.stdout.isEmpty, "invalid objects were stored: \(stored.stdout)")
        }
    }

    @Test("semantic-invalid samples pass the schema (no webhook) and fail Swift validation at the expected field")
    func semanticInvalidSamplesFailValidation() async throws {
        try await Self.withCluster { _, kubectl in
            try await Self.installCRDs(kubectl)
            for file in try Self.yamlFiles("config/samples/invalid/semantic") {
                let result = try await kubectl.run(["apply", "-f", file.path, "-o", "json"])
                try #require(result.status == 0, "\(file.lastPathComponent): \(result.stderr)")
                let stored = try JSONValue.parse(Data(result.stdout.utf8))
                let errors = Self.fieldErrors(stored)
                for path in try Self.expectedPaths(file) {
                    #expect(errors.contains { $0.path == path }, "\(file.lastPathComponent): \(errors.summary) does not name \(path)")
                }
            }
        }
    }

    /// Decoding and validation problems alike, as field errors.
    static func fieldErrors(_ json: JSONValue) -> [FieldError] {
        do {
            return try ServingObject(json: json).validate()
        } catch {
            return error.errors
        }
    }
}
