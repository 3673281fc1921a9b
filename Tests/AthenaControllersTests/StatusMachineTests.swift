import AthenaAPI
import AthenaControllers
import Foundation
import Testing

/// The status math alone, by table, with a hand-moved clock.
@Suite("ServiceStatusMachine and ApplicationStatusMachine")
struct StatusMachineTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func observation(
        ready: [Bool], generation: Int64 = 1, changed: Bool = false, stopped: Bool = false, scaledDown: Bool = false,
        blocked: ServiceObservation.Blocked? = nil
    ) -> ServiceObservation {
        let versions = ready.enumerated().map { index, isReady in
            ServiceObservation.Version(application: "v\(index)", weight: index == 0 ? 100 : 0, desired: stopped ? 0 : 1,
                                       readyReplicas: isReady ? 1 : 0, ready: isReady, scaledDown: scaledDown)
        }
        return ServiceObservation(generation: generation, blocked: blocked, stopped: stopped, deployTimeoutSeconds: 100,
                                  versions: versions, deploymentsChanged: changed, url: "http://s.ns.svc:80")
    }

    /// Runs the machine over a sequence of (seconds since start, observation) and returns each step.
    static func run(_ steps: [(TimeInterval, ServiceObservation)]) -> [ServiceStatusMachine.Outcome] {
        var status: OnlineServiceStatus?
        return steps.map { offset, observation in
            let outcome = ServiceStatusMachine.next(previous: status, observation: observation, now: start + offset)
            status = outcome.status
            return outcome
        }
    }

    @Test("deploy → running → short → recovered: Deploying, Running, Warning, Running; events only on transitions")
    func lifecycle() {
        let steps = Self.run([
            (0, Self.observation(ready: [false, false], changed: true)),
            (5, Self.observation(ready: [true, false])),
            (9, Self.observation(ready: [true, true])),
            (20, Self.observation(ready: [true, true])),
            (30, Self.observation(ready: [true, false])),
            (40, Self.observation(ready: [true, true])),
        ])
        #expect(steps.map(\.status.phase) == [.deploying, .deploying, .running, .running, .warning, .running])
        #expect(steps.map { $0.events.map(\.reason) } == [
            [EventReason.deployStarted], [], [EventReason.deploySucceeded], [], [], [],
        ])
        #expect(steps[0].requeueAfter == .seconds(100))
        #expect(steps[1].requeueAfter == .seconds(95))
        #expect(steps[3].status == steps[2].status, "an unchanged world must give an identical status")
        #expect(steps[4].status.conditions?[type: ConditionType.degraded]?.message == "versions short of ready replicas: v1 0/1")
    }

    @Test("a spec change that rewrites Deployments starts a new deploy; weights alone do not")
    func newDeploy() {
        let steps = Self.run([
            (0, Self.observation(ready: [true])),
            (10, Self.observation(ready: [true], generation: 2)),
            (20, Self.observation(ready: [false], generation: 3, changed: true)),
            (30, Self.observation(ready: [true], generation: 3)),
        ])
        #expect(steps.map(\.status.phase) == [.running, .running, .deploying, .running])
        #expect(steps[2].events.map(\.reason) == [EventReason.deployStarted])
        #expect(steps[2].status.deployStartedAt == KubeTime.time(Self.start + 20))
        #expect(steps[3].status.conditions?[type: ConditionType.ready]?.observedGeneration == 3)
    }

    @Test("deploy timeout: Failed once with a Warning, stays Failed quietly, Running when ready")
    func timeout() {
        let steps = Self.run([
            (0, Self.observation(ready: [false], changed: true)),
            (99, Self.observation(ready: [false])),
            (100, Self.observation(ready: [false])),
            (150, Self.observation(ready: [false])),
            (160, Self.observation(ready: [true])),
        ])
        #expect(steps.map(\.status.phase) == [.deploying, .deploying, .failed, .failed, .running])
        #expect(steps[1].requeueAfter == .seconds(1))
        #expect(steps[2].events == [PlannedEvent(.warning, reason: EventReason.deployTimeout,
                                                 message: "deploy timeout: not Running within 100s; short: v0 0/1")])
        #expect(steps[3].events.isEmpty && steps[3].status == steps[2].status)
        #expect(steps[4].events.map(\.reason) == [EventReason.deploySucceeded])
    }

    @Test("stop: Stopping then Stopped with one Event; start again: Started, then DeploySucceeded")
    func stopStart() {
        let steps = Self.run([
            (0, Self.observation(ready: [true])),
            (10, Self.observation(ready: [false], generation: 2, changed: true, stopped: true)),
            (20, Self.observation(ready: [true], generation: 2, stopped: true, scaledDown: true)),
            (30, Self.observation(ready: [true], generation: 2, stopped: true, scaledDown: true)),
            (40, Self.observation(ready: [false], generation: 3, changed: true)),
            (50, Self.observation(ready: [true], generation: 3)),
        ])
        #expect(steps.map(\.status.phase) == [.running, .stopping, .stopped, .stopped, .deploying, .running])
        #expect(steps.map { $0.events.map(\.reason) } == [
            [EventReason.deploySucceeded], [], [EventReason.stopped], [], [EventReason.started], [EventReason.deploySucceeded],
        ])
        #expect(steps[2].status.stoppedAt == KubeTime.time(Self.start + 20))
        #expect(steps[3].status == steps[2].status)
        #expect(steps[4].status.stoppedAt == nil)
    }

    @Test("blocked: Failed with the reason and message, Event once, transition time kept")
    func blocked() {
        let problem = ServiceObservation.Blocked(reason: ConditionReason.invalidWeights, message: "spec.versions: weights must sum to 100")
        let steps = Self.run([
            (0, Self.observation(ready: [true])),
            (10, Self.observation(ready: [true], generation: 2, blocked: problem)),
            (20, Self.observation(ready: [true], generation: 2, blocked: problem)),
        ])
        #expect(steps.map(\.status.phase) == [.running, .failed, .failed])
        #expect(steps[1].events == [PlannedEvent(.warning, reason: ConditionReason.invalidWeights, message: problem.message)])
        #expect(steps[2].events.isEmpty && steps[2].status == steps[1].status)
        let ready = steps[2].status.conditions?[type: ConditionType.ready]
        #expect(ready?.lastTransitionTime == KubeTime.time(Self.start + 10))
    }

    @Test("application: Ready, Failed with every field error, deletion blocked while referenced")
    func application() {
        let error = FieldError(FieldPath("spec.apis[0].request.data"), "type \"text\" is not a JSON Schema type")
        let users = [ResourceReference(kind: "OnlineService", name: "b"), ResourceReference(kind: "BatchService", name: "a")]
        let ready = ApplicationStatusMachine.next(previous: nil, generation: 1, errors: [], users: [], deleting: false, now: Self.start)
        #expect(ready.status.phase == .ready && ready.events.isEmpty)
        let failed = ApplicationStatusMachine.next(previous: ready.status, generation: 2, errors: [error], users: users,
                                                   deleting: false, now: Self.start)
        #expect(failed.status.phase == .failed)
        #expect(failed.status.conditions?[type: ConditionType.ready]?.reason == ConditionReason.schemaInvalid)
        #expect(failed.status.conditions?[type: ConditionType.ready]?.message == error.description)
        #expect(failed.status.referencedBy == users.sorted())
        #expect(failed.events.map(\.reason) == [EventReason.invalidSpec])
        let deleting = ApplicationStatusMachine.next(previous: failed.status, generation: 2, errors: [error], users: users,
                                                     deleting: true, now: Self.start)
        #expect(deleting.events.map(\.reason) == [EventReason.deletionBlocked])
        #expect(deleting.status.conditions?[type: ConditionType.inUse]?.message
                == "deletion waits until no service uses it: BatchService/a, OnlineService/b")
    }
}
