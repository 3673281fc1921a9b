import Foundation
public import KubeClient
import KubeModel
public import Logging
public import ServiceLifecycle
import Synchronization

/// Leader election on a `coordination.k8s.io/v1` Lease, so only one operator replica reconciles.
///
/// Every `retryPeriod` it reads the Lease and creates, acquires or renews it through
/// ``StateMachine``; writes carry the resourceVersion they read, so two candidates racing get
/// one success and one 409. A leader that cannot renew within `renewDeadline` steps down.
/// On graceful shutdown or cancellation it releases the Lease (clears the holder) so a successor
/// takes over at once instead of after `leaseDuration`.
public final class LeaderElector: Service, Sendable {
    public struct Configuration: Sendable {
        public var leaseName: String
        public var leaseNamespace: String
        /// Unique per replica: defaults to `hostname_randomUUID`.
        public var identity: String
        /// How long a lease lives without renewal before others may take it.
        public var leaseDuration: Duration
        /// A leader gives up if it has not renewed for this long (must be < `leaseDuration`).
        public var renewDeadline: Duration
        /// Pause between attempts to acquire or renew.
        public var retryPeriod: Duration
        /// Clear the holder on shutdown.
        public var releaseOnShutdown: Bool

        public init(
            leaseName: String, leaseNamespace: String, identity: String? = nil,
            leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
            retryPeriod: Duration = .seconds(2), releaseOnShutdown: Bool = true
        ) {
            self.leaseName = leaseName
            self.leaseNamespace = leaseNamespace
            self.identity = identity ?? "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString)"
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
            self.releaseOnShutdown = releaseOnShutdown
        }

        /// Rejects settings under which two leaders could overlap.
        public func validate() throws(LeaderElectionError) {
            if leaseName.isEmpty || leaseNamespace.isEmpty {
                throw LeaderElectionError("lease name and namespace must not be empty")
            }
            if identity.isEmpty { throw LeaderElectionError("identity must not be empty") }
            if !(renewDeadline < leaseDuration) {
                throw LeaderElectionError("renewDeadline (\(renewDeadline)) must be shorter than leaseDuration (\(leaseDuration))")
            }
            if !(retryPeriod < renewDeadline) || retryPeriod <= .zero {
                throw LeaderElectionError("retryPeriod (\(retryPeriod)) must be positive and shorter than renewDeadline")
            }
        }
    }

    private struct State {
        var machine: StateMachine
        var lease: Lease?
        var subscribers: [UUID: AsyncStream<Bool>.Continuation] = [:]
    }

    public let configuration: Configuration
    private let api: any KubeAPI
    private let logger: Logger
    private let state: Mutex<State>

    public init(api: any KubeAPI, configuration: Configuration, logger: Logger = Logger(label: "athena.leader-election")) throws(LeaderElectionError) {
        try configuration.validate()
        self.api = api
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        state = Mutex(
            State(
                machine: StateMachine(
                    identity: configuration.identity, leaseDuration: configuration.leaseDuration,
                    renewDeadline: configuration.renewDeadline)))
    }

    /// Whether this replica leads right now.
    public var isLeader: Bool { state.withLock { $0.machine.isLeader } }

    /// Leadership as it changes: the current value first, then every change. Each call returns
    /// a new stream; it finishes when the elector stops.
    public func leadershipChanges() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .unbounded)
        let id = UUID()
        let current = state.withLock { state in
            state.subscribers[id] = continuation
            return state.machine.isLeader
        }
        continuation.yield(current)
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: - Service

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.attempt()
                try? await Task.sleep(for: self.configuration.retryPeriod)
            }
        }
        // Our task is cancelled now: release from a fresh task so the API calls are not aborted.
        if configuration.releaseOnShutdown {
            await Task { await self.release() }.value
        }
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.yield(false)
            subscriber.finish()
        }
    }

    /// One read-decide-write round, bounded by the renew deadline.
    private func attempt() async {
        let outcome = await withDeadline(configuration.renewDeadline) {
            try await self.tryAcquireOrRenew()
        }
        let transition: StateMachine.Transition
        switch outcome {
        case .success(let t): transition = t
        case .failure(let error):
            logger.debug("lease attempt failed: \(error)")
            transition = state.withLock { $0.machine.attemptFailed(now: .now) }
        }
        publish(transition)
    }

    private func tryAcquireOrRenew() async throws -> StateMachine.Transition {
        let name = configuration.leaseName
        let namespace = configuration.leaseNamespace
        var current: Lease?
        do {
            current = try await api.get(Lease.self, namespace: namespace, name: name)
        } catch let error as KubeError where error.isNotFound {
            current = nil
        }
        let wallNow = KubeTime.microTime(Date())
        let decision = state.withLock { state in
            state.lease = current
            return state.machine.decide(current: current?.spec, exists: current != nil, now: .now, wallNow: wallNow)
        }
        let written: Lease
        switch decision {
        case .wait(let lost):
            return lost ? .lost : state.withLock { $0.machine.attemptFailed(now: .now) }
        case .create(let spec):
            written = try await api.create(Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
        case .update(let spec):
            guard var lease = current else { return .none }
            lease.spec = spec
            written = try await api.update(lease)
        }
        return state.withLock { state in
            state.lease = written
            return state.machine.writeSucceeded(written.spec ?? LeaseSpec(), now: .now)
        }
    }

    /// Gives the lease up if we hold it (best effort: a failure only delays the successor).
    private func release() async {
        let (spec, lease) = state.withLock { state in
            (state.machine.release(wallNow: KubeTime.microTime(Date())), state.lease)
        }
        guard let spec, var lease else { return }
        // Our last renewal may have reached the server even though its answer was lost to the
        // cancellation: then the cached Lease is one resourceVersion behind and the update is a
        // 409. Read it again and retry while it is still ours (a few times: best effort).
        for _ in 0..<3 {
            lease.spec = spec
            do {
                _ = try await api.update(lease)
                logger.info("released lease \(configuration.leaseNamespace)/\(configuration.leaseName)")
                break
            } catch let error as KubeError where error.isConflict {
                guard let fresh = try? await api.get(Lease.self, namespace: configuration.leaseNamespace, name: configuration.leaseName),
                    fresh.spec?.holderIdentity == configuration.identity
                else { break }
                lease = fresh
            } catch {
                logger.warning("could not release lease: \(error)")
                break
            }
        }
        publish(.lost)
    }

    private func publish(_ transition: StateMachine.Transition) {
        let value: Bool
        switch transition {
        case .none: return
        case .acquired:
            value = true
            logger.info("became leader of \(configuration.leaseNamespace)/\(configuration.leaseName)")
        case .lost:
            value = false
            logger.warning("lost leadership of \(configuration.leaseNamespace)/\(configuration.leaseName)")
        }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(value) }
    }
}

/// A leader-election setting or state that cannot work.
public struct LeaderElectionError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "leader election: \(message)" }
}

/// Runs `body`, giving up with a timeout error after `deadline`.
func withDeadline<T: Sendable>(
    _ deadline: Duration, _ body: @escaping @Sendable () async throws -> T
) async -> Result<T, any Error> {
    await withTaskGroup(of: Result<T, any Error>?.self) { group in
        group.addTask {
            do { return .success(try await body()) } catch { return .failure(error) }
        }
        group.addTask {
            try? await Task.sleep(for: deadline)
            return Task.isCancelled ? nil : .failure(LeaderElectionError("attempt timed out after \(deadline)"))
        }
        var result: Result<T, any Error> = .failure(CancellationError())
        if let first = await group.next(), let value = first { result = value }
        group.cancelAll()
        return result
    }
}
