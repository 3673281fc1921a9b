import Foundation
import Testing

/// `athena render` as a GitOps user runs it: the samples in, the operator's objects out.
@Suite("athena render", .timeLimit(.minutes(2)))
struct RenderCommandTests {
    @Test("renders the digits samples into the objects the operator creates")
    func rendersSamples() async throws {
        let result = try await CLI.run([
            "render", "-f", "config/samples/aiapplication-digits.yaml", "-f", "config/samples/aiapplication-digits-v2.yaml",
            "-f", "config/samples/onlineservice-digits.yaml",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        for kind in ["kind: ConfigMap", "kind: Deployment", "kind: Service", "kind: NetworkPolicy", "routing.yaml"] {
            #expect(result.stdout.contains(kind), "missing \(kind) in:\n\(result.stdout.prefix(2000))")
        }
        #expect(result.stdout.contains("type: NodePort"))
        // The routing table must not carry numbers as `4e+1`: YAML 1.1 readers take those for strings.
        #expect(!result.stdout.contains("e+1"), "exponent-form number in the routing table")
    }

    @Test("a service whose application is missing is refused with the reason, exit 2")
    func missingApplication() async throws {
        let result = try await CLI.run(["render", "-f", "config/samples/onlineservice-digits.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("athena: OnlineService"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("no file or an unreadable file is a usage error")
    func usageErrors() async throws {
        let none = try await CLI.run(["render"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("at least one -f"), "\(none.stderr)")
        let unreadable = try await CLI.run(["render", "-f", "/no/such/file.yaml"])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("cannot read /no/such/file.yaml"), "\(unreadable.stderr)")
    }
}
