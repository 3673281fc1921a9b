import AthenaAPI
import Foundation

/// Auto-stop (`spec.autoStop.after`, ModelArts' "stop automatically after N hours"): a service
/// someone forgot keeps its GPUs; this stops it once it has been serving for the given time.
///
/// The timer runs while the service serves (Running or Warning) and is armed then, as
/// `status.autoStopAt`, with an `AutoStopArmed` Event. It is armed again from that moment when
/// the service starts serving after a deploy, a stop or a failure, and on any change of the spec
/// while serving (that is how a new `after` takes effect). Leaving the serving phases disarms it;
/// removing `autoStop` disarms it with an `AutoStopOff` Event. Once due, the machine only says so
/// (``ServiceStatusMachine/Outcome/autoStopDue``): the reconciler sets `spec.stopped` (the status
/// cannot stop anything), and the stop then runs like a stop by hand, its conditions saying
/// `AutoStopped`. `spec.stopped: false` starts the service again.
extension ServiceStatusMachine {
    struct AutoStop {
        var autoStopAt: String?
        var events: [PlannedEvent] = []
        var due = false
        /// The time left until it is due, for the requeue.
        var left: Duration?
    }

    static func autoStop(
        old: OnlineServiceStatus, phase: OnlineServicePhase?, observation o: ServiceObservation, newDeploy: Bool, now: Date
    ) -> AutoStop {
        let armedAt = old.autoStopAt.flatMap(KubeTime.parse)
        // Validation caps `after` at a year; the clamp keeps a value that slipped past it from
        // overflowing the timestamp and requeue arithmetic.
        guard let seconds = o.autoStopSeconds.map({ min($0, AutoStopSpec.maxSeconds) }) else {
            var result = AutoStop(autoStopAt: nil)
            if armedAt != nil {
                result.events.append(PlannedEvent(.normal, reason: EventReason.autoStopOff,
                                                  message: "auto-stop switched off: the service keeps running"))
            }
            return result
        }
        guard phase == .running || phase == .warning else { return AutoStop(autoStopAt: nil) }
        let serving = old.phase == .running || old.phase == .warning
        if let armedAt, serving, !newDeploy, old.observedGeneration == o.generation {
            if now >= armedAt { return AutoStop(autoStopAt: old.autoStopAt, due: true) }
            return AutoStop(autoStopAt: old.autoStopAt, left: milliseconds(armedAt.timeIntervalSince(now)))
        }
        let at = KubeTime.time(now + seconds)
        let event = PlannedEvent(.normal, reason: EventReason.autoStopArmed,
                                 message: "auto-stop on: the service stops in \(DurationText.format(seconds)), at \(at)")
        let armed = KubeTime.parse(at) ?? now + seconds
        return AutoStop(autoStopAt: at, events: [event], left: milliseconds(armed.timeIntervalSince(now)))
    }

    /// Whether this stop is auto-stop's: it was due when the stop began, or an earlier pass of this
    /// stop already said so.
    static func stoppedByAutoStop(old: OnlineServiceStatus, now: Date) -> Bool {
        if let due = old.autoStopAt.flatMap(KubeTime.parse), now >= due { return true }
        return old.conditions?[type: ConditionType.ready]?.reason == ConditionReason.autoStopped
    }

    private static func milliseconds(_ interval: TimeInterval) -> Duration {
        .milliseconds(Int64(min(max(1, (interval * 1000).rounded(.up)), AutoStopSpec.maxSeconds * 1000)))
    }
}
