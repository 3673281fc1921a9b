public import KubeModel
public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization

/// Runs a ``Reconciler`` for the keys its watches produce: N workers share one ``WorkQueue``,
/// so a key is never reconciled twice at once, failures back off, and `.requeue(after:)` comes
/// back on time. controller-runtime's controller, as a `Service`.
///
/// Wire it with ``watchPrimary(_:)`` for the reconciled kind, ``watchOwned(_:owner:)`` for the
/// children it creates, and ``watch(_:map:)`` for anything else. `run()` waits for every watched
/// informer's cache to sync before the first reconcile.
public final class Controller: Service, Sendable {
    public struct Configuration: Sendable {
        /// Names the controller in logs and metrics (`controller` dimension).
        public var name: String
        /// Concurrent reconciles (of different keys).
        public var workers: Int
        public var rateLimit: WorkQueueRateLimit

        public init(name: String, workers: Int = 2, rateLimit: WorkQueueRateLimit = .default) {
            self.name = name
            self.workers = max(1, workers)
            self.rateLimit = rateLimit
        }
    }

    public let configuration: Configuration
    public let queue: WorkQueue<ObjectKey>
    private let reconciler: any Reconciler
    private let logger: Logger
    private let caches = Mutex<[any CacheSyncing]>([])
    private let metrics: ControllerMetrics

    public init(
        configuration: Configuration, reconciler: any Reconciler,
        logger: Logger = Logger(label: "athena.controller"), metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.configuration = configuration
        self.reconciler = reconciler
        var logger = logger
        logger[metadataKey: "controller"] = "\(configuration.name)"
        self.logger = logger
        queue = WorkQueue(name: configuration.name, rateLimit: configuration.rateLimit, metricsFactory: metricsFactory)
        metrics = ControllerMetrics(controller: configuration.name, factory: metricsFactory ?? MetricsSystem.factory)
    }

    // MARK: - Watches

    /// Enqueues the keys `map` returns for every change of `informer`'s objects. On an update
    /// both the old and the new object are mapped, so a changed owner or label reaches both.
    public func watch<Object: KubeObject>(
        _ informer: Informer<Object>, map: @escaping @Sendable (Object) -> [ObjectKey]
    ) {
        caches.withLock { $0.append(informer) }
        informer.addHandler { [queue] event in
            var keys = Set(map(event.object))
            if case .updated(let old, _) = event { keys.formUnion(map(old)) }
            for key in keys { queue.add(key) }
        }
    }

    /// Enqueues the object's own key: for the kind this controller reconciles.
    public func watchPrimary<Object: KubeObject>(_ informer: Informer<Object>) {
        watch(informer) { [ObjectKey($0)] }
    }

    /// Enqueues the owner's key for objects whose *controller* owner reference points at an
    /// `owner` kind (same API group; any version). Owned objects live in their owner's namespace.
    public func watchOwned<Object: KubeObject, Owner: KubeObject>(_ informer: Informer<Object>, owner: Owner.Type) {
        watch(informer) { object in
            OwnerMapping.controllerOwnerKey(of: object.metadata, ownerKind: Owner.kind, ownerGroup: Owner.resource.group)
                .map { [$0] } ?? []
        }
    }

    /// Enqueues `key` by hand (e.g. from a timer or an external signal).
    public func enqueue(_ key: ObjectKey) { queue.add(key) }

    // MARK: - Running

    /// True once every watched cache has synced.
    public var cachesSynced: Bool { caches.withLock { $0 }.allSatisfy(\.hasSynced) }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await self.runWorkers()
            } onCancel: {
                self.queue.shutDown()
            }
        } onGracefulShutdown: {
            self.queue.shutDown()
        }
    }

    private func runWorkers() async {
        // Reconciling from a half-filled cache would read "not found" for objects that exist.
        while !cachesSynced {
            if Task.isCancelled || queue.isShuttingDown { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        logger.info("caches synced, starting \(configuration.workers) workers")
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<configuration.workers {
                group.addTask { await self.worker() }
            }
        }
        logger.info("workers stopped")
    }

    private func worker() async {
        while let key = await queue.next() {
            await process(key)
            queue.done(key)
        }
    }

    /// One reconcile of `key` and what its outcome means for the queue.
    func process(_ key: ObjectKey) async {
        let start = ContinuousClock.now
        var logger = logger
        logger[metadataKey: "key"] = "\(key)"
        do {
            let result = try await reconciler.reconcile(key)
            queue.forget(key)
            switch result {
            case .done:
                metrics.record(.success, duration: ContinuousClock.now - start)
            case .requeue(let after):
                metrics.record(.requeueAfter, duration: ContinuousClock.now - start)
                queue.add(key, after: after)
            }
        } catch let error as TerminalError {
            queue.forget(key)
            metrics.record(.terminalError, duration: ContinuousClock.now - start)
            logger.error("reconcile failed permanently, not retrying: \(error)")
        } catch {
            metrics.record(.error, duration: ContinuousClock.now - start)
            logger.warning("reconcile failed, will retry with backoff: \(error)")
            queue.addRateLimited(key)
        }
    }
}

/// Maps owned objects to their owner's key.
public enum OwnerMapping {
    /// The key of the controller owner (`controller: true`) of kind `ownerKind` in group
    /// `ownerGroup`; `nil` if there is none.
    public static func controllerOwnerKey(of metadata: ObjectMeta, ownerKind: String, ownerGroup: String) -> ObjectKey? {
        guard
            let ref = metadata.ownerReferences?.first(where: { $0.controller == true }),
            ref.kind == ownerKind, group(of: ref.apiVersion) == ownerGroup
        else { return nil }
        return ObjectKey(namespace: metadata.namespace, name: ref.name)
    }

    /// `apps` for `apps/v1`, `` for `v1`.
    static func group(of apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }
}
