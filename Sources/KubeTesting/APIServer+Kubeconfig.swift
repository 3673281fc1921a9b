import Foundation

extension APIServer {
    /// A kubeconfig pointing at this server over plain HTTP, no credentials, context `testserver`.
    public func kubeconfigYAML(namespace: String = "default") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: testserver
          cluster:
            server: \(url)
        users:
        - name: testserver
          user: {}
        contexts:
        - name: testserver
          context:
            cluster: testserver
            user: testserver
            namespace: \(namespace)
        current-context: testserver
        preferences: {}

        """
    }

    /// Writes `kubeconfigYAML` to `path`, creating the parent directory.
    public func writeKubeconfig(to path: String, namespace: String = "default") throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(kubeconfigYAML(namespace: namespace).utf8).write(to: url, options: .atomic)
    }
}
