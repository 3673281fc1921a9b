import Foundation
import KubeModel

/// Test infrastructure, not a controller: with `--simulate-workloads` it stands in for the
/// Deployment and Job controllers (and the kubelet) so status flows can be tested without a
/// cluster. After `workloadDelay`, a Deployment reports every replica ready, available and
/// updated for its current generation; a Job reports `succeeded = completions` and `Complete`.
struct WorkloadSimulator: Sendable {
    let server: APIServer

    func start() -> Task<Void, Never> {
        let store = server.store
        let delay = server.options.workloadDelay
        return Task {
            await withTaskGroup(of: Void.self) { group in
                for type in [BuiltinResources.deployment, BuiltinResources.job] {
                    let (stream, continuation) = AsyncStream<WatchMessage>.makeStream()
                    guard
                        let id = try? store.withCluster({ cluster throws(Status) in
                            try cluster.addWatcher(
                                type, ListRequest(), resourceVersion: nil, continuation: continuation, isInternal: true)
                        })
                    else { continue }
continuation.onTermination = { _ in store.removeWatcherLater(id) }
                    group.addTask {
                        await withTaskGroup(of: Void.self) { pending in
                            for await message in stream {
                                guard case .event(let eventType, let object, _) = message, eventType != .deleted,
                                    Self.needsStatus(type, object)
                                else { continue }
                                pending.addTask {
                                    try? await Task.sleep(for: delay)
                                    if !Task.isCancelled { Self.settle(type, object, in: store) }
                                }
                            }
                            pending.cancelAll()
                        }
                    }
                }
                await withTaskCancellationHandler {
                    await group.waitForAll()
                } onCancel: {
                    store.closeAllWatches(includingInternal: true)
                }
            }
        }
    }

    static func needsStatus(_ type: ResourceType, _ object: JSONValue) -> Bool {
        if object[path: ["metadata", "deletionTimestamp"]] != nil { return false }
        let status = object["status"] ?? [:]
        if type.storageKey == BuiltinResources.job.storageKey {
            return status["completionTime"] == nil
        }
        let replicas = object[path: ["spec", "replicas"]]?.intValue ?? 1
        return status["observedGeneration"]?.intValue != object[path: ["metadata", "generation"]]?.intValue
            || status["readyReplicas"]?.intValue ?? 0 != replicas
            || status["replicas"]?.intValue ?? 0 != replicas
    }

    /// Writes the simulated status through the same path a controller's `/status` update takes.
    static func settle(_ type: ResourceType, _ seen: JSONValue, in store: ObjectStore) {
        _ = try? store.withCluster { cluster throws(Status) -> JSONValue in
            let name = seen[path: ["metadata", "name"]]?.stringValue ?? ""
            let namespace = seen[path: ["metadata", "namespace"]]?.stringValue
            guard let current = cluster.object(type, cluster.key(type, namespace: namespace, name: name)),
                needsStatus(type, current)
            else { return .null }
            var updated = current
            updated["status"] = status(type, current, now: cluster.timestamp)
            return try cluster.update(type, namespace: namespace, name: name, body: updated, subresource: "status")
        }
    }

    static func status(_ type: ResourceType, _ object: JSONValue, now: String) -> JSONValue {
        if type.storageKey == BuiltinResources.job.storageKey {
            let completions = object[path: ["spec", "completions"]]?.intValue ?? 1
            return [
                "succeeded": .number(Double(completions)), "active": 0, "ready": 0,
                "startTime": object[path: ["status", "startTime"]] ?? .string(now), "completionTime": .string(now),
                "conditions": [
                    ["type": "SuccessCriteriaMet", "status": "True", "reason": "CompletionsReached", "lastTransitionTime": .string(now)],
                    ["type": "Complete", "status": "True", "reason": "CompletionsReached", "lastTransitionTime": .string(now)],
                ],
            ]
        }
        let replicas = JSONValue.number(Double(object[path: ["spec", "replicas"]]?.intValue ?? 1))
        return [
            "observedGeneration": object[path: ["metadata", "generation"]] ?? 1,
            "replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas, "updatedReplicas": replicas,
            "conditions": [
                [
                    "type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                    "message": "Deployment has minimum availability.", "lastTransitionTime": .string(now),
                    "lastUpdateTime": .string(now),
                ],
                [
                    "type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                    "message": "ReplicaSet has successfully progressed.", "lastTransitionTime": .string(now),
                    "lastUpdateTime": .string(now),
                ],
            ],
        ]
    }
}
