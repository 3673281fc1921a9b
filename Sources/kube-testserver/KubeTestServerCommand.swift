import ArgumentParser
import Foundation
import KubeTesting

/// `kube-testserver`: the in-memory Kubernetes API server as a process, for `kubectl` and the
/// operator. Writes a kubeconfig, prints the port, runs until SIGINT/SIGTERM.
@main
struct KubeTestServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-testserver",
        abstract: "An in-memory Kubernetes API server for tests (plain HTTP, no auth).")

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Write a kubeconfig for this server to this file.")
    var kubeconfig: String?

    @Flag(help: "Stand in for the Deployment and Job controllers: report Deployments ready and Jobs complete.")
    var simulateWorkloads = false

    @Option(help: "Milliseconds the simulated controllers wait before updating status.")
    var workloadDelayMs: Int = 200

    @Option(help: "Watch events kept for resuming watches; older resourceVersions get 410 Gone.")
    var historyLimit: Int = 1000

    @Option(help: "Send watch bookmarks this often (seconds, 0 = only on request).")
    var bookmarkSeconds: Int = 0

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, got \(port)") }
        guard workloadDelayMs >= 0 else { throw ValidationError("--workload-delay-ms must not be negative") }
        guard historyLimit > 0 else { throw ValidationError("--history-limit must be positive") }
    }

    func run() async throws {
        let options = APIServer.Options(
            host: host, port: port, simulateWorkloads: simulateWorkloads, workloadDelay: .milliseconds(workloadDelayMs),
            historyLimit: historyLimit, bookmarkInterval: bookmarkSeconds > 0 ? .seconds(bookmarkSeconds) : nil)
        let server = APIServer(options: options)
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
        let bound = try await server.start()
        if let kubeconfig {
            do {
                try server.writeKubeconfig(to: kubeconfig)
            } catch {
                await server.stop()
                throw ValidationError("cannot write the kubeconfig to \(kubeconfig): \(error.localizedDescription)")
            }
        }
        FileHandle.standardOutput.write(Data("\(bound)\n".utf8))
        let signal = await signals.wait()
        FileHandle.standardError.write(Data("kube-testserver: signal \(signal), shutting down\n".utf8))
        await server.stop()
    }
}
