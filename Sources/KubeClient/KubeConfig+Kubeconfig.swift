import Foundation
import KubeTransport
import Yams

// MARK: - kubeconfig parsing

extension KubeConfig {
    /// Parses kubeconfig YAML and resolves `context` (default: `current-context`).
    ///
    /// Every problem is a `KubeError.config` that says which context, cluster or user is wrong
    /// and why: malformed YAML, a missing context, bad base64, an unreadable referenced file.
    public static func parse(
        yaml: String, context: String? = nil, baseDirectory: String? = nil, source: String = "kubeconfig"
    ) throws(KubeError) -> KubeConfig {
        let file: KubeconfigFile
        do {
            file = try YAMLDecoder().decode(KubeconfigFile.self, from: yaml)
        } catch let error as YamlError {
            throw .config("\(source) is not valid YAML: \(error)")
        } catch let error as DecodingError {
            throw .config("\(source) is not a valid kubeconfig: \(describe(error))")
        } catch {
            throw .config("\(source) is not a valid kubeconfig: \(error)")
        }

        guard let contextName = context ?? file.currentContext, !contextName.isEmpty else {
            throw .config("\(source) has no current-context and no context was requested")
        }
        guard let namedContext = file.contexts?.first(where: { $0.name == contextName }) else {
            let known = (file.contexts ?? []).map(\.name).joined(separator: ", ")
            throw .config("\(source): context \"\(contextName)\" not found (contexts: \(known.isEmpty ? "none" : known))")
        }
        let ctx = namedContext.context
        guard let cluster = file.clusters?.first(where: { $0.name == ctx.cluster })?.cluster else {
            throw .config("\(source): context \"\(contextName)\" refers to cluster \"\(ctx.cluster)\", which is not defined")
        }
        guard let server = cluster.server, !server.isEmpty else {
            throw .config("\(source): cluster \"\(ctx.cluster)\" has no server")
        }
        var user = KubeconfigFile.User()
        if let userName = ctx.user, !userName.isEmpty {
            guard let found = file.users?.first(where: { $0.name == userName })?.user else {
                throw .config("\(source): context \"\(contextName)\" refers to user \"\(userName)\", which is not defined")
            }
            user = found
        }

        let resolver = FileReferenceResolver(baseDirectory: baseDirectory, source: source)
        var tls = TLSOptions(insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false)
        tls.caData = try resolver.base64(cluster.certificateAuthorityData, field: "clusters[\(ctx.cluster)].certificate-authority-data")
        tls.caFile = try resolver.file(cluster.certificateAuthority, field: "clusters[\(ctx.cluster)].certificate-authority")
        let userLabel = "users[\(ctx.user ?? "")]"
        tls.clientCertData = try resolver.base64(user.clientCertificateData, field: "\(userLabel).client-certificate-data")
        tls.clientCertFile = try resolver.file(user.clientCertificate, field: "\(userLabel).client-certificate")
        tls.clientKeyData = try resolver.base64(user.clientKeyData, field: "\(userLabel).client-key-data")
        tls.clientKeyFile = try resolver.file(user.clientKey, field: "\(userLabel).client-key")
        let hasCert = tls.clientCertData != nil || tls.clientCertFile != nil
        let hasKey = tls.clientKeyData != nil || tls.clientKeyFile != nil
        if hasCert != hasKey {
            throw .config("\(source): \(userLabel) has a client \(hasCert ? "certificate without a key" : "key without a certificate")")
        }
        let tokenFile = try resolver.file(user.tokenFile, field: "\(userLabel).tokenFile")
        if user.token == nil, tokenFile == nil, !hasCert, user.exec != nil || user.authProvider != nil {
            throw .config(
                "\(source): \(userLabel) authenticates with an exec or auth-provider plugin, which this client does not "
                    + "support; use a token, a token file or a client certificate")
        }

        return KubeConfig(
            server: server, tls: tls, token: user.token, tokenFile: tokenFile,
            namespace: ctx.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default", contextName: contextName,
            source: source)
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "top level" : joined
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type): \(context.debugDescription)"
        case .valueNotFound(let type, let context): return "\(path(context)): missing \(type) value"
        case .keyNotFound(let key, let context): return "\(path(context)): missing required key \"\(key.stringValue)\""
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

/// Turns kubeconfig file references and base64 fields into checked paths and bytes.
private struct FileReferenceResolver {
    let baseDirectory: String?
    let source: String

    func base64(_ value: String?, field: String) throws(KubeError) -> Data? {
        guard let value, !value.isEmpty else { return nil }
        let compact = value.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw .config("\(source): \(field) is not valid base64")
        }
        return data
    }

    func file(_ value: String?, field: String) throws(KubeError) -> String? {
        guard let value, !value.isEmpty else { return nil }
        var path = value
        if !path.hasPrefix("/"), let baseDirectory, !baseDirectory.isEmpty {
            path = (baseDirectory as NSString).appendingPathComponent(path)
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw .config("\(source): \(field) names \(path), which does not exist or is not readable")
        }
        return path
    }
}

/// The subset of the kubeconfig schema this client uses.
struct KubeconfigFile: Decodable {
    struct NamedCluster: Decodable { var name: String; var cluster: Cluster }
    struct Cluster: Decodable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }
    struct NamedContext: Decodable { var name: String; var context: Context }
    struct Context: Decodable { var cluster: String; var user: String?; var namespace: String? }
    struct NamedUser: Decodable { var name: String; var user: User? }
    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var exec: Present?
        var authProvider: Present?
        init() {}
        enum CodingKeys: String, CodingKey {
            case token, tokenFile, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case authProvider = "auth-provider"
        }
    }

    /// Any value: only whether the key is there matters.
    struct Present: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    var currentContext: String?
    var clusters: [NamedCluster]?
    var contexts: [NamedContext]?
    var users: [NamedUser]?

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, contexts, users
    }
}
