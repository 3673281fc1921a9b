public import KubeClient
public import KubeModel
public import Logging
public import ServiceLifecycle
import Synchronization

/// Runs the informers, the leader elector and the controllers of one operator process, in the
/// order that keeps them safe (controller-runtime's manager):
///
/// - informers start at once on every replica, so a standby has warm caches and is *ready*;
/// - controllers start only while this replica leads (or at once without leader election);
/// - losing leadership ends `run()` with ``LeadershipLostError`` (the process should exit and be
///   restarted: a replica that lost the lease must not keep writing);
/// - graceful shutdown stops the controllers first (in-flight reconciles finish), then releases
///   the Lease, so the successor never overlaps with a running reconcile.
public final class Manager: Service, Sendable {
    private struct Registry {
        var informers: [any CacheSyncing & Service] = []
        var controllers: [Controller] = []
    }

    public let api: any KubeAPI
    /// `nil` when leader election is off.
    public let elector: LeaderElector?
    private let logger: Logger
    private let registry = Mutex(Registry())

    public init(api: any KubeAPI, leaderElector: LeaderElector? = nil, logger: Logger = Logger(label: "athena.manager")) {
        self.api = api
        self.elector = leaderElector
        self.logger = logger
    }

    /// Registers an informer (started by `run()`) and returns it, for chaining.
    @discardableResult
    public func add<Object: KubeObject>(_ informer: Informer<Object>) -> Informer<Object> {
        registry.withLock { $0.informers.append(informer) }
        return informer
    }

    /// Creates, registers and returns an informer for `Object` on this manager's API.
    public func informer<Object: KubeObject>(
        for type: Object.Type, configuration: Informer<Object>.Configuration = .init()
    ) -> Informer<Object> {
        add(Informer(api: api, type, configuration: configuration))
    }

    /// Registers a controller (started by `run()` once leading).
    public func add(_ controller: Controller) {
        registry.withLock { $0.controllers.append(controller) }
    }

    /// Ready once every informer has synced, leader or not: a standby replica with warm caches
    /// is ready to take over, and failing its probe would only restart it.
    public var readiness: HealthServer.Readiness {
        let informers = registry.withLock { $0.informers }
        let pending = informers.filter { !$0.hasSynced }.map { "cache \($0.resourceDescription): not synced" }
        var details = pending
        if let elector { details.append("leader: \(elector.isLeader)") }
        return HealthServer.Readiness(isReady: pending.isEmpty, details: details)
    }

    // MARK: - Service

    public func run() async throws {
        let (informers, controllers) = registry.withLock { ($0.informers, $0.controllers) }
        // The elector lives outside the cancellation scope below: it must outlive the
        // controllers so the lease is released only after they have stopped.
        let electorTask: Task<Void, any Error>? = elector.map { elector in Task { try await elector.run() } }
        let result: Result<Void, any Error>
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for informer in informers {
                        group.addTask { try await informer.run() }
                    }
                    group.addTask { try await self.runControllers(controllers) }
                    try await group.next()
                    group.cancelAll()
                    try await group.waitForAll()
                }
            }
            result = .success(())
        } catch {
            result = .failure(error)
        }
        electorTask?.cancel()
        _ = await electorTask?.result
        try result.get()
    }

    private func runControllers(_ controllers: [Controller]) async throws {
        if let elector {
            logger.info("waiting for leadership")
            let changes = elector.leadershipChanges()
            var becameLeader = false
            for await leading in changes where leading {
                becameLeader = true
                break
            }
            guard becameLeader, !Task.isCancelled else { return }
            logger.info("leading: starting \(controllers.count) controllers")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for controller in controllers {
                group.addTask { try await controller.run() }
            }
            if let elector {
                group.addTask {
                    for await leading in elector.leadershipChanges() where !leading {
                        if Task.isCancelled { return }
                        throw LeadershipLostError()
                    }
                }
            }
            group.addTask {
                // Keeps the group (and so the manager) alive with zero controllers.
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            }
            try await group.next()
            group.cancelAll()
            try await group.waitForAll()
        }
    }
}

/// This replica no longer holds the Lease; the process should exit so it restarts as a follower.
public struct LeadershipLostError: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "leadership lost: stopping so another replica can lead" }
}
