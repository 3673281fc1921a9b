import AthenaAPI
import Foundation
import KubeModel
import KubeTesting

/// An in-process API server (so tests can inject faults and read the request log) with the
/// CRDs installed by the real `kubectl`, and helpers to run `athena-operator` processes against it
/// and to check what they built.
final class OperatorWorld: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    static let services = GroupVersionResource(group: "", version: "v1", resource: "services")
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let networkPolicies = GroupVersionResource(group: "networking.k8s.io", version: "v1", resource: "networkpolicies")
    static let leases = GroupVersionResource(group: "coordination.k8s.io", version: "v1", resource: "leases")
    static let childResources = [deployments, services, configMaps, networkPolicies]

    let server: APIServer
    let directory: URL
    let kubeconfig: String
    private(set) var operators: [OperatorProcess] = []

    private init(server: APIServer, directory: URL) {
        self.server = server
        self.directory = directory
        kubeconfig = directory.appendingPathComponent("kubeconfig").path
    }

    /// A server with workload simulation and the CRDs from `crds/` applied by kubectl.
    static func start(workloadDelay: Duration = .milliseconds(50)) async throws -> OperatorWorld {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("operator-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = try await APIServer.start(APIServer.Options(simulateWorkloads: true, workloadDelay: workloadDelay, historyLimit: 20_000))
        let world = OperatorWorld(server: server, directory: directory)
        do {
            try server.writeKubeconfig(to: world.kubeconfig)
            let kubectl = try SamplesKubectl(kubeconfig: world.kubeconfig, cacheDirectory: directory.path)
            let crds = try await kubectl.run(["apply", "-f", KubectlTestServer.root.appendingPathComponent("crds").path])
            guard crds.status == 0 else { throw Failure(description: "kubectl apply -f crds/ failed: \(crds.stderr)") }
        } catch {
            await world.stop()
            throw error
        }
        return world
    }

    /// Starts an operator process against this server (`--kubeconfig`), remembered for `stop()`.
    func startOperator(name: String, arguments: [String] = [], environment: [String: String?] = [:]) throws -> OperatorProcess {
        let process = try OperatorProcess(
            name: name, arguments: ["--kubeconfig", kubeconfig] + arguments, environment: environment, directory: directory)
        operators.append(process)
        return process
    }

    /// Stops every operator (SIGTERM, bounded) and the server; removes the directory.
    func stop() async {
        for process in operators { await process.stop(timeout: .seconds(10)) }
        await server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Tails of every operator log, for failure messages.
    var logs: String {
        operators.map { "--- operator \($0.name) (pid \($0.pid)):\n\($0.logTail(25))" }.joined(separator: "\n")
    }

    // MARK: - Objects

    func createApplication(_ name: String) throws {
        _ = try server.create([
            "apiVersion": "serving.athena.dev/v1alpha1", "kind": "AIApplication",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "version": "1.0.0",
                "runtime": ["image": "ghcr.io/athena-serving/example-digits:0.1.0", "protocol": "grpc", "port": 50051],
                "resources": ["cpu": "100m", "memory": "128Mi"],
            ],
        ])
    }

    /// An OnlineService over `applications` (equal weights summing to 100, one replica each).
    func createService(_ name: String, applications: [String]) throws {
        let weight = 100 / max(applications.count, 1)
        let versions: [JSONValue] = applications.enumerated().map { index, application in
            let share = index == 0 ? 100 - weight * (applications.count - 1) : weight
            return ["application": .string(application), "weight": .number(Double(share)), "replicas": 1]
        }
        _ = try server.create([
            "apiVersion": "serving.athena.dev/v1alpha1", "kind": "OnlineService",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": ["versions": .array(versions)],
        ])
    }

    /// `status.phase` of every OnlineService, by name.
    var phases: [String: String] {
        Dictionary(uniqueKeysWithValues: server.list(OnlineService.resource, namespace: "default").compactMap { object in
            object[path: ["metadata", "name"]]?.stringValue.map { ($0, object[path: ["status", "phase"]]?.stringValue ?? "") }
        })
    }

    func allRunning(_ names: [String]) -> Bool {
        let phases = self.phases
        return names.allSatisfy { phases[$0] == "Running" }
    }

    // MARK: - The invariant: each expected child exactly once, every child owned by a live service

    /// What is wrong with the children of `services` (each `(name, applications)`); empty when
    /// every expected child exists exactly once, nothing else carries the operator's label, and
    /// every child has exactly one controller owner reference naming a live OnlineService by uid.
    func childProblems(_ services: [(name: String, applications: [String])]) -> [String] {
        var expected: Set<String> = []
        for service in services {
            expected.insert("Service/\(service.name)")
            expected.insert("ConfigMap/\(service.name)-routing")
            expected.insert("NetworkPolicy/\(service.name)-engines")
            for application in service.applications {
                expected.insert("Deployment/\(service.name)-\(application)")
                expected.insert("Service/\(service.name)-\(application)-engine")
            }
        }
        let owners = Dictionary(uniqueKeysWithValues: server.list(OnlineService.resource, namespace: "default").compactMap { object in
            object[path: ["metadata", "uid"]]?.stringValue.map { ($0, object[path: ["metadata", "name"]]?.stringValue ?? "") }
        })
        var problems: [String] = []
        var seen: [String: Int] = [:]
        for resource in Self.childResources {
            for object in server.list(resource, namespace: "default")
            where object[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]] == "athena-operator" {
                let kind = object["kind"]?.stringValue ?? resource.resource
                let key = "\(kind)/\(object[path: ["metadata", "name"]]?.stringValue ?? "?")"
                seen[key, default: 0] += 1
                let references = object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
                let controllers = references.filter { $0["controller"] == true }
                if controllers.count != 1 {
                    problems.append("\(key) has \(controllers.count) controller owner references")
                } else if let uid = controllers[0]["uid"]?.stringValue, owners[uid] == nil {
                    problems.append("\(key) is orphaned: its owner uid \(uid) is not a live OnlineService")
                } else if controllers[0]["kind"] != "OnlineService" {
                    problems.append("\(key) is owned by a \(controllers[0]["kind"]?.stringValue ?? "?")")
                }
            }
        }
        for (key, count) in seen where count > 1 { problems.append("\(key) exists \(count) times") }
        for key in expected.subtracting(seen.keys).sorted() { problems.append("\(key) is missing") }
        for key in Set(seen.keys).subtracting(expected).sorted() { problems.append("\(key) is not expected") }
        return problems
    }

    /// Writes (create/update/patch/delete) logged since the last reset, excluding Events and Leases.
    func objectWrites(userAgentPrefix: String = "") -> [RequestLog.Entry] {
        server.requestLog.entries(userAgentPrefix: userAgentPrefix).filter {
            RequestLog.writeVerbs.contains($0.verb) && $0.resource != "events" && $0.resource != "leases"
        }
    }
}
