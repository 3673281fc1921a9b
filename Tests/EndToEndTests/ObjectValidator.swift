import Foundation
import KubeModel

/// Runs the real `kubernetes-validate` (PyPI, in the venv next to ATHENA_PYTHON) on objects read
/// back from the API server, against the Kubernetes 1.32 schemas, strictly (unknown fields fail).
enum ObjectValidator {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static var python: String {
        if let python = ProcessInfo.processInfo.environment["ATHENA_PYTHON"], !python.isEmpty { return python }
        return KubectlTestServer.root.appendingPathComponent(".venv/bin/python").path
    }

    static var executable: String {
        URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("kubernetes-validate").path
    }

    /// Validates every object (one YAML document each, JSON being YAML); returns the tool's
    /// output and throws when it fails or is missing.
    @discardableResult
    static func validate(_ objects: [JSONValue], in directory: URL) async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw Failure(description: "kubernetes-validate not found at \(executable); run bash scripts/bootstrap.sh (or set ATHENA_PYTHON)")
        }
        guard !objects.isEmpty else { throw Failure(description: "nothing to validate") }
        let documents = try objects.map { String(decoding: try $0.serialized(), as: UTF8.self) }
        let file = directory.appendingPathComponent("objects-\(UUID().uuidString).yaml")
        try documents.joined(separator: "\n---\n").write(to: file, atomically: true, encoding: .utf8)
        let outURL = directory.appendingPathComponent("validate-\(UUID().uuidString).out")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        defer { try? out.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--strict", "--no-warn", "-k", "1.32.0", file.path]
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw Failure(description: "kubernetes-validate did not finish within 120 s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let output = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0, !output.contains("ERROR") else {
            throw Failure(description: "kubernetes-validate rejected objects the operator created:\n\(output)")
        }
        return output
    }
}
