import AthenaAPI
import Foundation
import Testing

@testable import AthenaControllers

@Suite("Renderer (athena render)")
struct RendererTests {
    static let sampleFiles = [
        "aiapplication-digits.yaml", "aiapplication-digits-v2.yaml", "aiapplication-iris.yaml",
        "onlineservice-digits.yaml", "onlineservice-iris.yaml", "batchservice-digits.yaml",
    ]

    func samples() throws -> [String] {
        try Self.sampleFiles.map { try String(contentsOfFile: "\(Fixtures.root)/config/samples/\($0)", encoding: .utf8) }
    }

    @Test("every sample renders; the output holds exactly the objects of both services")
    func rendersSamples() throws {
        let yaml = try Renderer().render(try samples())
        let objects = try YAMLTestDecoding.documents(yaml)
        let names = Set(objects.map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" })
        #expect(names == [
            "ConfigMap/digits-routing", "Service/digits-digits-v1-engine", "Deployment/digits-digits-v1",
            "Service/digits-digits-v2-engine", "Deployment/digits-digits-v2", "Service/digits", "NetworkPolicy/digits-engines",
            "ConfigMap/iris-routing", "Service/iris-iris-engine", "Deployment/iris-iris", "Service/iris", "NetworkPolicy/iris-engines",
        ])
        #expect(objects.count == names.count)
        // Rendering is deterministic (what `athena render` users diff).
        #expect(try Renderer().render(try samples()) == yaml)
    }

    @Test("rendered samples are valid Kubernetes objects (kubernetes-validate --strict)")
    func validatesWithKubernetesValidate() throws {
        let yaml = try Renderer().render(try samples())
        let kinds = yaml.components(separatedBy: "\n").filter { $0.hasPrefix("kind: ") }
        #expect(kinds.filter { $0 == "kind: Deployment" }.count == 3)
        #expect(kinds.filter { $0 == "kind: ConfigMap" }.count == 2)
        #expect(kinds.filter { $0 == "kind: NetworkPolicy" }.count == 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("rendered.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let validator = URL(fileURLWithPath: Fixtures.python).deletingLastPathComponent().appendingPathComponent("kubernetes-validate").path
        try #require(FileManager.default.isExecutableFile(atPath: validator),
                     "kubernetes-validate missing at \(validator): run bash scripts/bootstrap.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: validator)
        process.arguments = ["--strict", "--no-warn", "-k", "1.32.0", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(!output.contains("ERROR"), "\(output)")
    }

    @Test("bad input: invalid YAML, unknown kind, invalid spec, missing application — each a clear error")
    func badInput() {
        let cases: [(String, String)] = [
            ("a: [", "not valid YAML"),
            ("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", "kind must be one of"),
            ("apiVersion: serving.athena.dev/v1alpha1\nkind: OnlineService\nmetadata: {name: s}\nspec:\n  versions:\n  - {application: a, weight: 50}\n  - {application: b, weight: 20}\n", "s"),
            ("apiVersion: serving.athena.dev/v1alpha1\nkind: OnlineService\nmetadata: {name: s}\nspec:\n  versions:\n  - {application: ghost}\n", "ghost"),
        ]
        for (text, fragment) in cases {
            do {
                _ = try Renderer().render([text])
                Issue.record("expected an error for \(text)")
            } catch {
                #expect(error.message.contains(fragment), "\(error.message)")
            }
        }
    }
}
