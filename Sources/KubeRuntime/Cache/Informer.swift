public import KubeClient
public import KubeModel
public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization

/// Keeps a ``Store`` in step with the API server and tells handlers what changed: the
/// reflector of client-go and the watch loop of kopf.
///
/// The loop: list (paged) → replace the cache (handlers see only the differences) → watch from
/// the list's resourceVersion with bookmarks → apply events. A 410 `Gone` or a watch `ERROR`
/// relists; a closed stream reconnects from the last resourceVersion; failures back off, and
/// the backoff resets after a healthy connection. Runs as a `Service` until cancelled or
/// gracefully shut down.
public final class Informer<Object: KubeObject>: Service, CacheSyncing, Sendable {
    /// What to watch and how to reconnect.
    public struct Configuration: Sendable {
        /// Namespace to watch; `nil` watches all namespaces.
        public var namespace: String?
        public var labelSelector: String?
        public var fieldSelector: String?
        /// Items per list page (`limit`); `nil` lists in one request.
        public var pageSize: Int?
        /// The server ends each watch after this long (`timeoutSeconds`), and the informer
        /// reconnects from its resourceVersion: keeps long-lived connections honest.
        public var watchTimeoutSeconds: Int
        public var backoff: Backoff

        public init(
            namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
            pageSize: Int? = 500, watchTimeoutSeconds: Int = 300, backoff: Backoff = Backoff()
        ) {
            self.namespace = namespace
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
            self.pageSize = pageSize
            self.watchTimeoutSeconds = watchTimeoutSeconds
            self.backoff = backoff
        }
    }

    /// Receives every change of the cache, in order, on the informer's task. Keep it quick
    /// (enqueue a key); never call back into the API server from here.
    public typealias Handler = @Sendable (InformerEvent<Object>) -> Void

    public let store = Store<Object>()
    public let configuration: Configuration
    private let api: any KubeAPI
    private let logger: Logger
    private let handlers = Mutex<[Handler]>([])
    private let counters = Mutex(Counts())
    private let restartsCounter: Counter
    private let relistsCounter: Counter

    /// How many lists and watch connections the informer has made (for tests and status pages).
    public struct Counts: Sendable, Hashable {
        public var lists = 0
        public var watches = 0
        public var relistsAfterGone = 0
    }

    public init(
        api: any KubeAPI, _ type: Object.Type = Object.self, configuration: Configuration = .init(),
        logger: Logger = Logger(label: "athena.informer"), metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.api = api
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "resource"] = "\(Object.resource)"
        self.logger = logger
        let factory = metricsFactory ?? MetricsSystem.factory
        let dimensions = [("resource", "\(Object.resource)")]
        restartsCounter = Counter(label: "athena_watch_restarts_total", dimensions: dimensions, factory: factory)
        relistsCounter = Counter(label: "athena_watch_relists_total", dimensions: dimensions, factory: factory)
    }

    /// Registers a handler. Handlers added after the first list only see later changes.
    public func addHandler(_ handler: @escaping Handler) {
        handlers.withLock { $0.append(handler) }
    }

    public var hasSynced: Bool { store.hasSynced }

    public var counts: Counts { counters.withLock { $0 } }

    public var resourceDescription: String { "\(Object.resource)" }

    // MARK: - Service

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    private func loop() async {
        var backoff = configuration.backoff
        var resourceVersion: String?
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    resourceVersion = try await relist()
                }
                guard let from = resourceVersion else { continue }
                let outcome = try await watch(from: from)
                resourceVersion = outcome.resourceVersion
                if outcome.healthy { backoff.reset() }
                if Task.isCancelled { return }
                restartsCounter.increment()
                if outcome.healthy { continue }
                logger.debug("watch ended without progress, backing off")
            } catch let error as KubeError where error.isGone {
                logger.info("watch history expired (410 Gone), relisting")
                resourceVersion = nil
                restartsCounter.increment()
                relistsCounter.increment()
                counters.withLock { $0.relistsAfterGone += 1 }
                continue
            } catch {
                if Task.isCancelled { return }
                logger.warning("list/watch failed: \(error)")
                restartsCounter.increment()
            }
            let delay = backoff.nextDelay()
            try? await Task.sleep(for: delay)
        }
    }

    /// Lists every page and replaces the cache; returns the list's resourceVersion.
    private func relist() async throws -> String {
        counters.withLock { $0.lists += 1 }
        var items: [Object] = []
        var continueToken: String?
        var resourceVersion = ""
        repeat {
            let options = ListOptions(
                labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
                limit: configuration.pageSize, continue: continueToken)
            let page = try await api.list(Object.self, namespace: configuration.namespace, options: options)
            items += page.items
            resourceVersion = page.resourceVersion
            continueToken = (page.continue?.isEmpty ?? true) ? nil : page.continue
        } while continueToken != nil && !Task.isCancelled
        deliver(store.replace(with: items))
        logger.debug("listed \(items.count) objects at resourceVersion \(resourceVersion)")
        return resourceVersion
    }

    private struct WatchOutcome {
        /// Where the next watch starts; `nil` means relist.
        var resourceVersion: String?
        var healthy: Bool
    }

    /// One watch connection, until the server closes it or sends an error.
    private func watch(from resourceVersion: String) async throws -> WatchOutcome {
        counters.withLock { $0.watches += 1 }
        let started = ContinuousClock.now
        var current = resourceVersion
        var events = 0
        let options = ListOptions(
            labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
            resourceVersion: resourceVersion, timeoutSeconds: configuration.watchTimeoutSeconds,
            allowWatchBookmarks: true)
        let stream = try await api.watch(Object.self, namespace: configuration.namespace, options: options)
        for try await event in stream {
            events += 1
            switch event {
            case .added(let object), .modified(let object):
                if let event = store.upsert(object) { deliver([event]) }
                current = object.metadata.resourceVersion ?? current
            case .deleted(let object):
                if let event = store.remove(object) { deliver([event]) }
                current = object.metadata.resourceVersion ?? current
            case .bookmark(let version):
                current = version
            case .error(let status):
                if status.code == 410 {
                    throw KubeError.api(status)
                }
                // Any other error from inside the watch: the stream state is unknown, so relist.
                logger.warning("watch error \(status.code ?? 0) \(status.reason ?? ""): \(status.message ?? "")")
                return WatchOutcome(resourceVersion: nil, healthy: false)
            }
        }
        let healthy = events > 0 || ContinuousClock.now - started >= configuration.backoff.healthyAfter
        return WatchOutcome(resourceVersion: current, healthy: healthy)
    }

    private func deliver(_ events: [InformerEvent<Object>]) {
        guard !events.isEmpty else { return }
        let handlers = handlers.withLock { $0 }
        for event in events {
            for handler in handlers { handler(event) }
        }
    }
}

/// Anything whose cache must be filled before controllers may trust it: informers, for the
/// manager's `/readyz` and the controllers' start.
public protocol CacheSyncing: Sendable {
    var hasSynced: Bool { get }
    /// A name for logs and readiness output.
    var resourceDescription: String { get }
}
