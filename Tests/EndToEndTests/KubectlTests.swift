import Foundation
import KubeModel
import Testing

/// The real `kubectl` (1.32) against the `kube-testserver` executable.
@Suite("kubectl against kube-testserver", .serialized)
struct KubectlTests {
    private func withServer(_ body: (KubectlTestServer) async throws -> Void) async throws {
        let server = try await KubectlTestServer()
        do {
            try await body(server)
            #expect(await server.stop() == 0, "kube-testserver should exit cleanly on SIGTERM")
        } catch {
            await server.stop()
            throw error
        }
    }

    @Test func namespacesConfigMapsAndApplyTwice() async throws {
        try await withServer { server in
            let ns = try await server.kubectl("create", "-f", server.fixture("kubectl-namespace.yaml"))
            #expect(ns.status == 0, "\(ns.all)")
            let first = try await server.kubectl("apply", "-f", server.fixture("kubectl-configmap.yaml"))
            #expect(first.stdout.contains("configmap/settings created"), "\(first.all)")
            let second = try await server.kubectl("apply", "-f", server.fixture("kubectl-configmap.yaml"))
            #expect(second.stdout.contains("configmap/settings unchanged"), "\(second.all)")

            let listed = try await server.kubectl("get", "cm", "-n", "e2e", "-l", "app=demo")
            #expect(listed.stdout.contains("settings"), "\(listed.all)")
            #expect(listed.stdout.contains("DATA"))

            let json = try await server.kubectl("get", "configmap", "settings", "-n", "e2e", "-o", "json")
            let object = try JSONValue.parse(Data(json.stdout.utf8))
            #expect(object[path: ["data", "mode"]] == "fast")
            #expect(object[path: ["metadata", "uid"]]?.stringValue?.isEmpty == false)

            let deleted = try await server.kubectl("delete", "configmap", "settings", "-n", "e2e")
            #expect(deleted.stdout.contains("deleted"), "\(deleted.all)")
            let gone = try await server.kubectl("get", "configmap", "settings", "-n", "e2e")
            #expect(gone.status != 0)
            #expect(gone.stderr.contains("NotFound") || gone.stderr.contains("not found"), "\(gone.all)")
        }
    }

    @Test func customResourcesWithPrinterColumnsAndValidation() async throws {
        try await withServer { server in
            _ = try await server.kubectl("create", "-f", server.fixture("kubectl-namespace.yaml"))
            let crd = try await server.kubectl("apply", "-f", server.fixture("kubectl-widget-crd.yaml"))
            #expect(crd.status == 0, "\(crd.all)")
            let established = try await server.kubectl(
                "wait", "--for", "condition=Established", "--timeout=20s", "crd/widgets.example.athena.dev")
            #expect(established.status == 0, "\(established.all)")

            let created = try await server.kubectl("apply", "-f", server.fixture("kubectl-widget.yaml"))
            #expect(created.stdout.contains("widget.example.athena.dev/w1 created"), "\(created.all)")
            let again = try await server.kubectl("apply", "-f", server.fixture("kubectl-widget.yaml"))
            #expect(again.stdout.contains("unchanged"), "\(again.all)")

            let table = try await server.kubectl("get", "widgets", "-n", "e2e")
            let header = table.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "SIZE", "COLORS", "PHASE", "AGE"], "\(table.all)")
            #expect(table.stdout.contains("red,blue"))
            let byShortName = try await server.kubectl("get", "wd", "-n", "e2e", "-o", "name")
            #expect(byShortName.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "widget.example.athena.dev/w1")
            let byCategory = try await server.kubectl("get", "athena", "-n", "e2e")
            #expect(byCategory.stdout.contains("w1"), "\(byCategory.all)")

            let status = try await server.kubectl(
                "patch", "widget", "w1", "-n", "e2e", "--subresource=status", "--type=merge", "-p", #"{"status":{"phase":"Ready"}}"#)
            #expect(status.status == 0, "\(status.all)")
            let ready = try await server.kubectl("get", "widget", "w1", "-n", "e2e", "-o", "jsonpath={.status.phase}")
            #expect(ready.stdout == "Ready")

            let invalid = try await server.kubectl("apply", "-f", server.fixture("kubectl-widget-invalid.yaml"))
            #expect(invalid.status != 0)
            #expect(
                invalid.stderr.contains("spec.size: Invalid value: 150: spec.size in body should be less than or equal to 100"),
                "\(invalid.all)")

            let deleted = try await server.kubectl("delete", "-f", server.fixture("kubectl-widget.yaml"))
            #expect(deleted.stdout.contains("deleted"), "\(deleted.all)")
            let crds = try await server.kubectl("get", "crd")
            #expect(crds.stdout.contains("widgets.example.athena.dev"))
        }
    }

    @Test func simulatedDeploymentBecomesAvailable() async throws {
        let server = try await KubectlTestServer(extraArguments: ["--simulate-workloads", "--workload-delay-ms", "50"])
        do {
            let created = try await server.kubectl("apply", "-f", server.fixture("kubectl-deployment.yaml"))
            #expect(created.status == 0, "\(created.all)")
            let available = try await server.kubectl(
                "wait", "--for", "condition=Available", "--timeout=20s", "deployment/web", "-n", "default")
            #expect(available.status == 0, "\(available.all)")
            let table = try await server.kubectl("get", "deployment", "web", "-n", "default")
            #expect(table.stdout.contains("2/2"), "\(table.all)")
        } catch {
            await server.stop()
            throw error
        }
        #expect(await server.stop() == 0)
    }
}
