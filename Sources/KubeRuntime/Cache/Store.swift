public import KubeModel
import Synchronization

/// The informer's cache of one resource: the latest state of every object the watch has seen,
/// indexed by namespace/name, by namespace, by owner uid and by label.
///
/// Reconcilers read from here instead of the API server; only the informer writes. Reads are
/// snapshots (values), safe from any task.
public final class Store<Object: KubeObject>: Sendable {
    private struct Storage {
        var objects: [ObjectKey: Object] = [:]
        var byNamespace: [String: Set<ObjectKey>] = [:]
        var byOwner: [String: Set<ObjectKey>] = [:]
        var byLabel: [String: Set<ObjectKey>] = [:]
        var synced = false
    }

    private let storage = Mutex(Storage())

    public init() {}

    // MARK: - Reads

    /// The cached object, or `nil` if the cache does not hold it.
    public func get(_ key: ObjectKey) -> Object? {
        storage.withLock { $0.objects[key] }
    }

    public func get(namespace: String?, name: String) -> Object? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    /// All cached objects, or those of one namespace, sorted by key.
    public func list(namespace: String? = nil) -> [Object] {
        storage.withLock { s in
            let keys = namespace.map { s.byNamespace[$0] ?? [] } ?? Set(s.objects.keys)
            return keys.sorted().compactMap { s.objects[$0] }
        }
    }

    /// Objects with an owner reference to `uid` (controller or not), sorted by key.
    public func list(ownedBy uid: String) -> [Object] {
        storage.withLock { s in (s.byOwner[uid] ?? []).sorted().compactMap { s.objects[$0] } }
    }

    /// Objects carrying every one of `labels` (an equality selector), optionally in one namespace.
    public func list(labels: [String: String], namespace: String? = nil) -> [Object] {
        storage.withLock { s in
            var keys: Set<ObjectKey>? = namespace.map { s.byNamespace[$0] ?? [] }
            for (name, value) in labels {
                let matching = s.byLabel[Self.labelIndexKey(name, value)] ?? []
                keys = keys.map { $0.intersection(matching) } ?? matching
            }
            let result = keys ?? Set(s.objects.keys)
            return result.sorted().compactMap { s.objects[$0] }
        }
    }

    /// Every cached key, sorted.
    public var keys: [ObjectKey] { storage.withLock { $0.objects.keys.sorted() } }

    public var count: Int { storage.withLock { $0.objects.count } }

    /// True once the first list has been stored: before that the cache is not the world, and a
    /// reconciler must not conclude "not found".
    public var hasSynced: Bool { storage.withLock { $0.synced } }

    /// Returns once ``hasSynced`` is true, or when the task is cancelled.
    public func waitUntilSynced() async {
        // Polling keeps cancellation trivial; syncing happens once per informer lifetime.
        while !hasSynced, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: - Writes (the informer's)

    /// Stores a watched add or modify, returning the change to deliver (nil when unchanged).
    func upsert(_ object: Object) -> InformerEvent<Object>? {
        storage.withLock { s in
            let key = ObjectKey(object)
            let old = s.objects[key]
            if let old, old.metadata.resourceVersion == object.metadata.resourceVersion,
                object.metadata.resourceVersion != nil
            {
                return nil
            }
            Self.insert(object, key: key, into: &s)
            return old.map { .updated(old: $0, new: object) } ?? .added(object)
        }
    }

    /// Removes a watched delete, returning the change to deliver (nil when not cached).
    func remove(_ object: Object) -> InformerEvent<Object>? {
        storage.withLock { s in
            guard Self.delete(ObjectKey(object), from: &s) != nil else { return nil }
            return .deleted(object)
        }
    }

    /// Replaces the whole content with a fresh list and returns the differences, so a relist
    /// delivers exactly what changed: no key is lost and none is duplicated.
    func replace(with objects: [Object]) -> [InformerEvent<Object>] {
        storage.withLock { s in
            var events: [InformerEvent<Object>] = []
            var fresh = Set<ObjectKey>()
            for object in objects {
                let key = ObjectKey(object)
                fresh.insert(key)
                if let old = s.objects[key] {
                    if old.metadata.resourceVersion != object.metadata.resourceVersion
                        || old.metadata.uid != object.metadata.uid
                    {
                        Self.insert(object, key: key, into: &s)
                        events.append(.updated(old: old, new: object))
                    }
                } else {
                    Self.insert(object, key: key, into: &s)
                    events.append(.added(object))
                }
            }
            for key in s.objects.keys.sorted() where !fresh.contains(key) {
                if let gone = Self.delete(key, from: &s) { events.append(.deleted(gone)) }
            }
            s.synced = true
            return events
        }
    }

    // MARK: - Indexes

    private static func labelIndexKey(_ name: String, _ value: String) -> String { "\(name)=\(value)" }

    private static func insert(_ object: Object, key: ObjectKey, into s: inout Storage) {
        delete(key, from: &s)
        s.objects[key] = object
        s.byNamespace[key.namespace ?? "", default: []].insert(key)
        for ref in object.metadata.ownerReferences ?? [] { s.byOwner[ref.uid, default: []].insert(key) }
        for (name, value) in object.metadata.labels ?? [:] {
            s.byLabel[labelIndexKey(name, value), default: []].insert(key)
        }
    }

    @discardableResult
    private static func delete(_ key: ObjectKey, from s: inout Storage) -> Object? {
        guard let old = s.objects.removeValue(forKey: key) else { return nil }
        s.byNamespace[key.namespace ?? ""]?.remove(key)
        for ref in old.metadata.ownerReferences ?? [] {
            s.byOwner[ref.uid]?.remove(key)
            if s.byOwner[ref.uid]?.isEmpty == true { s.byOwner[ref.uid] = nil }
        }
        for (name, value) in old.metadata.labels ?? [:] {
            let indexKey = labelIndexKey(name, value)
            s.byLabel[indexKey]?.remove(key)
            if s.byLabel[indexKey]?.isEmpty == true { s.byLabel[indexKey] = nil }
        }
        return old
    }
}
