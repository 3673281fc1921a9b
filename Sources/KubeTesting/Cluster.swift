import Foundation
import KubeModel

/// The whole state of the in-memory cluster: objects, the resource types CRDs added, the global
/// resourceVersion, the bounded event history and the open watches.
///
/// A value type mutated only under `ObjectStore`'s lock, so every write is atomic and events
/// reach watchers in resourceVersion order.
struct Cluster: Sendable {
    /// `namespace` is "" for cluster-scoped objects.
    struct Key: Hashable, Comparable, Sendable {
        var namespace: String
        var name: String

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
        }
    }

    enum EventType: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED"
    }

    /// One committed change, kept for replay to watches that start from an older resourceVersion.
    struct HistoryEvent: Sendable {
        var resourceVersion: Int
        var storageKey: String
        var type: EventType
        var object: JSONValue
        var old: JSONValue?
    }

    var resourceVersion = 0
    var objects: [String: [Key: JSONValue]] = [:]
    /// Resource types served because of a CRD, by CRD name.
    var customTypes: [String: [ResourceType]] = [:]
    var history: [HistoryEvent] = []
    /// Every event with a resourceVersion above this one is in `history`.
    var historyStart = 0
    var historyLimit: Int
    var watchers: [Int: Watcher] = [:]
    var nextWatcherID = 0
    let now: @Sendable () -> Date

    init(historyLimit: Int, now: @escaping @Sendable () -> Date = { Date() }) {
        self.historyLimit = max(1, historyLimit)
        self.now = now
        for name in ["default", "kube-system", "kube-public"] {
            let namespace: JSONValue = [
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": ["name": .string(name)], "spec": ["finalizers": ["kubernetes"]],
            ]
            _ = try? create(BuiltinResources.namespace, namespace: nil, body: namespace)
        }
    }

    // MARK: - Resource types

    var allTypes: [ResourceType] {
        BuiltinResources.all + customTypes.keys.sorted().flatMap { customTypes[$0] ?? [] }
    }

    func resourceType(group: String, version: String, plural: String) -> ResourceType? {
        allTypes.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    func resourceType(apiVersion: String, kind: String) -> ResourceType? {
        allTypes.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    // MARK: - Objects

    func object(_ type: ResourceType, _ key: Key) -> JSONValue? {
        objects[type.storageKey]?[key]
    }

    func key(_ type: ResourceType, namespace: String?, name: String) -> Key {
        Key(namespace: type.namespaced ? (namespace ?? "") : "", name: name)
    }

    /// The object as seen through `type`'s version (no conversion: only `apiVersion` changes).
    static func view(_ object: JSONValue, as type: ResourceType) -> JSONValue {
        var copy = object
        copy["apiVersion"] = .string(type.apiVersion)
        copy["kind"] = .string(type.kind)
        return copy
    }

    mutating func nextResourceVersion() -> Int {
        resourceVersion += 1
        return resourceVersion
    }

    var timestamp: String { Self.format(now()) }

    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current))
    }

    // MARK: - Events

    /// Records a committed change and hands it to every watch that can see it.
    mutating func publish(_ type: EventType, storageKey: String, object: JSONValue, old: JSONValue?) {
        let rv = resourceVersion
        history.append(HistoryEvent(resourceVersion: rv, storageKey: storageKey, type: type, object: object, old: old))
        if history.count > historyLimit {
            let drop = history.count - historyLimit
            historyStart = history[drop - 1].resourceVersion
            history.removeFirst(drop)
        }
        for watcher in watchers.values where watcher.storageKey == storageKey {
            watcher.offer(type, object: object, old: old, resourceVersion: rv)
        }
    }

    /// Forgets all history: a watch from any resourceVersion before now gets 410 Gone.
    mutating func expireHistory() {
        history.removeAll()
        historyStart = resourceVersion
    }
}
