/// A `core/v1` Event: what `kubectl describe` shows under "Events". The recorder counts repeats
/// of the same event by bumping `count` and `lastTimestamp` instead of creating new objects.
public struct Event: KubeObject, Hashable {
    public static let resource = GroupVersionResource(group: "", version: "v1", resource: "events")
    public static let kind = "Event"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    /// The object this event is about.
    public var involvedObject: ObjectReference
    /// CamelCase machine reason, e.g. `DeployStarted`.
    public var reason: String?
    public var message: String?
    /// `Normal` or `Warning`.
    public var type: String?
    public var count: Int?
    /// RFC3339 seconds (`KubeTime.time`).
    public var firstTimestamp: String?
    public var lastTimestamp: String?
    /// RFC3339 with microseconds (`KubeTime.microTime`).
    public var eventTime: String?
    public var source: EventSource?
    public var reportingComponent: String?
    public var reportingInstance: String?
    public var action: String?

    public init(
        metadata: ObjectMeta, involvedObject: ObjectReference, reason: String? = nil, message: String? = nil,
        type: String? = nil, count: Int? = nil, firstTimestamp: String? = nil, lastTimestamp: String? = nil,
        source: EventSource? = nil
    ) {
        self.apiVersion = Self.resource.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.source = source
    }
}

/// Who reported an `Event`.
public struct EventSource: Codable, Sendable, Hashable {
    public var component: String?
    public var host: String?

    public init(component: String? = nil, host: String? = nil) {
        self.component = component
        self.host = host
    }
}
