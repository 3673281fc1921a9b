import KubeRuntime

/// An Event a pure status computation asks the reconciler to record once the new status is
/// written, so lifecycle news is told exactly once per transition (a failed status write means the
/// transition did not happen yet, and the next reconcile plans the event again).
public struct PlannedEvent: Sendable, Hashable {
    public var type: EventRecorder.EventType
    public var reason: String
    public var message: String

    public init(_ type: EventRecorder.EventType, reason: String, message: String) {
        self.type = type
        self.reason = reason
        self.message = message
    }
}
