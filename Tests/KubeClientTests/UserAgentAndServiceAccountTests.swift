import Foundation
import KubeClient
import KubeModel
import KubeTesting
import Testing

/// The client's User-Agent reaches the server (how two operator replicas are told apart), and
/// the in-cluster loader honours `$ATHENA_SERVICEACCOUNT_DIR` (how tests run that path).
@Suite("User-Agent and service-account directory")
struct UserAgentAndServiceAccountTests {
    @Test("the User-Agent given to KubeClient is what the server logs")
    func userAgentIsSent() async throws {
        let server = try await APIServer.start()
        do {
            let config = try KubeConfig.parse(yaml: server.kubeconfigYAML(namespace: "default"), source: "testserver")
            let client = KubeClient(config: config, userAgent: "athena-operator/replica-a")
            _ = try await client.list(Lease.self, namespace: "default", options: ListOptions())
            _ = try await KubeClient(config: config).list(Lease.self, namespace: "default", options: ListOptions())
            #expect(server.requestLog.entries.map(\.userAgent) == ["athena-operator/replica-a", "athena-serving"])
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test("KubeConfig.load falls back to in-cluster with the directory from $ATHENA_SERVICEACCOUNT_DIR")
    func serviceAccountDirectoryFromEnvironment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "token-2".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try KubeConfigTests.caPEM.write(to: dir.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        try "team-a".write(to: dir.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        let config = try KubeConfig.load(environment: [
            "HOME": dir.path, "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "6443",
            KubeConfig.serviceAccountDirectoryVariable: dir.path,
        ])
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.namespace == "team-a")
        #expect(config.tokenFile == dir.appendingPathComponent("token").path)
    }
}
