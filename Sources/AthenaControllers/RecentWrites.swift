import Foundation
import Synchronization

/// What this operator wrote a moment ago and its informer has not shown yet ("expectations" in
/// client-go's controllers). A reconcile triggered by the first of several watch events would
/// otherwise read a cache that misses objects it just created, or holds a status it just replaced,
/// and pay a create that fails with AlreadyExists or an update that fails with Conflict.
///
/// An entry answers while the cache still shows a version the operator's writes replaced (nil: the
/// object did not exist). Successive writes of one object chain (finalizer patch, then status), so an
/// event for the intermediate version does not make the cache look current. Any other version seen
/// by the informer ends the entry, and entries expire after `lifetime` in case that never happens.
public final class RecentWrites<Value: Sendable>: Sendable {
    private struct Entry {
        /// Versions the writes replaced; `nil` stands for "absent".
        var superseded: [String?]
        var version: String?
        var value: Value
        var written: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let lifetime: Duration

    public init(lifetime: Duration = .seconds(10)) {
        self.lifetime = lifetime
    }

    /// Records that `key` now holds `value` at `version`, replacing version `before` (nil: created).
    public func remember(_ key: String, before: String?, value: Value, version: String?) {
        entries.withLock { entries in
            var superseded: [String?] = [before]
            if let old = entries[key], old.version == before { superseded = old.superseded + [before] }
            entries[key] = Entry(superseded: superseded, version: version, value: value, written: .now)
        }
    }

    /// The written value when the cache (at `cachedVersion`) has not caught up with the writes yet.
    public func pending(_ key: String, cachedVersion: String?) -> Value? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if entry.superseded.contains(cachedVersion) && ContinuousClock.now - entry.written < lifetime {
                return entry.value
            }
            entries[key] = nil
            return nil
        }
    }

    /// The informer shows `key` at `version` (nil: deleted). Returns true when that is the echo of
    /// this operator's own write (the final or an intermediate version), which needs no new
    /// reconcile. Any other version means the cache is the truth again and ends the entry.
    @discardableResult
    public func observed(_ key: String, version: String?) -> Bool {
        entries.withLock { entries in
            guard let entry = entries[key] else { return false }
            if version != nil && version == entry.version {
                entries[key] = nil
                return true
            }
            if entry.superseded.contains(version) && version != nil { return true }
            entries[key] = nil
            return false
        }
    }

    /// How many writes are still unseen (for tests and memory checks).
    public var count: Int { entries.withLock { $0.count } }
}
