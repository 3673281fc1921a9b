import Foundation

/// The `kube-testserver` executable as a child process, with the real `kubectl` pointed at it
/// through a kubeconfig and a private discovery cache.
final class KubectlTestServer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var all: String { stdout + stderr }
    }

    let directory: URL
    let kubeconfig: String
    let port: Int
    private let process: Process

    /// Root of the repository: ATHENA_ROOT, else three levels above this file.
    static var root: URL {
        if let root = ProcessInfo.processInfo.environment["ATHENA_ROOT"], !root.isEmpty {
            return URL(fileURLWithPath: root)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var binDirectory: URL {
        if let bin = ProcessInfo.processInfo.environment["ATHENA_BIN_DIR"], !bin.isEmpty { return URL(fileURLWithPath: bin) }
        return root.appendingPathComponent(".build/debug")
    }

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    static let kubectl = "/usr/bin/kubectl"

    /// Starts `kube-testserver --port 0 --kubeconfig <tmp>` and waits for the port it prints.
    init(extraArguments: [String] = []) async throws {
        let binary = Self.binDirectory.appendingPathComponent("kube-testserver")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw Failure(description: "kube-testserver not found at \(binary.path); build it (swift build) or set ATHENA_BIN_DIR")
        }
        guard FileManager.default.isExecutableFile(atPath: Self.kubectl) else {
            throw Failure(description: "kubectl not found at \(Self.kubectl); the kubectl end-to-end tests need the real kubectl")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        kubeconfig = directory.appendingPathComponent("kubeconfig").path
        let stdoutFile = directory.appendingPathComponent("server.out")
        FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--port", "0", "--kubeconfig", kubeconfig] + extraArguments
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        var port = 0
        let deadline = ContinuousClock.now + .seconds(15)
        while port == 0 && ContinuousClock.now < deadline && process.isRunning {
            let text = (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n"), let value = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = value
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        guard port > 0, FileManager.default.fileExists(atPath: kubeconfig) else {
            process.terminate()
            throw Failure(description: "kube-testserver did not report a port and write \(kubeconfig) within 15 s")
        }
        self.port = port
    }

    /// SIGTERM, then waits (bounded) for a clean exit; returns the exit status.
    @discardableResult
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
        return process.isRunning ? -1 : process.terminationStatus
    }

    /// Runs `kubectl args…` (bounded to 60 s) with this server's kubeconfig and cache.
    func kubectl(_ args: String...) async throws -> Output {
        try await kubectl(arguments: args)
    }

    /// `kubectl(_:)` with the arguments as an array.
    func kubectl(arguments args: [String]) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.kubectl)
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = kubeconfig
        environment["KUBECACHEDIR"] = directory.appendingPathComponent("cache").path
        process.environment = environment
        let id = UUID().uuidString
        let outURL = directory.appendingPathComponent("kubectl-\(id).out")
        let errURL = directory.appendingPathComponent("kubectl-\(id).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw Failure(description: "kubectl \(args.joined(separator: " ")) did not finish within 60 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Output(
            status: process.terminationStatus, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    func fixture(_ name: String) -> String {
        Self.fixtures.appendingPathComponent(name).path
    }
}
