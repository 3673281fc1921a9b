@testable import KubeRuntime
import KubeModel
import Testing

@Suite("LeaderElector.StateMachine")
struct LeaderElectorStateMachineTests {
    typealias Machine = LeaderElector.StateMachine
    let t0 = ContinuousClock.now

    func machine(_ id: String) -> Machine {
        Machine(identity: id, leaseDuration: .seconds(15), renewDeadline: .seconds(10))
    }

    @Test("no lease: create one naming us; success makes us leader")
    func createWhenMissing() throws {
        var m = machine("a")
        let decision = m.decide(current: nil, exists: false, now: t0, wallNow: "T0")
        guard case .create(let spec) = decision else { Issue.record("expected create, got \(decision)"); return }
        #expect(spec.holderIdentity == "a" && spec.leaseDurationSeconds == 15 && spec.leaseTransitions == 0)
        #expect(m.writeSucceeded(spec, now: t0) == .acquired)
        #expect(m.isLeader)
        // Renew keeps acquireTime and transitions.
        guard case .update(let renewed) = m.decide(current: spec, exists: true, now: t0 + .seconds(2), wallNow: "T2") else {
            Issue.record("expected renew"); return
        }
        #expect(renewed.holderIdentity == "a" && renewed.acquireTime == "T0" && renewed.renewTime == "T2" && renewed.leaseTransitions == 0)
        #expect(m.writeSucceeded(renewed, now: t0 + .seconds(2)) == .none)
    }

    @Test("a live lease of another holder is respected until it has not changed for leaseDuration")
    func takeoverAfterExpiry() {
        var m = machine("b")
        let held = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "T0", renewTime: "T0", leaseTransitions: 0)
        #expect(m.decide(current: held, exists: true, now: t0, wallNow: "x") == .wait(lost: false))
        #expect(m.decide(current: held, exists: true, now: t0 + .seconds(14), wallNow: "x") == .wait(lost: false))
        // The holder renewed: the expiry clock restarts from when we saw the change.
        var renewed = held
        renewed.renewTime = "T14"
        #expect(m.decide(current: renewed, exists: true, now: t0 + .seconds(14), wallNow: "x") == .wait(lost: false))
        #expect(m.decide(current: renewed, exists: true, now: t0 + .seconds(28), wallNow: "x") == .wait(lost: false))
        guard case .update(let taken) = m.decide(current: renewed, exists: true, now: t0 + .seconds(29), wallNow: "T29") else {
            Issue.record("expected takeover"); return
        }
        #expect(taken.holderIdentity == "b" && taken.acquireTime == "T29" && taken.leaseTransitions == 1)
    }

    @Test("a released lease (no holder) is taken at once")
    func releasedLease() {
        var m = machine("b")
        let released = LeaseSpec(holderIdentity: nil, leaseDurationSeconds: 1, acquireTime: "T0", renewTime: "T5", leaseTransitions: 3)
        guard case .update(let taken) = m.decide(current: released, exists: true, now: t0, wallNow: "T6") else {
            Issue.record("expected acquire"); return
        }
        #expect(taken.holderIdentity == "b" && taken.leaseTransitions == 4)
    }

    @Test("a leader that cannot renew steps down at the renew deadline")
    func renewDeadline() {
        var m = machine("a")
        let spec = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "T0", renewTime: "T0", leaseTransitions: 0)
        #expect(m.writeSucceeded(spec, now: t0) == .acquired)
        #expect(m.attemptFailed(now: t0 + .seconds(2)) == .none)
        #expect(m.attemptFailed(now: t0 + .seconds(9)) == .none)
        #expect(m.isLeader)
        #expect(m.attemptFailed(now: t0 + .seconds(10)) == .lost)
        #expect(!m.isLeader)
        #expect(m.attemptFailed(now: t0 + .seconds(11)) == .none)
    }

    @Test("seeing another holder while leading means leadership is lost at once")
    func stolen() {
        var m = machine("a")
        let mine = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "T0", renewTime: "T0", leaseTransitions: 0)
        _ = m.writeSucceeded(mine, now: t0)
        var theirs = mine
        theirs.holderIdentity = "b"
        #expect(m.decide(current: theirs, exists: true, now: t0 + .seconds(1), wallNow: "x") == .wait(lost: true))
        #expect(!m.isLeader)
    }

    @Test("release clears the holder only when leading")
    func release() {
        var m = machine("a")
        #expect(m.release(wallNow: "T9") == nil)
        let mine = LeaseSpec(holderIdentity: "a", leaseDurationSeconds: 15, acquireTime: "T0", renewTime: "T0", leaseTransitions: 2)
        _ = m.writeSucceeded(mine, now: t0)
        let released = m.release(wallNow: "T9")
        #expect(released?.holderIdentity == nil && released?.leaseDurationSeconds == 1 && released?.leaseTransitions == 2)
        #expect(!m.isLeader)
    }

    @Test("configuration rejects overlapping timings")
    func validation() {
        #expect(throws: LeaderElectionError.self) {
            try LeaderElector.Configuration(leaseName: "l", leaseNamespace: "ns", leaseDuration: .seconds(5), renewDeadline: .seconds(5)).validate()
        }
        #expect(throws: LeaderElectionError.self) {
            try LeaderElector.Configuration(leaseName: "", leaseNamespace: "ns").validate()
        }
        #expect(throws: Never.self) { try LeaderElector.Configuration(leaseName: "l", leaseNamespace: "ns").validate() }
    }
}
