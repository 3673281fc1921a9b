import AthenaAPI
import Foundation

/// The AIApplication's status as a pure function of (previous status, validation errors, the
/// services using it, whether it is being deleted): phase Ready or Failed, conditions
/// `Ready`/`SchemaValid`/`InUse` with exact messages, `referencedBy`, and the Events of the change.
public enum ApplicationStatusMachine {
    public struct Outcome: Sendable, Hashable {
        public var status: AIApplicationStatus
        public var events: [PlannedEvent]
    }

    public static func next(
        previous: AIApplicationStatus?, generation: Int64, errors: [FieldError], users: [ResourceReference],
        deleting: Bool, now: Date
    ) -> Outcome {
        var status = previous ?? AIApplicationStatus()
        let stamp = KubeTime.time(now)
        var conditions = status.conditions ?? []
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            conditions.set(Condition(type: type, status: value ? "True" : "False", reason: reason, message: message,
                                     observedGeneration: generation), now: stamp)
        }
        var events: [PlannedEvent] = []
        status.observedGeneration = generation

        let schemaErrors = errors.filter { $0.path.hasPrefix("spec.apis") }
        if schemaErrors.isEmpty {
            set(ConditionType.schemaValid, true, ConditionReason.schemaValid, "request and response schemas are valid")
        } else {
            set(ConditionType.schemaValid, false, ConditionReason.schemaInvalid, schemaErrors.summary)
        }
        if errors.isEmpty {
            status.phase = .ready
            set(ConditionType.ready, true, ConditionReason.reconciled, "the application is valid and can be deployed")
        } else {
            status.phase = .failed
            let reason = schemaErrors.count == errors.count ? ConditionReason.schemaInvalid : ConditionReason.invalidSpec
            let before = previous?.conditions?[type: ConditionType.ready]
            set(ConditionType.ready, false, reason, errors.summary)
            if previous?.phase != .failed || before?.message != errors.summary {
                events.append(PlannedEvent(.warning, reason: EventReason.invalidSpec, message: errors.summary))
            }
        }

        let sorted = users.sorted()
        status.referencedBy = sorted.isEmpty ? nil : sorted
        let names = sorted.map { "\($0.kind)/\($0.name)" }.joined(separator: ", ")
        if sorted.isEmpty {
            set(ConditionType.inUse, false, ConditionReason.notReferenced,
                deleting ? "no service uses it; deletion proceeds" : "no service uses this application")
        } else if deleting {
            let message = "deletion waits until no service uses it: \(names)"
            let before = previous?.conditions?[type: ConditionType.inUse]
            set(ConditionType.inUse, true, ConditionReason.deletionBlocked, message)
            if before?.reason != ConditionReason.deletionBlocked || before?.message != message {
                events.append(PlannedEvent(.warning, reason: EventReason.deletionBlocked, message: message))
            }
        } else {
            set(ConditionType.inUse, true, ConditionReason.referenced, "used by \(names)")
        }
        status.conditions = conditions
        return Outcome(status: status, events: events)
    }
}
