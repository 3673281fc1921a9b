import AthenaAPI
import AthenaControllers
import Foundation
import KubeRuntime
import Testing

/// The standard world of the OnlineService tests: applications `digits-v1` and `digits-v2`, and the
/// service `digits` over both (weights 90/10, replicas 2/1), driven to Running by hand.
extension OperatorHarness {
    static let deploymentV1 = "digits-digits-v1"
    static let deploymentV2 = "digits-digits-v2"

    func createDigits(deployTimeoutSeconds: Int? = nil) throws {
        try create(Fixtures.application("digits-v1"))
        try create(Fixtures.application("digits-v2", image: "registry.example/digits:2"))
        var service = Fixtures.service(versions: [
            ServiceVersion(application: "digits-v1", weight: 90, replicas: 2),
            ServiceVersion(application: "digits-v2", weight: 10, replicas: 1),
        ])
        service.spec.nodePort = 30080
        service.spec.deployTimeoutSeconds = deployTimeoutSeconds
        try create(service)
    }

    /// Creates the world, reconciles it, reports the Deployments ready, reconciles again: Running.
    func runDigits() async throws {
        try createDigits()
        try await reconcileApplication("digits-v1")
        try await reconcileApplication("digits-v2")
        try await reconcileService()
        try markDeploymentReady(Self.deploymentV1)
        try markDeploymentReady(Self.deploymentV2)
        try await reconcileService()
        let status = try service()?.status
        try #require(status?.phase == .running, "digits is not Running: \(String(describing: status))")
    }

    /// `Kind/name@resourceVersion` of every child: equal before and after means nothing changed.
    func childVersions(of service: String = "digits") -> [String] {
        Self.childResources.flatMap { resource in
            server.list(resource, namespace: "default")
                .filter { $0["metadata"]?["labels"]?[LabelKey.onlineService]?.stringValue == service }
                .map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")@\($0["metadata"]?["resourceVersion"]?.stringValue ?? "")" }
        }.sorted()
    }

    func condition(_ type: String, of name: String = "digits") throws -> Condition? {
        try service(name)?.status?.conditions?[type: type]
    }
}
