import Foundation

/// Runs the real `kubectl` against a kubeconfig, with a private discovery cache and a deadline.
struct SamplesKubectl {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let executable: String
    let kubeconfig: String
    let cacheDirectory: String

    /// Finds `kubectl` on `PATH`; a missing kubectl fails the test with a clear message.
    init(kubeconfig: String, cacheDirectory: String) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/kubectl" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "kubectl not found on PATH (\(path)); the end-to-end samples test needs the real kubectl")
        }
        executable = found
        self.kubeconfig = kubeconfig
        self.cacheDirectory = cacheDirectory
    }

    /// Runs `kubectl args…`, killing it after `timeout`.
    func run(_ args: [String], timeout: Duration = .seconds(60)) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = kubeconfig
        environment["KUBECACHEDIR"] = cacheDirectory
        process.environment = environment
        // Files, not pipes: a large output can never block the child.
        let outURL = URL(fileURLWithPath: cacheDirectory).appendingPathComponent("out-\(UUID().uuidString)")
        let errURL = URL(fileURLWithPath: cacheDirectory).appendingPathComponent("err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                process.waitUntilExit()
                throw Failure(description: "kubectl \(args.joined(separator: " ")) did not finish within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Result(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
