import Foundation
import KubeClient
import Testing

@Suite("KubeConfig")
struct KubeConfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    static var caBase64: String { Data(caPEM.utf8).base64EncodedString() }

    static func kubeconfig(user: String = "token: abc", cluster: String = "", current: String = "dev") -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: \(current)
        clusters:
        - name: c1
          cluster:
            server: https://10.0.0.1:6443
            certificate-authority-data: \(caBase64)
        \(cluster)
        contexts:
        - name: dev
          context:
            cluster: c1
            user: u1
            namespace: team-a
        - name: other
          context:
            cluster: c2
            user: u1
        users:
        - name: u1
          user:
            \(user)
        """
    }

    /// A fresh private directory for files the kubeconfig refers to.
    static func tempDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func parsesCurrentContextWithTokenAndCAData() throws {
        let config = try KubeConfig.parse(yaml: Self.kubeconfig())
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.token == "abc")
        #expect(config.namespace == "team-a")
        #expect(config.contextName == "dev")
        #expect(config.tls.caData == Data(Self.caPEM.utf8))
        #expect(config.tls.insecureSkipVerify == false)
    }

    @Test func clientCertificateAndKeyAsData() throws {
        let cert = Data("CERT".utf8).base64EncodedString()
        let key = Data("KEY".utf8).base64EncodedString()
        let config = try KubeConfig.parse(
            yaml: Self.kubeconfig(user: "client-certificate-data: \(cert)\n    client-key-data: \(key)"))
        #expect(config.tls.clientCertData == Data("CERT".utf8))
        #expect(config.tls.clientKeyData == Data("KEY".utf8))
        #expect(config.token == nil)
    }

    @Test func relativeFilesResolveAgainstTheKubeconfigDirectory() throws {
        let dir = try Self.tempDirectory()
        try "CERT".write(to: dir.appendingPathComponent("client.crt"), atomically: true, encoding: .utf8)
        try "KEY".write(to: dir.appendingPathComponent("client.key"), atomically: true, encoding: .utf8)
        try "tok\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        let yaml = Self.kubeconfig(user: "client-certificate: client.crt\n    client-key: client.key\n    tokenFile: token")
        let path = dir.appendingPathComponent("config").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try KubeConfig.load(kubeconfigPath: path, environment: [:])
        #expect(config.tls.clientCertFile == dir.appendingPathComponent("client.crt").path)
        #expect(config.tls.clientKeyFile == dir.appendingPathComponent("client.key").path)
        #expect(config.tokenFile == dir.appendingPathComponent("token").path)
        #expect(config.source == path)
    }

    @Test func insecureSkipVerifyAndExplicitContext() throws {
        let yaml = Self.kubeconfig(cluster: "- name: c2\n  cluster:\n    server: http://127.0.0.1:8080\n    insecure-skip-tls-verify: true")
        let config = try KubeConfig.parse(yaml: yaml, context: "other")
        #expect(config.server == "http://127.0.0.1:8080")
        #expect(config.tls.insecureSkipVerify)
        #expect(config.namespace == "default")
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var context: String?
        var mentions: [String]
        var testDescription: String { name }
    }

    static let badCases: [BadCase] = [
        BadCase(name: "malformed YAML", yaml: "clusters: [\n  - name: x\n bad", mentions: ["not valid YAML"]),
        BadCase(name: "not a mapping", yaml: "- 1\n- 2\n", mentions: ["not a valid kubeconfig"]),
        BadCase(name: "missing context", yaml: kubeconfig(current: "prod"), mentions: ["context \"prod\" not found", "dev"]),
        BadCase(name: "no current context", yaml: "clusters: []\n", mentions: ["no current-context"]),
        BadCase(name: "undefined cluster", yaml: kubeconfig(), context: "other", mentions: ["cluster \"c2\"", "not defined"]),
        BadCase(
            name: "bad base64", yaml: kubeconfig(user: "client-certificate-data: '!!!notbase64'\n    client-key-data: AAAA"),
            mentions: ["client-certificate-data", "base64"]),
        BadCase(
            name: "unreadable file", yaml: kubeconfig(user: "tokenFile: /nonexistent/token"),
            mentions: ["/nonexistent/token", "tokenFile"]),
        BadCase(
            name: "cert without key", yaml: kubeconfig(user: "client-certificate-data: AAAA"),
            mentions: ["certificate without a key"]),
        BadCase(
            name: "exec plugin", yaml: kubeconfig(user: "exec:\n      command: aws"), mentions: ["exec"]),
    ]

    @Test(arguments: badCases)
    func malformedConfigsGiveClearErrors(_ bad: BadCase) {
        do {
            _ = try KubeConfig.parse(yaml: bad.yaml, context: bad.context, source: "test.yaml")
            Issue.record("expected an error for \(bad.name)")
        } catch {
            guard case .config(let message) = error else {
                Issue.record("expected KubeError.config, got \(error)")
                return
            }
            #expect(message.contains("test.yaml"), "message should name the source: \(message)")
            for fragment in bad.mentions {
                #expect(message.contains(fragment), "message should mention \(fragment): \(message)")
            }
        }
    }

    @Test func loadPrefersKUBECONFIGThenHomeThenInCluster() throws {
        let dir = try Self.tempDirectory()
        let envPath = dir.appendingPathComponent("env-config").path
        try Self.kubeconfig().write(toFile: envPath, atomically: true, encoding: .utf8)
        let fromEnv = try KubeConfig.load(environment: ["KUBECONFIG": "/nonexistent/a:\(envPath)", "HOME": dir.path])
        #expect(fromEnv.source == envPath)

        let home = dir.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".kube"), withIntermediateDirectories: true)
        let homePath = home.appendingPathComponent(".kube/config").path
        try Self.kubeconfig().write(toFile: homePath, atomically: true, encoding: .utf8)
        let fromHome = try KubeConfig.load(environment: ["HOME": home.path])
        #expect(fromHome.source == homePath)
    }

    @Test func loadWithNothingListsWhatWasTried() throws {
        let dir = try Self.tempDirectory()
        #expect {
            try KubeConfig.load(environment: ["HOME": dir.path])
        } throws: { error in
            guard case KubeError.config(let message) = error else { return false }
            return message.contains(".kube/config") && message.contains("KUBERNETES_SERVICE_HOST")
        }
    }

    @Test func explicitMissingPathNamesIt() {
        #expect {
            try KubeConfig.load(kubeconfigPath: "/nonexistent/kubeconfig", environment: [:])
        } throws: { error in
            "\(error)".contains("/nonexistent/kubeconfig")
        }
    }

    @Test func inClusterReadsServiceAccountFiles() throws {
        let dir = try Self.tempDirectory()
        try "token-1".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try Self.caPEM.write(to: dir.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        try "athena-system\n".write(to: dir.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        let config = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
            serviceAccountDirectory: dir.path)
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "athena-system")
        #expect(config.tokenFile == dir.appendingPathComponent("token").path)
        #expect(config.tls.caFile == dir.appendingPathComponent("ca.crt").path)

        let v6 = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1"], serviceAccountDirectory: dir.path)
        #expect(v6.server == "https://[fd00::1]:443")
    }

    @Test func inClusterWithoutTokenNamesTheFile() throws {
        let dir = try Self.tempDirectory()
        #expect {
            try KubeConfig.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], serviceAccountDirectory: dir.path)
        } throws: { error in
            "\(error)".contains(dir.appendingPathComponent("token").path)
        }
    }
}
