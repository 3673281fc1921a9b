import KubeModel

extension LeaderElector {
    /// The rules of Lease-based leader election, pure: the caller reads the Lease, asks
    /// ``decide(current:exists:now:wallNow:)`` what to write, writes it (optimistic concurrency:
    /// the update carries the resourceVersion it read) and reports the outcome.
    ///
    /// As in client-go, expiry is judged on *our* monotonic clock from the moment we last saw
    /// the record change, never by comparing the holder's `renewTime` with our wall clock, so
    /// clock skew between pods cannot hand the lease to two leaders.
    struct StateMachine {
        typealias Instant = ContinuousClock.Instant

        enum Decision: Equatable {
            /// No Lease yet: create one naming us.
            case create(LeaseSpec)
            /// Acquire (expired or released lease) or renew (ours).
            case update(LeaseSpec)
            /// Someone else holds a live lease. `lost` when we believed we were leading.
            case wait(lost: Bool)
        }

        enum Transition: Equatable {
            case none, acquired, lost
        }

        let identity: String
        let leaseDuration: Duration
        let renewDeadline: Duration
        private(set) var observed: LeaseSpec?
        private(set) var observedAt: Instant?
        /// When we last wrote the lease successfully; `nil` while not leading.
        private(set) var lastRenewal: Instant?

        init(identity: String, leaseDuration: Duration, renewDeadline: Duration) {
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
        }

        var isLeader: Bool { lastRenewal != nil }

        private var leaseDurationSeconds: Int {
            max(1, Int((leaseDuration / .seconds(1)).rounded(.up)))
        }

        /// What to write given the Lease as just read (`exists == false` when it is absent).
        mutating func decide(current: LeaseSpec?, exists: Bool, now: Instant, wallNow: String) -> Decision {
            guard exists else {
                return .create(
                    LeaseSpec(
                        holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds, acquireTime: wallNow,
                        renewTime: wallNow, leaseTransitions: 0))
            }
            let record = current ?? LeaseSpec()
            if observed != record || observedAt == nil {
                observed = record
                observedAt = now
            }
            let holder = record.holderIdentity ?? ""
            if !holder.isEmpty, holder != identity {
                let expired = observedAt.map { now >= $0.advanced(by: leaseDuration) } ?? false
                if !expired {
                    let wasLeader = isLeader
                    lastRenewal = nil
                    return .wait(lost: wasLeader)
                }
            }
            var next = record
            next.leaseDurationSeconds = leaseDurationSeconds
            next.renewTime = wallNow
            if holder != identity {
                next.holderIdentity = identity
                next.acquireTime = wallNow
                next.leaseTransitions = (record.leaseTransitions ?? 0) + 1
            }
            return .update(next)
        }

        /// The create/update of `spec` succeeded at `now`.
        mutating func writeSucceeded(_ spec: LeaseSpec, now: Instant) -> Transition {
            let wasLeader = isLeader
            observed = spec
            observedAt = now
            lastRenewal = now
            return wasLeader ? .none : .acquired
        }

        /// A read or write failed (conflict, API error, timeout). A leader that has not renewed
        /// within the renew deadline steps down before the lease can expire for others.
        mutating func attemptFailed(now: Instant) -> Transition {
            guard let last = lastRenewal else { return .none }
            if now - last >= renewDeadline {
                lastRenewal = nil
                return .lost
            }
            return .none
        }

        /// On shutdown: the spec that gives the lease up (no holder, 1 s duration) so a
        /// successor need not wait for expiry; `nil` when we are not leading.
        mutating func release(wallNow: String) -> LeaseSpec? {
            guard isLeader, var spec = observed else { return nil }
            lastRenewal = nil
            spec.holderIdentity = nil
            spec.leaseDurationSeconds = 1
            spec.renewTime = wallNow
            return spec
        }
    }
}
