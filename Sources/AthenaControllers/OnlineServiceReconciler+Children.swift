import AthenaAPI
import KubeClient
import KubeRuntime

extension OnlineServiceReconciler {
    // MARK: - Children

    /// Creates or repairs every desired child; returns the names of the Deployments it wrote
    /// (their cached status describes the old spec, so they cannot count as ready in this pass).
    func applyChildren(_ desired: [JSONValue], of service: OnlineService) async throws -> Set<String> {
        var changedDeployments: Set<String> = []
        let namespace = service.metadata.namespace
        for object in desired {
            let kind = object["kind"]?.stringValue ?? ""
            let name = object["metadata"]?["name"]?.stringValue ?? ""
            let key = Self.childKey(kind: kind, namespace: namespace, name: name)
            let cached = caches.cachedChild(kind: kind, namespace: namespace, name: name)
            let pending = childWrites.pending(key, cachedVersion: cached?.metadata.resourceVersion)
            let fingerprint = object.hashValue
            if pending == nil, let cached,
                memo.isVerified(key, version: Self.memoToken(kind: kind, cached.metadata), desired: fingerprint)
            {
                continue
            }

            let live = pending ?? cached?.json
            let applied = try await applier.apply(object, live: live)
            switch applied.outcome {
            case .unchanged:
                if pending == nil, let cached {
                    memo.verified(key, version: Self.memoToken(kind: kind, cached.metadata), desired: fingerprint)
                }
            case .created, .updated:
                logger.debug("\(applied.outcome.rawValue) \(kind) \(namespace ?? "")/\(name)")
                if kind == DeploymentKind.kind { changedDeployments.insert(name) }
            }
            if let written = applied.object {
                childWrites.remember(
                    key, before: live?["metadata"]?["resourceVersion"]?.stringValue, value: written,
                    version: written["metadata"]?["resourceVersion"]?.stringValue)
                // What the server answered holds the desired object: its echo needs no new comparison.
                if let meta = try? ObjectMeta(json: written["metadata"] ?? .object([:])) {
                    memo.verified(key, version: Self.memoToken(kind: kind, meta), desired: fingerprint)
                }
            }
        }
        return changedDeployments
    }

    /// What must stay the same for a verified child to still hold the desired object. A
    /// Deployment's `metadata.generation` moves with every spec change but not with the status
    /// updates its controller makes all the time, so the token is the generation plus the metadata
    /// the builders set; other kinds have no such guarantee and use the resourceVersion.
    static func memoToken(kind: String, _ metadata: ObjectMeta) -> String? {
        guard kind == DeploymentKind.kind, let generation = metadata.generation else { return metadata.resourceVersion }
        var hasher = Hasher()
        hasher.combine(metadata.labels)
        hasher.combine(metadata.annotations)
        hasher.combine(metadata.ownerReferences)
        hasher.combine(metadata.uid)
        return "g\(generation)/\(hasher.finalize())"
    }

    /// Deletes children this service controls that the builders no longer produce (a removed
    /// version's Deployment and engine Service). Only objects whose *controller* owner reference is
    /// this service's uid are candidates; the uid precondition guards against a same-named newcomer.
    func pruneChildren(of service: OnlineService, keeping desired: [JSONValue]) async throws {
        guard let uid = service.metadata.uid else { return }
        let wanted = Set(desired.map { "\($0["kind"]?.stringValue ?? "")/\($0["metadata"]?["name"]?.stringValue ?? "")" })
        for child in caches.children(ownedBy: uid) {
            let meta = child.metadata
            guard meta.ownerReferences?.contains(where: { $0.uid == uid && $0.controller == true }) == true,
                let name = meta.name, !wanted.contains("\(child.kind)/\(name)"),
                let resource = ChildApplier.resource(forKind: child.kind)
            else { continue }
            do {
                try await api.delete(resource, namespace: meta.namespace, name: name,
                                     options: DeleteOptions(preconditionUID: meta.uid))
                logger.debug("deleted \(child.kind) \(meta.namespace ?? "")/\(name): no longer desired")
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
                of: deployment.map { ($0.metadata, $0.figures) }, application: version.application,
                weight: version.weight ?? 0, desired: desired, justWritten: changedDeployments.contains(deploymentName))
        }
        let frontName = ChildNames.frontService(service: name)
        let front = caches.services.store.get(namespace: namespace, name: frontName)
        let written = childWrites.pending(
            Self.childKey(kind: ServiceKind.kind, namespace: namespace, name: frontName), cachedVersion: front?.metadata.resourceVersion)
        let nodePort = written.flatMap { ServiceKind.figures(of: $0).nodePort } ?? front?.figures.nodePort ?? spec.nodePort
        return ServiceObservation(
            generation: service.metadata.generation ?? 0, stopped: stopped,
            deployTimeoutSeconds: spec.deployTimeoutSeconds ?? OnlineServiceSpec.defaultDeployTimeoutSeconds,
            versions: versions, deploymentsChanged: !changedDeployments.isEmpty,
            url: "http://\(ChildNames.frontService(service: name)).\(namespace).svc:\(ChildNames.frontServicePort)",
            nodePort: nodePort, autoStopSeconds: spec.autoStop?.seconds)
    }

    /// A version is ready when its Deployment has rolled out the current spec (observed generation,
    /// replica count) with every replica updated and ready; scaled down when no replica is left.
    static func readiness(
        of deployment: (metadata: ObjectMeta, figures: ChildFigures)?, application: String, weight: Int, desired: Int,
        justWritten: Bool
    ) -> ServiceObservation.Version {
        let ready = deployment?.figures.readyReplicas ?? 0
        guard let deployment, !justWritten else {
            return .init(application: application, weight: weight, desired: desired,
                         readyReplicas: ready, ready: false, scaledDown: deployment == nil)
        }
        let generation = deployment.metadata.generation ?? 0
        let figures = deployment.figures
        let current = (figures.observedGeneration ?? -1) >= generation && figures.specReplicas == desired
        let updated = figures.updatedReplicas ?? 0
        let existing = figures.replicas ?? 0
        return .init(
            application: application, weight: weight, desired: desired, readyReplicas: ready,
            ready: current && ready >= desired && updated >= desired,
            scaledDown: current && desired == 0 && existing == 0)
    }
}
