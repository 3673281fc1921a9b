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
        blocked: ServiceObservation.Blocked? = nil, autoStop: Double? = nil
    ) -> ServiceObservation {
        let versions = ready.enumerated().map { index, isReady in
            ServiceObservation.Version(application: "v\(index)", weight: index == 0 ? 100 : 0, desired: stopped ? 0 : 1,
                                       readyReplicas: isReady ? 1 : 0, ready: isReady, scaledDown: scaledDown)
        }
        return ServiceObservation(generation: generation, blocked: blocked, stopped: stopped, deployTimeoutSeconds: 100,
                                  versions: versions, deploymentsChanged: changed, url: "http://s.ns.svc:80",
                                  autoStopSeconds: autoStop)
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

    @Test("auto-stop: armed once Running, requeue until due, due only while serving; the stop says AutoStopped; started again re-arms")
    func autoStop() {
        let hour = 3600.0
        let steps = Self.run([
            (0, Self.observation(ready: [false], changed: true, autoStop: hour)),
            (10, Self.observation(ready: [true], autoStop: hour)),
            (1000, Self.observation(ready: [true], autoStop: hour)),
            (hour + 10, Self.observation(ready: [true], autoStop: hour)),
            (hour + 11, Self.observation(ready: [false], generation: 2, changed: true, stopped: true, autoStop: hour)),
            (hour + 20, Self.observation(ready: [true], generation: 2, stopped: true, scaledDown: true, autoStop: hour)),
            (hour + 30, Self.observation(ready: [false], generation: 3, changed: true, autoStop: hour)),
            (hour + 40, Self.observation(ready: [true], generation: 3, autoStop: hour)),
        ])
        #expect(steps.map(\.status.phase) == [.deploying, .running, .running, .running, .stopping, .stopped, .deploying, .running])
        #expect(steps.map { $0.events.map(\.reason) } == [
            [EventReason.deployStarted], [EventReason.deploySucceeded, EventReason.autoStopArmed], [], [],
            [], [EventReason.stopped], [EventReason.started], [EventReason.deploySucceeded, EventReason.autoStopArmed],
        ])
        #expect(steps[0].status.autoStopAt == nil, "not armed before it serves")
        #expect(steps[1].status.autoStopAt == KubeTime.time(Self.start + 10 + hour))
        #expect(steps[1].events[1].message == "auto-stop on: the service stops in 1h, at \(KubeTime.time(Self.start + 10 + hour))")
        #expect(steps[1].requeueAfter == .seconds(hour))
        #expect(steps[2].requeueAfter == .seconds(hour + 10 - 1000), "requeue when it is due")
        #expect(steps[2].status == steps[1].status && !steps[2].autoStopDue)
        #expect(steps[3].autoStopDue && steps[3].status == steps[2].status, "due: the machine only says so")
        #expect(steps[4].status.autoStopAt == nil)
        #expect(steps[4].status.conditions?[type: ConditionType.ready]?.reason == ConditionReason.autoStopped)
        let stopped = steps[5].status.conditions?[type: ConditionType.ready]
        #expect(stopped?.reason == ConditionReason.autoStopped)
        #expect(stopped?.message == "stopped by auto-stop after serving for 1h; set spec.stopped to false to start again")
        #expect(steps[5].events.first?.message == "stopped by auto-stop: every version scaled to zero replicas (objects kept)")
        #expect(!steps.contains { $0.autoStopDue && $0.status.phase != .running })
        #expect(steps[7].status.autoStopAt == KubeTime.time(Self.start + hour + 40 + hour), "armed again from the new start")
    }

    @Test("auto-stop: a stop by hand before it is due says Stopped; a spec change re-arms; removing it says AutoStopOff; Warning keeps it")
    func autoStopOffAndRearm() {
        let steps = Self.run([
            (0, Self.observation(ready: [true], autoStop: 100)),
            (50, Self.observation(ready: [false], autoStop: 100)),
            (60, Self.observation(ready: [true], generation: 2, autoStop: 200)),
            (70, Self.observation(ready: [true], generation: 3)),
            (80, Self.observation(ready: [true], generation: 4, autoStop: 100)),
            (90, Self.observation(ready: [true], generation: 5, stopped: true, scaledDown: true, autoStop: 100)),
        ])
        #expect(steps.map(\.status.phase) == [.running, .warning, .running, .running, .running, .stopped])
        #expect(steps[1].status.autoStopAt == steps[0].status.autoStopAt, "Warning still serves: the timer runs on")
        #expect(steps[1].requeueAfter == .seconds(50))
        #expect(steps[2].status.autoStopAt == KubeTime.time(Self.start + 260), "a spec change re-arms from that moment")
        #expect(steps[2].events.map(\.reason) == [EventReason.autoStopArmed])
        #expect(steps[3].status.autoStopAt == nil)
        #expect(steps[3].events == [PlannedEvent(.normal, reason: EventReason.autoStopOff,
                                                 message: "auto-stop switched off: the service keeps running")])
        #expect(steps[3].requeueAfter == nil)
        #expect(steps[4].status.autoStopAt == KubeTime.time(Self.start + 180))
        #expect(steps[5].status.conditions?[type: ConditionType.ready]?.reason == ConditionReason.stopped)
        #expect(steps[5].status.autoStopAt == nil)
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
