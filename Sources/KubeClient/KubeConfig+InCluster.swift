import Foundation
import KubeTransport

// MARK: - In-cluster configuration

extension KubeConfig {
    /// The default service-account mount of a pod.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Environment variable that moves the service-account directory (tests run the operator's
    /// in-cluster path outside a pod with their own token and CA).
    public static let serviceAccountDirectoryVariable = "ATHENA_SERVICEACCOUNT_DIR"

    /// Configuration of a pod talking to its own cluster: `KUBERNETES_SERVICE_HOST/PORT`, the
    /// mounted token (re-read as it rotates), `ca.crt` and `namespace`, read from `directory`,
    /// else `$ATHENA_SERVICEACCOUNT_DIR`, else the standard mount.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String? = nil
    ) throws(KubeError) -> KubeConfig {
        let directory = serviceAccountDirectory
            ?? environment[serviceAccountDirectoryVariable].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.serviceAccountDirectory
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw .config("in-cluster configuration: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)")
        }
        let port = environment["KUBERNETES_SERVICE_PORT"].flatMap { $0.isEmpty ? nil : $0 } ?? "443"
        guard Int(port) != nil else {
            throw .config("in-cluster configuration: KUBERNETES_SERVICE_PORT \"\(port)\" is not a port number")
        }
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        let namespacePath = (directory as NSString).appendingPathComponent("namespace")
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw .config("in-cluster configuration: service-account token \(tokenPath) is missing or unreadable")
        }
        guard FileManager.default.isReadableFile(atPath: caPath) else {
            throw .config("in-cluster configuration: CA bundle \(caPath) is missing or unreadable")
        }
        let namespace = (try? String(contentsOfFile: namespacePath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host  // IPv6 literal
        return KubeConfig(
            server: "https://\(hostPart):\(port)", tls: TLSOptions(caFile: caPath), tokenFile: tokenPath,
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default", source: "in-cluster")
    }
}
