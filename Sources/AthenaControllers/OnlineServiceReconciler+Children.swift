import AthenaAPI
import KubeClient
import KubeRuntime

extension OnlineServiceReconciler {
    // MARK: - Children

    /// Creates or repairs every desired child; returns the names of the Deployments it wrote
    /// (their cached status describes the old spec, so they cannot count as ready in this pass).
    func applyChildren(_ desired: [JSONValue], of service: OnlineService) async throws -> Set<String> {
        var changedDeployments: Set<String> = []
        for object in desired {
            let kind = object["kind"]?.stringValue ?? ""
            let name = object["metadata"]?["name"]?.stringValue ?? ""
            let live = liveChild(kind: kind, namespace: service.metadata.namespace, name: name)
            let applied = try await applier.apply(object, live: live)
            if applied.outcome != .unchanged {
                logger.debug("\(applied.outcome.rawValue) \(kind) \(service.metadata.namespace ?? "")/\(name)")
                if kind == DeploymentKind.kind { changedDeployments.insert(name) }
            }
            if let written = applied.object {
                childWrites.remember(
                    Self.childKey(kind: kind, namespace: service.metadata.namespace, name: name),
                    before: live?["metadata"]?["resourceVersion"]?.stringValue, value: written,
                    version: written["metadata"]?["resourceVersion"]?.stringValue)
            }
        }
        return changedDeployments
    }

    /// The live child: the cached one, or what this operator wrote a moment ago if the cache
    /// has not shown that write yet.
    func liveChild(kind: String, namespace: String?, name: String) -> JSONValue? {
        let cached = caches.liveChild(kind: kind, namespace: namespace, name: name)
        let version = cached?["metadata"]?["resourceVersion"]?.stringValue
        return childWrites.pending(Self.childKey(kind: kind, namespace: namespace, name: name), cachedVersion: version)
            ?? cached
    }

    /// Deletes children this service controls that the builders no longer produce (a removed
    /// version's Deployment and engine Service). Only objects whose *controller* owner reference is
    /// this service's uid are candidates; the uid precondition guards against a same-named newcomer.
    func pruneChildren(of service: OnlineService, keeping desired: [JSONValue]) async throws {
        guard let uid = service.metadata.uid else { return }
        let wanted = Set(desired.map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" })
        for child in caches.children(ownedBy: uid) {
            let meta = ChildObject<DeploymentKind>(json: child).metadata
            guard meta.ownerReferences?.contains(where: { $0.uid == uid && $0.controller == true }) == true,
                let kind = child["kind"]?.stringValue, let name = meta.name,
                !wanted.contains("\(kind)/\(name)"), let resource = ChildApplier.resource(forKind: kind)
            else { continue }
            do {
                try await api.delete(resource, namespace: meta.namespace, name: name,
                                     options: DeleteOptions(preconditionUID: meta.uid))
                logger.debug("deleted \(kind) \(meta.namespace ?? "")/\(name): no longer desired")
            } catch let error as KubeError where error.isNotFound {
                continue
            }
        }
    }

    // MARK: - Observation

    /// Reads every version's Deployment and the front Service from the caches.
    func observe(_ service: OnlineService, changedDeployments: Set<String>) -> ServiceObservation {
        let spec = service.spec.withDefaults()
        let name = service.metadata.name ?? ""
        let namespace = service.metadata.namespace ?? "default"
        let stopped = spec.stopped == true
        let versions = spec.versions.map { version in
            let deploymentName = ChildNames.deployment(service: name, application: version.application)
            let desired = stopped ? 0 : (version.replicas ?? OnlineServiceSpec.defaultReplicas)
            let deployment = caches.deployments.store.get(namespace: namespace, name: deploymentName)
            return Self.readiness(
                of: deployment, application: version.application, weight: version.weight ?? 0, desired: desired,
                justWritten: changedDeployments.contains(deploymentName))
        }
        let front = liveChild(kind: ServiceKind.kind, namespace: namespace, name: ChildNames.frontService(service: name))
        let nodePort = front?["spec"]?["ports"]?.arrayValue?.first?["nodePort"]?.intValue ?? spec.nodePort
        return ServiceObservation(
            generation: service.metadata.generation ?? 0, stopped: stopped,
            deployTimeoutSeconds: spec.deployTimeoutSeconds ?? OnlineServiceSpec.defaultDeployTimeoutSeconds,
            versions: versions, deploymentsChanged: !changedDeployments.isEmpty,
            url: "http://\(ChildNames.frontService(service: name)).\(namespace).svc:\(ChildNames.frontServicePort)",
            nodePort: nodePort)
    }

    /// A version is ready when its Deployment has rolled out the current spec (observed generation,
    /// replica count) with every replica updated and ready; scaled down when no replica is left.
    static func readiness(
        of deployment: DeploymentObject?, application: String, weight: Int, desired: Int, justWritten: Bool
    ) -> ServiceObservation.Version {
        guard let deployment, !justWritten else {
            return .init(application: application, weight: weight, desired: desired,
                         readyReplicas: deployment.map(readyCount) ?? 0, ready: false, scaledDown: deployment == nil)
        }
        let json = deployment.json
        let status = json["status"]
        let generation = deployment.metadata.generation ?? 0
        let current = (status?["observedGeneration"]?.intValue ?? -1) >= generation
            && json["spec"]?["replicas"]?.intValue == desired
        let ready = readyCount(deployment)
        let updated = status?["updatedReplicas"]?.intValue ?? 0
        let existing = status?["replicas"]?.intValue ?? 0
        return .init(
            application: application, weight: weight, desired: desired, readyReplicas: ready,
            ready: current && ready >= desired && updated >= desired,
            scaledDown: current && desired == 0 && existing == 0)
    }

    static func readyCount(_ deployment: DeploymentObject) -> Int {
        deployment.json["status"]?["readyReplicas"]?.intValue ?? 0
    }
}
