import Synchronization

/// Remembers which cached child version was already found to hold which desired object, so a
/// reconcile of an unchanged world neither parses the cached bytes nor walks the JSON again: the
/// common case (every watch event of a converged service) costs one hash of the desired object.
final class ContainmentMemo: Sendable {
    private struct Seen {
        var version: String
        var desired: Int
    }

    private let entries = Mutex<[String: Seen]>([:])
    /// Bounds memory over the life of the process (deleted services leave stale entries behind).
    private let limit = 200_000

    /// True when `version` of `key` was verified to contain a desired object hashing to `desired`.
    func isVerified(_ key: String, version: String?, desired: Int) -> Bool {
        guard let version else { return false }
        return entries.withLock { $0[key].map { $0.version == version && $0.desired == desired } ?? false }
    }

    func verified(_ key: String, version: String?, desired: Int) {
        guard let version else { return }
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll() }
            entries[key] = Seen(version: version, desired: desired)
        }
    }
}
