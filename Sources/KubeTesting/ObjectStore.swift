import Foundation
import KubeModel
import Synchronization

/// The cluster state behind one lock: every request runs its whole read-modify-write inside
/// `withCluster`, so writes are atomic and events leave in resourceVersion order.
final class ObjectStore: Sendable {
    private let state: Mutex<Cluster>

    init(historyLimit: Int) {
        state = Mutex(Cluster(historyLimit: historyLimit))
    }

    func withCluster<T: Sendable>(_ body: (inout Cluster) throws(Status) -> T) throws(Status) -> T {
        try state.withLock { (cluster: inout Cluster) throws(Status) -> T in try body(&cluster) }
    }

    func withClusterResult<T: Sendable>(_ body: (inout Cluster) throws(Status) -> T) -> Result<T, Status> {
        state.withLock { (cluster: inout Cluster) -> Result<T, Status> in
            do throws(Status) {
                return .success(try body(&cluster))
            } catch {
                return .failure(error)
            }
        }
    }

    func read<T: Sendable>(_ body: (Cluster) -> T) -> T {
        state.withLock { body($0) }
    }

    /// Unregisters a watch whose stream ended. Deferred to a task because a stream can end
    /// while the lock is held (a continuation finished inside `withCluster` runs its
    /// termination handler synchronously).
    func removeWatcherLater(_ id: Int) {
        Task { [self] in
            _ = try? withCluster { $0.removeWatcher(id) }
        }
    }

    /// Ends every open watch (server stop, `closeAllWatches`).
    func closeAllWatches(includingInternal: Bool = false) {
        state.withLock { cluster in
            for (id, watcher) in cluster.watchers where includingInternal || !watcher.isInternal {
                watcher.continuation.yield(.close)
                watcher.continuation.finish()
                cluster.watchers[id] = nil
            }
        }
    }

    /// A BOOKMARK at the current resourceVersion to every watch that allows them.
    func sendBookmarks() {
        state.withLock { cluster in
            for watcher in cluster.watchers.values where watcher.allowBookmarks && !watcher.isInternal {
                watcher.continuation.yield(.bookmark(resourceVersion: cluster.resourceVersion))
            }
        }
    }
}
