public import AthenaAPI
import Synchronization

/// The engine endpoints of one version: picks one per request (round-robin, least-inflight or
/// consistent hash), counts in-flight requests, enforces the per-endpoint concurrency limit with
/// a bounded wait, and ejects endpoints that keep failing until a cool-down passes (passive health).
///
/// One lock, held only for the pick/release arithmetic: no task or executor hop on the fast path.
public final class EndpointSet: Sendable {
    /// An endpoint handed to one request; give it back with `release(_:outcome:)`.
    public struct Lease: Sendable {
        public let address: HostPort
        public let engine: any Engine
        /// The same engine when it can start calls without a task (cast once per endpoint, not
        /// per request).
        public let immediate: (any ImmediateEngine)?

        public init(address: HostPort, engine: any Engine, immediate: (any ImmediateEngine)? = nil) {
            self.address = address
            self.engine = engine
            self.immediate = immediate
        }
    }

    /// What happened to a request, for passive health.
    public enum Outcome: Sendable {
        /// The engine answered (even with a wrapper error): the endpoint is alive.
        case success
        /// The engine could not be reached or the connection broke.
        case failure
        /// Neither (timeout, cancelled): leave the health counters alone.
        case neutral
    }

    /// A read-only view of one endpoint, for `/readyz` and tests.
    public struct Snapshot: Sendable, Hashable {
        public let address: HostPort
        public let inflight: Int
        public let consecutiveFailures: Int
        public let ejected: Bool
    }

    struct Slot {
        var address: HostPort
        var engine: any Engine
        var immediate: (any ImmediateEngine)?
        var inflight = 0
        var failures = 0
        var ejectedUntil: ContinuousClock.Instant?

        var lease: Lease { Lease(address: address, engine: engine, immediate: immediate) }
    }

    struct Waiter {
        var id: UInt64
        var hashKey: String?
        var excluding: HostPort?
        var continuation: CheckedContinuation<Lease, any Error>
    }

    struct State {
        var slots: [Slot] = []
        var cursor = 0
        var ring: [(hash: UInt64, address: HostPort)] = []
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
    }

    public let balancing: RoutingTableLoadBalancing
    public let maxConcurrency: Int
    let state: Mutex<State>
    let clock = ContinuousClock()
    /// Any instant: the time ``pick(_:hashKey:excluding:now:)`` gets when no endpoint is ejected
    /// (the time is compared only with an ejection's end).
    private let anyInstant = ContinuousClock.now

    public init(balancing: RoutingTableLoadBalancing, maxConcurrency: Int) {
        self.balancing = balancing
        self.maxConcurrency = maxConcurrency
        self.state = Mutex(State())
    }

    /// The time for ejection checks, read only when an endpoint is ejected: a clock read on
    /// every acquire and release is a measurable part of a pass-through request.
    private func ejectionTime(_ state: State) -> ContinuousClock.Instant {
        // By index, here and below: `contains(where:)` over the slots copies each one (three
        // retains and releases per slot, per request).
        state.slots.indices.contains { state.slots[$0].ejectedUntil != nil } ? clock.now : anyInstant
    }

    // MARK: - Membership

    /// Replaces the endpoint list, keeping the engines (connections, health counters) of addresses
    /// that stay. Returns the engines of removed endpoints so the caller can shut them down.
    @discardableResult
    public func setEndpoints(_ addresses: [HostPort], makeEngine: (HostPort) throws -> any Engine) rethrows -> [any Engine] {
        var fresh: [HostPort: any Engine] = [:]
        let existing = Set(state.withLock { $0.slots.map(\.address) })
        for address in addresses where !existing.contains(address) && fresh[address] == nil {
            fresh[address] = try makeEngine(address)
        }
        return state.withLock { state in
            var kept: [Slot] = []
            var removed: [any Engine] = []
            var seen = Set<HostPort>()
            for slot in state.slots {
                if addresses.contains(slot.address) { kept.append(slot); seen.insert(slot.address) } else { removed.append(slot.engine) }
            }
            for address in addresses where !seen.contains(address) {
                if let engine = fresh[address] { kept.append(Slot(address: address, engine: engine, immediate: engine as? any ImmediateEngine)); seen.insert(address) }
            }
            state.slots = kept
            state.ring = Self.buildRing(kept.map(\.address))
            return removed
        }
    }

    /// Whether the set has an endpoint other than `address` (somewhere else to retry).
    func hasEndpoint(otherThan address: HostPort) -> Bool {
        state.withLock { state in state.slots.indices.contains { state.slots[$0].address != address } }
    }

    /// Current endpoints with their counters.
    public func snapshot() -> [Snapshot] {
        let now = clock.now
        return state.withLock { state in
            state.slots.map {
                Snapshot(address: $0.address, inflight: $0.inflight, consecutiveFailures: $0.failures,
                         ejected: ($0.ejectedUntil.map { now < $0 }) ?? false)
            }
        }
    }

    /// Every engine, for health checks and shutdown.
    public var engines: [(HostPort, any Engine)] {
        state.withLock { $0.slots.map { ($0.address, $0.engine) } }
    }

    // MARK: - Acquire / release

    /// An endpoint for one request. Waits up to the queue timeout (or `deadline`, whichever is
    /// first) when every endpoint is at its concurrency limit.
    public func acquire(hashKey: String?, excluding: HostPort? = nil, deadline: ContinuousClock.Instant) async throws -> Lease {
        if let immediate = acquireNow(hashKey: hashKey, excluding: excluding) { return try immediate.get() }
        return try await waitForSlot(hashKey: hashKey, excluding: excluding, deadline: deadline)
    }

    /// An endpoint free right now, or `nil` when every endpoint is busy (or there is none):
    /// ``acquire(hashKey:excluding:deadline:)`` waits, or says why there is none.
    public func tryAcquire(hashKey: String?) -> Lease? {
        try? acquireNow(hashKey: hashKey, excluding: nil)?.get()
    }

    /// The lease if an endpoint is free now, the error if there is none at all, `nil` if all are busy.
    private func acquireNow(hashKey: String?, excluding: HostPort?) -> Result<Lease, GatewayError>? {
        state.withLock { state in
            if state.slots.isEmpty || (excluding != nil && state.slots.allSatisfy { $0.address == excluding }) {
                return .failure(GatewayError(.noHealthyEndpoint, "no engine endpoint available"))
            }
            if let index = pick(&state, hashKey: hashKey, excluding: excluding, now: ejectionTime(state)) {
                state.slots[index].inflight += 1
                return .success(state.slots[index].lease)
            }
            return nil
        }
    }

    /// Returns an endpoint and records what happened on it.
    public func release(_ lease: Lease, outcome: Outcome) {
        let threshold = max(1, balancing.failureThreshold)
        let eject = Duration.milliseconds(Int64(max(0, balancing.ejectSeconds) * 1000))
        let wake: [(CheckedContinuation<Lease, any Error>, Lease)] = state.withLock { state in
            if let i = state.slots.indices.first(where: { state.slots[$0].address == lease.address }) {
                state.slots[i].inflight = max(0, state.slots[i].inflight - 1)
                switch outcome {
                case .success:
                    state.slots[i].failures = 0
                    state.slots[i].ejectedUntil = nil
                case .failure:
                    state.slots[i].failures += 1
                    if state.slots[i].failures >= threshold { state.slots[i].ejectedUntil = clock.now + eject }
                case .neutral:
                    break
                }
            }
            return state.waiters.isEmpty ? [] : serveWaiters(&state, now: ejectionTime(state))
        }
        for (continuation, lease) in wake { continuation.resume(returning: lease) }
    }

    // MARK: - Waiting

    private func waitForSlot(hashKey: String?, excluding: HostPort?, deadline: ContinuousClock.Instant) async throws -> Lease {
        let queueDeadline = min(deadline, clock.now + .milliseconds(max(0, balancing.queueTimeoutMilliseconds)))
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                let now = clock.now
                let lease: Lease? = state.withLock { state in
                    if let index = pick(&state, hashKey: hashKey, excluding: excluding, now: now) {
                        state.slots[index].inflight += 1
                        return state.slots[index].lease
                    }
                    state.waiters.append(Waiter(id: id, hashKey: hashKey, excluding: excluding, continuation: continuation))
                    return nil
                }
                if let lease {
                    continuation.resume(returning: lease)
                    return
                }
                Task { [weak self] in
                    try? await Task.sleep(until: queueDeadline, clock: ContinuousClock())
                    self?.expireWaiter(id, error: GatewayError(.overloaded, "every engine endpoint is at its concurrency limit (\(self?.maxConcurrency ?? 0)); try again later"))
                }
            }
        } onCancel: {
            self.expireWaiter(id, error: CancellationError())
        }
    }

    private func expireWaiter(_ id: UInt64, error: any Error) {
        let continuation = state.withLock { state -> CheckedContinuation<Lease, any Error>? in
            guard let i = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: i).continuation
        }
        continuation?.resume(throwing: error)
    }

    private func serveWaiters(_ state: inout State, now: ContinuousClock.Instant) -> [(CheckedContinuation<Lease, any Error>, Lease)] {
        var woken: [(CheckedContinuation<Lease, any Error>, Lease)] = []
        var i = 0
        while i < state.waiters.count {
            let waiter = state.waiters[i]
            if let index = pick(&state, hashKey: waiter.hashKey, excluding: waiter.excluding, now: now) {
                state.slots[index].inflight += 1
                woken.append((waiter.continuation, state.slots[index].lease))
                state.waiters.remove(at: i)
            } else {
                i += 1
            }
        }
        return woken
    }
}
