/// A standard status condition (`metav1.Condition`): `type` such as `Ready`, `status`
/// `"True"|"False"|"Unknown"`, a CamelCase `reason`, a human `message`, and the generation it
/// was computed from.
public struct Condition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var reason: String
    public var message: String
    public var observedGeneration: Int64?
    public var lastTransitionTime: String?

    public init(
        type: String, status: String, reason: String, message: String,
        observedGeneration: Int64? = nil, lastTransitionTime: String? = nil
    ) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
    }
}

extension Array where Element == Condition {
    /// The condition of the given type, if present.
    public subscript(type type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Sets `condition`, keeping the old `lastTransitionTime` when the status did not change,
    /// so an unchanged world produces an unchanged (and therefore unwritten) status.
    public mutating func set(_ condition: Condition, now: String) {
        var updated = condition
        if let index = firstIndex(where: { $0.type == condition.type }) {
            let old = self[index]
            updated.lastTransitionTime = old.status == condition.status ? old.lastTransitionTime : now
            self[index] = updated
        } else {
            updated.lastTransitionTime = now
            append(updated)
        }
    }
}
