import DequeModule

extension WorkQueue {
    /// The whole behaviour of the work queue as a pure value: events in, actions out, no I/O and no
    /// clock reading (the caller passes `now`), so every rule is tested by table.
    ///
    /// The rules are client-go's: a key is *dirty* while it needs a reconcile; a dirty key is queued
    /// at most once (duplicates merge); a key added while it is being processed is not handed to a
    /// second worker but queued again when the first one calls `done`. Failed keys come back after
    /// `max(per-key exponential backoff, global token bucket delay)`.
    struct StateMachine {
        typealias Instant = ContinuousClock.Instant

        /// What the caller must do after an event.
        enum Action: Equatable {
            case none
            /// A key became ready: wake one waiting worker.
            case wakeOne
            /// Wake every waiting worker (shutdown).
            case wakeAll
            /// Arm (or re-arm) the timer for the earliest delayed key.
            case armTimer(at: Instant)
        }

        /// The answer to a worker asking for the next key.
        enum NextAction: Equatable {
            case process(Key)
            case wait
            case shutDown
        }

        let rateLimit: WorkQueueRateLimit
        private(set) var queue: Deque<Key> = []
        /// Keys that need processing (queued, or re-added while processing).
        private(set) var dirty: Set<Key> = []
        private(set) var processing: Set<Key> = []
        /// The earliest time each delayed key becomes ready.
        private(set) var delayed: [Key: Instant] = [:]
        private(set) var failures: [Key: Int] = [:]
        private(set) var isShuttingDown = false
        private var bucket: TokenBucket

        init(rateLimit: WorkQueueRateLimit, now: Instant) {
            self.rateLimit = rateLimit
            self.bucket = TokenBucket(qps: rateLimit.qps, burst: rateLimit.burst, now: now)
        }

        /// Keys waiting to be handed to a worker (the `workqueue_depth` gauge).
        var depth: Int { queue.count }

        // MARK: - Events

        /// Marks `key` dirty. Merges with a queued copy; defers while the key is being processed.
        mutating func add(_ key: Key) -> Action {
            guard !isShuttingDown else { return .none }
            guard dirty.insert(key).inserted else { return .none }
            if processing.contains(key) { return .none }
            queue.append(key)
            return .wakeOne
        }

        /// Adds `key` once `delay` has passed. Of several pending delays for a key the earliest wins.
        mutating func add(_ key: Key, after delay: Duration, now: Instant) -> Action {
            guard !isShuttingDown else { return .none }
            if delay <= .zero { return add(key) }
            let readyAt = now.advanced(by: delay)
            if let existing = delayed[key], existing <= readyAt { return .none }
            delayed[key] = readyAt
            return earliestDeadline.map { .armTimer(at: $0) } ?? .none
        }

        /// Adds `key` after its backoff: `base * 2^failures` capped at `maxDelay`, and no sooner than
        /// the global token bucket allows.
        mutating func addRateLimited(_ key: Key, now: Instant) -> Action {
            guard !isShuttingDown else { return .none }
            let delay = max(backoff(for: key), bucket.reserve(now: now))
            failures[key, default: 0] += 1
            return add(key, after: delay, now: now)
        }

        /// The per-key backoff the next `addRateLimited` would apply (before the global bucket).
        func backoff(for key: Key) -> Duration {
            let exponent = failures[key, default: 0]
            let base = rateLimit.baseDelay / .seconds(1)
            let cap = rateLimit.maxDelay / .seconds(1)
            // Compute in Double and cap before converting: 2^n overflows integers quickly.
            let seconds = min(cap, base * pow2(exponent))
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }

        /// Forgets the failure history of `key` (after a successful reconcile).
        mutating func forget(_ key: Key) {
            failures.removeValue(forKey: key)
        }

        /// How many times `key` has been re-added by `addRateLimited` since its last `forget`.
        func requeues(of key: Key) -> Int { failures[key, default: 0] }

        /// A worker asks for work.
        mutating func next() -> NextAction {
            if isShuttingDown { return .shutDown }
            guard let key = queue.popFirst() else { return .wait }
            dirty.remove(key)
            processing.insert(key)
            return .process(key)
        }

        /// A worker finished `key`. If it was re-added meanwhile, it is queued again now.
        mutating func done(_ key: Key) -> Action {
            guard processing.remove(key) != nil else { return .none }
            if dirty.contains(key), !isShuttingDown {
                queue.append(key)
                return .wakeOne
            }
            return .none
        }

        /// The timer fired: move every delayed key whose time has come into the queue.
        mutating func timerFired(now: Instant) -> [Action] {
            var actions: [Action] = []
            let ready = delayed.filter { $0.value <= now }.sorted { $0.value < $1.value }
            for (key, _) in ready {
                delayed.removeValue(forKey: key)
                let action = add(key)
                if action != .none { actions.append(action) }
            }
            if let next = earliestDeadline { actions.append(.armTimer(at: next)) }
            return actions
        }

        /// Stops handing out keys; workers finish what they hold and then see `.shutDown`.
        mutating func shutDown() -> Action {
            guard !isShuttingDown else { return .none }
            isShuttingDown = true
            queue.removeAll()
            delayed.removeAll()
            return .wakeAll
        }

        var earliestDeadline: Instant? { delayed.values.min() }

        private func pow2(_ n: Int) -> Double {
            n >= 1024 ? .infinity : Double(sign: .plus, exponent: n, significand: 1)
        }
    }
}

/// A token bucket in the style of `golang.org/x/time/rate`: reservations may drive the bucket
/// negative, and the debt is the delay the caller must wait.
struct TokenBucket {
    let qps: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(qps: Double, burst: Int, now: ContinuousClock.Instant) {
        self.qps = qps
        self.burst = Double(max(1, burst))
        self.tokens = self.burst
        self.last = now
    }

    /// Takes one token and returns how long to wait until it is really available.
    mutating func reserve(now: ContinuousClock.Instant) -> Duration {
        guard qps > 0, qps.isFinite else { return .zero }
        if now > last {
            let elapsed = (now - last) / .seconds(1)
            tokens = min(burst, tokens + elapsed * qps)
            last = now
        }
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .nanoseconds(Int64((-tokens / qps * 1e9).rounded(.up)))
    }
}
