import DequeModule
import Metrics
import Synchronization

/// A queue of keys to reconcile, shared by a controller's workers.
///
/// Duplicate keys merge, a key is never processed by two workers at once, a key re-added while
/// in flight runs once more afterwards, and failed keys come back with backoff. All decisions are
/// made by ``StateMachine``; this class only holds the lock, parks waiting workers and runs the
/// timer for delayed keys.
///
/// A worker loop is: `while let key = await queue.next() { defer { queue.done(key) } ... }`.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Key?, Never>
    }

    private struct State {
        var machine: StateMachine
        var waiters: Deque<Waiter> = []
        var nextWaiterID: UInt64 = 0
        var timer: (deadline: ContinuousClock.Instant, task: Task<Void, Never>)?
    }

    private let state: Mutex<State>
    private let depthGauge: Gauge
    private let addsCounter: Counter
    private let retriesCounter: Counter

    /// - Parameters:
    ///   - name: names the queue in the `workqueue_*` metrics (usually the controller name).
    ///   - metricsFactory: where metrics go; the global `MetricsSystem` unless a test injects one.
    public init(
        name: String, rateLimit: WorkQueueRateLimit = .default,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let factory = metricsFactory ?? MetricsSystem.factory
        let dimensions = [("name", name)]
        state = Mutex(State(machine: StateMachine(rateLimit: rateLimit, now: .now)))
        depthGauge = Gauge(label: "workqueue_depth", dimensions: dimensions, factory: factory)
        addsCounter = Counter(label: "workqueue_adds_total", dimensions: dimensions, factory: factory)
        retriesCounter = Counter(label: "workqueue_retries_total", dimensions: dimensions, factory: factory)
    }

    deinit {
        state.withLock { $0.timer?.task.cancel() }
    }

    // MARK: - Producers

    /// Marks `key` for processing; merges with a copy already waiting.
    public func add(_ key: Key) {
        addsCounter.increment()
        perform { $0.add(key) }
    }

    /// Adds `key` once `delay` has passed (`ReconcileResult.requeue(after:)`).
    public func add(_ key: Key, after delay: Duration) {
        perform { $0.add(key, after: delay, now: .now) }
    }

    /// Adds `key` after its exponential backoff and the global rate limit (a failed reconcile).
    public func addRateLimited(_ key: Key) {
        retriesCounter.increment()
        perform { $0.addRateLimited(key, now: .now) }
    }

    /// Clears the failure history of `key` so its next failure starts from the base delay again.
    public func forget(_ key: Key) {
        state.withLock { $0.machine.forget(key) }
    }

    /// How many backoff re-adds `key` has had since it was last forgotten.
    public func requeues(of key: Key) -> Int {
        state.withLock { $0.machine.requeues(of: key) }
    }

    /// Keys waiting for a worker.
    public var depth: Int { state.withLock { $0.machine.depth } }

    public var isShuttingDown: Bool { state.withLock { $0.machine.isShuttingDown } }

    // MARK: - Workers

    /// The next key to process, waiting until there is one; `nil` once the queue is shut down or
    /// the calling task is cancelled. Every key returned must be given back with ``done(_:)``.
    public func next() async -> Key? {
        let id: UInt64? = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        guard let id else { return nil }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let immediate: Key?? = state.withLock { state in
                    if Task.isCancelled { return .some(nil) }
                    switch state.machine.next() {
                    case .process(let key):
                        depthGauge.record(state.machine.depth)
                        return .some(key)
                    case .shutDown:
                        return .some(nil)
                    case .wait:
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                        return .none
                    }
                }
                if case .some(let answer) = immediate { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: nil)
        }
    }

    /// Gives `key` back after processing; queues it again if it was re-added meanwhile.
    public func done(_ key: Key) {
        perform { $0.done(key) }
    }

    /// Stops the queue: waiting workers get `nil`, pending and delayed keys are dropped.
    public func shutDown() {
        perform { $0.shutDown() }
    }

    // MARK: - Executing actions

    private func perform(_ event: (inout StateMachine) -> StateMachine.Action) {
        var resumes: [(CheckedContinuation<Key?, Never>, Key?)] = []
        state.withLock { state in
            let action = event(&state.machine)
            execute(action, state: &state, resumes: &resumes)
            depthGauge.record(state.machine.depth)
        }
        for (continuation, key) in resumes { continuation.resume(returning: key) }
    }

    private func execute(
        _ action: StateMachine.Action, state: inout State,
        resumes: inout [(CheckedContinuation<Key?, Never>, Key?)]
    ) {
        switch action {
        case .none:
            break
        case .wakeOne:
            // Hand a ready key straight to the longest-waiting worker.
            while !state.waiters.isEmpty, case .process(let key) = state.machine.next() {
                let waiter = state.waiters.removeFirst()
                resumes.append((waiter.continuation, key))
            }
        case .wakeAll:
            while let waiter = state.waiters.popFirst() { resumes.append((waiter.continuation, nil)) }
            state.timer?.task.cancel()
            state.timer = nil
        case .armTimer(let deadline):
            if let timer = state.timer, timer.deadline <= deadline { return }
            state.timer?.task.cancel()
            let task = Task { [weak self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                guard !Task.isCancelled else { return }
                self?.timerFired(deadline: deadline)
            }
            state.timer = (deadline, task)
        }
    }

    private func timerFired(deadline: ContinuousClock.Instant) {
        var resumes: [(CheckedContinuation<Key?, Never>, Key?)] = []
        state.withLock { state in
            if state.timer?.deadline == deadline { state.timer = nil }
            for action in state.machine.timerFired(now: .now) {
                execute(action, state: &state, resumes: &resumes)
            }
            depthGauge.record(state.machine.depth)
        }
        for (continuation, key) in resumes { continuation.resume(returning: key) }
    }
}
