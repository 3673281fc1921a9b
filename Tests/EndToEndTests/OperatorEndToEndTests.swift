import Foundation
import KubeModel
import Testing

extension OperatorProcessSuites {
    /// Issue 3 "Done means", end to end: the real `kubectl` and the real `athena-operator` process
    /// against the `kube-testserver` process with workload simulation.
    @Suite("athena-operator end to end (kubectl, kube-testserver)")
    struct OperatorEndToEndTests {
        static let childKinds = "deployments,services,configmaps,networkpolicies"

        @Test("samples → Running with URL and ready counts; valid objects; weights, drift, stop, delete")
        func samplesLifecycle() async throws {
            let server = try await KubectlTestServer(extraArguments: ["--simulate-workloads", "--workload-delay-ms", "100"])
            var op: OperatorProcess?
            do {
                op = try OperatorProcess(name: "e2e", arguments: ["--kubeconfig", server.kubeconfig], directory: server.directory)
                try await Self.lifecycle(server, operator: try #require(op))
                let running = try #require(op)
                let exit = await running.stop()
                #expect(exit == 0, "athena-operator should exit 0 on SIGTERM:\n\(running.logTail())")
            } catch {
                let log = op?.logTail() ?? "(operator not started)"
                await op?.stop()
                await server.stop()
                Issue.record("operator log tail:\n\(log)")
                throw error
            }
            await server.stop()
        }

        private static func lifecycle(_ server: KubectlTestServer, operator op: OperatorProcess) async throws {
            let root = KubectlTestServer.root
            let crds = try await server.kubectl("apply", "-f", root.appendingPathComponent("crds").path)
            try #require(crds.status == 0, "kubectl apply -f crds/: \(crds.all)")
            let samples = try await server.kubectl("apply", "-f", root.appendingPathComponent("config/samples").path)
            try #require(samples.status == 0, "kubectl apply -f config/samples/: \(samples.all)")

            // 1. kubectl get onlineservices: Running, the URL, ready counts (printer columns).
            var table = KubectlTable("")
            try await eventually("kubectl get onlineservices shows digits and iris Running", timeout: .seconds(45),
                                 detail: { "last table: \(table.rows); operator log:\n\(op.logTail(15))" }) {
                table = KubectlTable(try await server.kubectl("get", "onlineservices").stdout)
                return table.row(named: "digits")?["PHASE"] == "Running" && table.row(named: "iris")?["PHASE"] == "Running"
            }
            #expect(table.header.starts(with: ["NAME", "PHASE", "URL", "VERSIONS", "READY"]), "\(table.header)")
            let digits = try #require(table.row(named: "digits"))
            #expect(digits["URL"]?.hasPrefix("http://digits.default.") == true, "\(digits)")
            #expect(digits["VERSIONS"] == "2/2", "\(digits)")
            #expect(digits["READY"] == "3/3", "\(digits)")
            #expect(table.row(named: "iris")?["READY"] == "1/1", "\(table.rows)")

            // 2. Every object the operator created is valid Kubernetes (real schemas, strict).
            let children = try await Self.children(server)
            let names = Set(children.compactMap { object -> String? in
                guard let kind = object["kind"]?.stringValue, let name = object[path: ["metadata", "name"]]?.stringValue else { return nil }
                return "\(kind)/\(name)"
            })
            let expected: Set<String> = [
                "Deployment/digits-digits-v1", "Deployment/digits-digits-v2", "Deployment/iris-iris",
                "Service/digits", "Service/digits-digits-v1-engine", "Service/digits-digits-v2-engine",
                "Service/iris", "Service/iris-iris-engine", "ConfigMap/digits-routing", "ConfigMap/iris-routing",
                "NetworkPolicy/digits-engines", "NetworkPolicy/iris-engines",
            ]
            #expect(names == expected, "children: \(names.sorted())")
            let events = try await server.json("get", "events", "-o", "json")["items"]?.arrayValue ?? []
            let ours = events.filter { $0[path: ["source", "component"]]?.stringValue == "athena-operator" || $0["reportingComponent"]?.stringValue == "athena-operator" }
            #expect(!ours.isEmpty, "the operator should have recorded Events")
            try await ObjectValidator.validate(children + ours, in: server.directory)

            // 2b. The batch samples run as indexed Jobs (valid Kubernetes) to Completed: digits-batch over
            // a folder, iris-batch over a CSV (its driver gets the request schema and the mapping).
            var batches = KubectlTable("")
            try await eventually("kubectl get batchservices shows digits-batch and iris-batch Completed", timeout: .seconds(45),
                                 detail: { "last table: \(batches.rows); operator log:\n\(op.logTail(15))" }) {
                batches = KubectlTable(try await server.kubectl("get", "batchservices").stdout)
                return batches.row(named: "digits-batch")?["PHASE"] == "Completed" && batches.row(named: "iris-batch")?["PHASE"] == "Completed"
            }
            let jobs = try await server.json("get", "jobs", "-l", "app.kubernetes.io/name=athena-batchservice", "-o", "json")["items"]?
                .arrayValue ?? []
            #expect(Set(jobs.compactMap { $0[path: ["metadata", "name"]]?.stringValue }) == ["digits-batch", "iris-batch"])
            let iris = jobs.first { $0[path: ["metadata", "name"]] == "iris-batch" }
            let irisArgs = iris?[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first?["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(irisArgs.contains("--request-schema") && irisArgs.contains("petal_length=2") && !irisArgs.contains("--field"), "\(irisArgs)")
            try await ObjectValidator.validate(jobs, in: server.directory)

            // 3. Weights change → routing ConfigMap updated, Deployments untouched.
            let before = try await Self.deploymentVersions(server, service: "digits")
            let service = try await server.json("get", "onlineservice", "digits", "-o", "json")
            var versions = try #require(service[path: ["spec", "versions"]]?.arrayValue)
            versions[0]["weight"] = 60
            versions[1]["weight"] = 40
            let patch = String(decoding: try JSONValue.object(["spec": ["versions": .array(versions)]]).serialized(), as: UTF8.self)
            let patched = try await server.kubectl("patch", "onlineservice", "digits", "--type=merge", "-p", patch)
            try #require(patched.status == 0, "\(patched.all)")
            try await eventually("routing ConfigMap carries weights 60/40 and status caught up", timeout: .seconds(20)) {
                let weights = try await Self.routingWeights(server, service: "digits")
                let status = try await server.json("get", "onlineservice", "digits", "-o", "json")
                return weights == [60, 40] && status[path: ["status", "observedGeneration"]] == status[path: ["metadata", "generation"]]
                    && status[path: ["status", "phase"]] == "Running"
            }
            #expect(try await Self.deploymentVersions(server, service: "digits") == before, "a weight change must not touch Deployments")

            // 4. Drift: a deleted Deployment comes back; an edited one is restored.
            let oldUID = try await server.json("get", "deployment", "digits-digits-v2", "-o", "json")[path: ["metadata", "uid"]]
            let deleted = try await server.kubectl("delete", "deployment", "digits-digits-v2")
            try #require(deleted.status == 0, "\(deleted.all)")
            try await eventually("deleted Deployment digits-digits-v2 recreated", timeout: .seconds(20)) {
                let result = try await server.kubectl("get", "deployment", "digits-digits-v2", "-o", "json")
                guard result.status == 0 else { return false }
                let uid = try JSONValue.parse(Data(result.stdout.utf8))[path: ["metadata", "uid"]]
                return uid != nil && uid != oldUID
            }
            let scaled = try await server.kubectl("patch", "deployment", "digits-digits-v1", "--type=merge", "-p", #"{"spec":{"replicas":7}}"#)
            try #require(scaled.status == 0, "\(scaled.all)")
            try await eventually("edited Deployment digits-digits-v1 back to 2 replicas", timeout: .seconds(20)) {
                try await server.json("get", "deployment", "digits-digits-v1", "-o", "json")[path: ["spec", "replicas"]] == 2
            }

            // 5. stopped: true → zero replicas, phase Stopped, objects kept.
            let stop = try await server.kubectl("patch", "osvc", "digits", "--type=merge", "-p", #"{"spec":{"stopped":true}}"#)
            try #require(stop.status == 0, "\(stop.all)")
            try await eventually("digits Stopped with zero replicas", timeout: .seconds(20)) {
                let phase = try await server.json("get", "osvc", "digits", "-o", "json")[path: ["status", "phase"]]
                let replicas = try await Self.deploymentReplicas(server, service: "digits")
                return phase == "Stopped" && replicas == ["digits-digits-v1": 0, "digits-digits-v2": 0]
            }
            #expect(try await server.kubectl("get", "service", "digits").status == 0, "stopping keeps the objects")

            // 6. Delete → every child gone; the other service keeps its own.
            let gone = try await server.kubectl("delete", "osvc", "digits")
            try #require(gone.status == 0, "\(gone.all)")
            try await eventually("every child of digits deleted", timeout: .seconds(20)) {
                try await Self.children(server).allSatisfy { $0[path: ["metadata", "labels", "app.kubernetes.io/instance"]] != "digits" }
            }
            #expect(try await Self.children(server).count == 5, "iris keeps its 5 children")
        }

        // MARK: - Reading the cluster back

        static func children(_ server: KubectlTestServer) async throws -> [JSONValue] {
            try await server.json("get", childKinds, "-l", "app.kubernetes.io/managed-by=athena-operator", "-o", "json")["items"]?
                .arrayValue ?? []
        }

        static func deploymentVersions(_ server: KubectlTestServer, service: String) async throws -> [String: String] {
            let items = try await server.json("get", "deployments", "-l", "app.kubernetes.io/instance=\(service)", "-o", "json")["items"]?.arrayValue ?? []
            return Dictionary(uniqueKeysWithValues: items.compactMap { item in
                guard let name = item[path: ["metadata", "name"]]?.stringValue,
                      let version = item[path: ["metadata", "resourceVersion"]]?.stringValue else { return nil }
                return (name, version)
            })
        }

        static func deploymentReplicas(_ server: KubectlTestServer, service: String) async throws -> [String: Int] {
            let items = try await server.json("get", "deployments", "-l", "app.kubernetes.io/instance=\(service)", "-o", "json")["items"]?.arrayValue ?? []
            return Dictionary(uniqueKeysWithValues: items.compactMap { item in
                guard let name = item[path: ["metadata", "name"]]?.stringValue,
                      let replicas = item[path: ["spec", "replicas"]]?.intValue else { return nil }
                return (name, replicas)
            })
        }

        static func routingWeights(_ server: KubectlTestServer, service: String) async throws -> [Int] {
            let map = try await server.json("get", "configmap", "\(service)-routing", "-o", "json")
            guard let text = map[path: ["data", "routing.yaml"]]?.stringValue else { return [] }
            let table = try JSONValue.parse(Data(text.utf8))
            let versions = table[path: ["services"]]?.arrayValue?.first?["versions"]?.arrayValue ?? []
            return versions.compactMap { $0["weight"]?.intValue }
        }
    }
}

extension KubectlTestServer {
    /// `kubectl args…` whose stdout is JSON (`-o json`); a failed command throws with its stderr.
    func json(_ args: String...) async throws -> JSONValue {
        let process = try await kubectl(arguments: args)
        guard process.status == 0 else {
            throw Failure(description: "kubectl \(args.joined(separator: " ")) failed: \(process.all)")
        }
        return try JSONValue.parse(Data(process.stdout.utf8))
    }
}
