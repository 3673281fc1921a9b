import Foundation
import KubeTransport

/// Where and how to reach the API server: URL, TLS material, credentials, default namespace.
///
/// Built from a kubeconfig file (`parse`, `fromFile`) or the pod's service account (`inCluster`);
/// `load` picks the source the way kubectl and client-go do.
public struct KubeConfig: Sendable, Hashable {
    /// `https://host:port` (no trailing slash needed).
    public var server: String
    public var tls: TLSOptions
    /// A static bearer token.
    public var token: String?
    /// A file holding the bearer token; re-read periodically because projected service-account
    /// tokens rotate.
    public var tokenFile: String?
    /// The namespace used when a call on a namespaced resource names none.
    public var namespace: String
    /// The kubeconfig context used, if any.
    public var contextName: String?
    /// Where this configuration came from (file path or `in-cluster`), for messages.
    public var source: String

    public init(
        server: String, tls: TLSOptions = TLSOptions(), token: String? = nil, tokenFile: String? = nil,
        namespace: String = "default", contextName: String? = nil, source: String = "explicit"
    ) {
        self.server = server
        self.tls = tls
        self.token = token
        self.tokenFile = tokenFile
        self.namespace = namespace
        self.contextName = contextName
        self.source = source
    }

    // MARK: - Choosing a source

    /// Loads configuration from, in order: `kubeconfigPath` if given; the first existing file of
    /// `$KUBECONFIG` (a `:`-separated list); `~/.kube/config`; the in-cluster service account.
    /// Throws `KubeError.config` naming the file and the problem; when nothing is found the
    /// message lists every place that was tried.
    public static func load(
        kubeconfigPath: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeError) -> KubeConfig {
        if let kubeconfigPath {
            return try fromFile(kubeconfigPath, context: context)
        }
        var tried: [String] = []
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            for path in list.split(separator: ":").map(String.init) where !path.isEmpty {
                if FileManager.default.fileExists(atPath: path) { return try fromFile(path, context: context) }
                tried.append("$KUBECONFIG entry \(path) (missing)")
            }
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let homeConfig = (home as NSString).appendingPathComponent(".kube/config")
        if FileManager.default.fileExists(atPath: homeConfig) { return try fromFile(homeConfig, context: context) }
        tried.append("\(homeConfig) (missing)")
        if environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(environment: environment)
        }
        tried.append("in-cluster (KUBERNETES_SERVICE_HOST not set)")
        throw .config("no Kubernetes configuration found; tried: " + tried.joined(separator: "; "))
    }

    /// Reads and parses the kubeconfig at `path`; relative file references in it are resolved
    /// against the file's directory, as kubectl does.
    public static func fromFile(_ path: String, context: String? = nil) throws(KubeError) -> KubeConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .config("cannot read kubeconfig \(path): \(error.localizedDescription)")
        }
        var config = try parse(
            yaml: text, context: context, baseDirectory: (path as NSString).deletingLastPathComponent, source: path)
        config.source = path
        return config
    }
}
