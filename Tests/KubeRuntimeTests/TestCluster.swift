import KubeClient
import KubeModel
import KubeTesting
import Synchronization
import Testing

/// The in-memory API server plus a real (libcurl) client pointed at it.
struct TestCluster {
    let server: APIServer
    let client: KubeClient

    static func start() async throws -> TestCluster {
        let server = try await APIServer.start()
        let config = try KubeConfig.parse(yaml: server.kubeconfigYAML(namespace: "default"))
        return TestCluster(server: server, client: KubeClient(config: config))
    }

    /// Runs `body` with a fresh cluster and always stops the server.
    static func with<T>(_ body: (TestCluster) async throws -> T) async throws -> T {
        let cluster = try await start()
        do {
            let result = try await body(cluster)
            await cluster.server.stop()
            return result
        } catch {
            await cluster.server.stop()
            throw error
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes (no fixed sleeps in tests).
func eventually(
    _ what: String, timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    var attempts = 0
    while ContinuousClock.now < deadline, attempts < 10_000 {
        attempts += 1
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(timeout) waiting for: \(what)")
    throw TimeoutError(what: what)
}

struct TimeoutError: Error { var what: String }

/// Runs a service-like `run` in the background; `stop()` cancels and waits for it.
final class Background: Sendable {
    private let task: Task<Void, any Error>
    init(_ run: @escaping @Sendable () async throws -> Void) { task = Task { try await run() } }
    func stop() async { task.cancel(); _ = await task.result }
    var result: Result<Void, any Error> { get async { await task.result } }
}

/// A lock-protected value that closures can capture (a `Mutex` itself cannot be copied into them).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
