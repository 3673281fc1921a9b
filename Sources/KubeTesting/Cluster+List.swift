import Foundation
import KubeModel

/// The filters of a list or watch request.
struct ListRequest: Sendable {
    var namespace: String?
    var labels: LabelSelector = .everything
    var fields: FieldSelector = .everything
    var limit: Int?
    var continueToken: String?
    var allowBookmarks = false
}

/// One page of a list.
struct ListPage: Sendable {
    var items: [JSONValue]
    var resourceVersion: Int
    var continueToken: String?
    var remainingItemCount: Int?
}

extension Cluster {
    /// Objects sorted by namespace and name, filtered, one page at a time.
    ///
    /// A continue token names the list's resourceVersion and the last key returned; the next
    /// page holds the objects after that key *now* (not a snapshot), and a token older than the
    /// retained history is 410 Expired, as when etcd has compacted.
    func list(_ type: ResourceType, _ request: ListRequest) throws(Status) -> ListPage {
        var listRV = resourceVersion
        var after: Key?
        if let token = request.continueToken, !token.isEmpty {
            guard let decoded = ContinueToken(encoded: token) else {
                throw APIErrors.badRequest("invalid continue token \"\(token)\"")
            }
            if decoded.resourceVersion < historyStart {
                throw APIErrors.gone(
                    "The provided continue parameter is too old to display a consistent list result. "
                        + "You can start a new list without the continue parameter.")
            }
            listRV = decoded.resourceVersion
            after = Key(namespace: decoded.namespace, name: decoded.name)
        }
        let probe = Watcher(
            id: -1, storageKey: type.storageKey, namespace: type.namespaced ? request.namespace : nil,
            labels: request.labels, fields: request.fields, allowBookmarks: false,
            continuation: AsyncStream<WatchMessage>.makeStream().continuation)
        var matching = (objects[type.storageKey] ?? [:]).sorted { $0.key < $1.key }
            .filter { entry in after.map { entry.key > $0 } ?? true }
            .filter { probe.matches($0.value) }
        var token: String?
        var remaining: Int?
        if let limit = request.limit, limit > 0, matching.count > limit {
            remaining = matching.count - limit
            matching = Array(matching.prefix(limit))
            if let last = matching.last?.key {
                token = ContinueToken(resourceVersion: listRV, namespace: last.namespace, name: last.name).encoded
            }
        }
        return ListPage(
            items: matching.map { Cluster.view($0.value, as: type) }, resourceVersion: listRV,
            continueToken: token, remainingItemCount: remaining)
    }

    // MARK: - Watches

    /// Opens a watch. From no resourceVersion (or "0") it first sends every current object as
    /// ADDED; from a resourceVersion it replays the retained events after it, or throws 410 when
    /// that version is older than the history.
    mutating func addWatcher(
        _ type: ResourceType, _ request: ListRequest, resourceVersion rv: String?,
        continuation: AsyncStream<WatchMessage>.Continuation, isInternal: Bool = false
    ) throws(Status) -> Int {
        nextWatcherID += 1
        let watcher = Watcher(
            id: nextWatcherID, storageKey: type.storageKey, namespace: type.namespaced ? request.namespace : nil,
            labels: request.labels, fields: request.fields, allowBookmarks: request.allowBookmarks,
            continuation: continuation, isInternal: isInternal)
        if let rv, !rv.isEmpty, rv != "0" {
            guard let start = Int(rv), start >= 0 else {
                throw APIErrors.badRequest("invalid resource version \"\(rv)\"")
            }
            if start < historyStart {
                throw APIErrors.gone("too old resource version: \(start) (\(historyStart + 1))")
            }
            for event in history where event.storageKey == type.storageKey && event.resourceVersion > start {
                watcher.offer(event.type, object: event.object, old: event.old, resourceVersion: event.resourceVersion)
            }
        } else {
            for (_, object) in (objects[type.storageKey] ?? [:]).sorted(by: { $0.key < $1.key })
            where watcher.matches(object) {
                let objectRV = Int(object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? resourceVersion
                continuation.yield(.event(.added, object, resourceVersion: objectRV))
            }
        }
        watchers[watcher.id] = watcher
        return watcher.id
    }

    mutating func removeWatcher(_ id: Int) {
        watchers[id] = nil
    }
}

/// The opaque `continue` value of a paged list.
struct ContinueToken: Codable, Sendable {
    var resourceVersion: Int
    var namespace: String
    var name: String

    init(resourceVersion: Int, namespace: String, name: String) {
        self.resourceVersion = resourceVersion
        self.namespace = namespace
        self.name = name
    }

    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded),
            let token = try? JSONDecoder().decode(ContinueToken.self, from: data)
        else { return nil }
        self = token
    }

    var encoded: String {
        ((try? JSONEncoder().encode(self)) ?? Data()).base64EncodedString()
    }
}
