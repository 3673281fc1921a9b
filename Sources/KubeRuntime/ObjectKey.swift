public import KubeModel

/// Names one object: `namespace/name`, or just `name` for cluster-scoped objects.
///
/// The currency of the work queue and the cache; reconcilers receive keys, never objects, so
/// they always read the latest state (level-triggered).
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// `nil` (or empty) for cluster-scoped objects.
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = (namespace?.isEmpty ?? true) ? nil : namespace
        self.name = name
    }

    /// The key of `object` (its `metadata.namespace` and `metadata.name`).
    public init(_ object: some KubeObject) {
        self.init(namespace: object.metadata.namespace, name: object.metadata.name ?? "")
    }

    /// Parses `namespace/name` or `name`; `nil` for an empty name or more than one `/`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty:
            self.init(namespace: nil, name: String(parts[0]))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            self.init(namespace: String(parts[0]), name: String(parts[1]))
        default:
            return nil
        }
    }

    public var description: String {
        if let namespace { return "\(namespace)/\(name)" }
        return name
    }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace ?? "", lhs.name) < (rhs.namespace ?? "", rhs.name)
    }
}
