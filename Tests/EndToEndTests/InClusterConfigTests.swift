import Foundation
import KubeClient
import Testing

extension OperatorProcessSuites {
    /// `athena-operator` with no `--kubeconfig` and no kubeconfig file uses the in-cluster service
    /// account: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the CA and token from the
    /// service-account directory (moved by `$ATHENA_SERVICEACCOUNT_DIR`). A TLS proxy with a fresh
    /// self-signed certificate stands in for the cluster endpoint and refuses requests without the token.
    @Suite("athena-operator in-cluster configuration")
    struct InClusterConfigTests {
        @Test("no --kubeconfig: TLS with the service-account CA and bearer token; reconciles a service")
        func inClusterServiceAccount() async throws {
            let world = try await OperatorWorld.start()
            var proxy: Process?
            do {
                let account = world.directory.appendingPathComponent("serviceaccount")
                try FileManager.default.createDirectory(at: account, withIntermediateDirectories: true)
                let cert = account.appendingPathComponent("ca.crt").path
                let key = world.directory.appendingPathComponent("tls.key").path
                try await Self.run("/usr/bin/openssl", [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                ], in: world.directory)
                let token = "token-\(UUID().uuidString)"
                try token.write(to: account.appendingPathComponent("token"), atomically: true, encoding: .utf8)
                try "default\n".write(to: account.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)

                let (process, port) = try await Self.startProxy(cert: cert, key: key, token: token, upstream: world.server.port, in: world.directory)
                proxy = process
                try world.createApplication("app-a")
                try world.createService("incluster", applications: ["app-a"])
                let home = world.directory.appendingPathComponent("home").path  // no ~/.kube/config there
                let op = try OperatorProcess(
                    name: "incluster", arguments: [],
                    environment: [
                        "KUBECONFIG": nil, "HOME": home, "KUBERNETES_SERVICE_HOST": "127.0.0.1",
                        "KUBERNETES_SERVICE_PORT": String(port), KubeConfig.serviceAccountDirectoryVariable: account.path,
                    ],
                    directory: world.directory)
                defer { _ = op }
                try await eventually("the in-cluster operator brings the service to Running", timeout: .seconds(40),
                                     detail: { "phases \(world.phases); log:\n\(op.logTail(20))" }) {
                    world.allRunning(["incluster"])
                }
                #expect(op.log.contains("in-cluster") || op.log.contains("https://127.0.0.1:\(port)"), "the log should name the in-cluster source:\n\(op.logTail(10))")
                await op.stop()
            } catch {
                proxy?.terminate()
                await world.stop()
                throw error
            }
            proxy?.terminate()
            await world.stop()
        }

        // MARK: - Helpers

        /// Runs a tool to completion (bounded); a missing tool or a failure throws with its output.
        static func run(_ tool: String, _ arguments: [String], in directory: URL) async throws {
            guard FileManager.default.isExecutableFile(atPath: tool) else {
                throw OperatorWorld.Failure(description: "\(tool) not found; the in-cluster test needs it to make a TLS certificate")
            }
            let output = directory.appendingPathComponent("tool-\(UUID().uuidString).out")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            defer { try? handle.close() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            let deadline = ContinuousClock.now + .seconds(30)
            while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { process.terminate() }
            guard !process.isRunning, process.terminationStatus == 0 else {
                let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                throw OperatorWorld.Failure(description: "\(tool) \(arguments.joined(separator: " ")) failed: \(text)")
            }
        }

        /// Starts Fixtures/tls_proxy.py with the venv's Python and waits for the port it prints.
        static func startProxy(cert: String, key: String, token: String, upstream: Int, in directory: URL) async throws -> (Process, Int) {
            let python = ObjectValidator.python
            guard FileManager.default.isExecutableFile(atPath: python) else {
                throw OperatorWorld.Failure(description: "Python not found at \(python); run bash scripts/bootstrap.sh or set ATHENA_PYTHON")
            }
            let stdout = directory.appendingPathComponent("proxy.out")
            _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [KubectlTestServer.fixtures.appendingPathComponent("tls_proxy.py").path, cert, key, token, String(upstream)]
            process.standardOutput = try FileHandle(forWritingTo: stdout)
            process.standardError = try FileHandle(forWritingTo: stdout)
            try process.run()
            var port = 0
            try await eventually("the TLS proxy prints its port", timeout: .seconds(15)) {
                let text = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
                port = Int(text.split(separator: "\n").first ?? "") ?? 0
                return port > 0 || !process.isRunning
            }
            guard port > 0 else {
                process.terminate()
                throw OperatorWorld.Failure(description: "tls_proxy.py did not start: \((try? String(contentsOf: stdout, encoding: .utf8)) ?? "")")
            }
            return (process, port)
        }
    }
}
