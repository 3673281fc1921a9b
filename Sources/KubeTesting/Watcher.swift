import KubeModel

/// What the store sends down one open watch.
enum WatchMessage: Sendable {
    case event(Cluster.EventType, JSONValue, resourceVersion: Int)
    case bookmark(resourceVersion: Int)
    /// The server ends the watch (shutdown, `closeAllWatches`, timeout).
    case close
}

/// One open watch: which objects it sees and where to send them.
struct Watcher: Sendable {
    var id: Int
    var storageKey: String
    var namespace: String?
    var labels: LabelSelector
    var fields: FieldSelector
    var allowBookmarks: Bool
    var continuation: AsyncStream<WatchMessage>.Continuation
    /// The server's own watches (workload simulator): not closed by `closeAllWatches`.
    var isInternal = false

    func matches(_ object: JSONValue) -> Bool {
        if let namespace, object[path: ["metadata", "namespace"]]?.stringValue ?? "" != namespace { return false }
        var labelMap: [String: String] = [:]
        for (key, value) in object[path: ["metadata", "labels"]]?.objectValue ?? [:] {
            labelMap[key] = value.stringValue ?? ""
        }
        return labels.matches(labelMap) && fields.matches(object)
    }

    /// Translates a change into what this watch sees: an object that starts matching the
    /// selector is ADDED, one that stops matching is DELETED, like the real watch cache.
    func translate(_ type: Cluster.EventType, object: JSONValue, old: JSONValue?) -> Cluster.EventType? {
        let now = matches(object)
        switch type {
        case .added: return now ? .added : nil
        case .deleted: return now ? .deleted : nil
        case .modified:
            let before = old.map(matches) ?? false
            switch (before, now) {
            case (true, true): return .modified
            case (false, true): return .added
            case (true, false): return .deleted
            case (false, false): return nil
            }
        }
    }

    func offer(_ type: Cluster.EventType, object: JSONValue, old: JSONValue?, resourceVersion: Int) {
        if let seen = translate(type, object: object, old: old) {
            continuation.yield(.event(seen, object, resourceVersion: resourceVersion))
        }
    }
}
