import Foundation
import Synchronization

/// Every request the server answered, in order, with Kubernetes verbs, so tests can assert
/// things like "the second reconcile wrote nothing" or "the reflector relisted once".
public final class RequestLog: Sendable {
    /// One answered request.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        public var method: String
        public var path: String
        public var query: String
        /// get, list, watch, create, update, patch, delete, deletecollection; "discovery" for
        /// discovery and version requests; "other" for anything else.
        public var verb: String
        public var group: String
        public var version: String
        /// The plural resource name (`onlineservices`), "" for non-resource requests.
        public var resource: String
        public var subresource: String?
        public var namespace: String?
        public var name: String?
        /// The HTTP status code answered.
        public var status: Int
        public var date: Date
        /// The client's `User-Agent` header ("" when absent): tells apart the processes that share
        /// one server (two operator replicas, the benchmark's own polling).
        public var userAgent: String = ""

        public var description: String {
            "\(method) \(path)\(query.isEmpty ? "" : "?" + query) → \(status) (\(verb) \(resource)\(subresource.map { "/" + $0 } ?? ""))"
        }

        /// True when `resource` is "plural" (any subresource) or "plural/sub" (that one only).
        public func matches(resource filter: String) -> Bool {
            let parts = filter.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.first == resource else { return false }
            return parts.count == 1 || parts[1] == subresource
        }
    }

    private let state = Mutex<[Entry]>([])

    public init() {}

    /// All entries since the last `reset()`, oldest first.
    public var entries: [Entry] { state.withLock { $0 } }

    /// Requests matching the verb and resource (either may be nil for "any").
    public func count(verb: String? = nil, resource: String? = nil) -> Int {
        entries.filter { entry in
            (verb.map { entry.verb == $0 } ?? true) && (resource.map { entry.matches(resource: $0) } ?? true)
        }.count
    }

    /// Number of requests per verb.
    public var countsByVerb: [String: Int] {
        entries.reduce(into: [:]) { $0[$1.verb, default: 0] += 1 }
    }

    /// The verbs that change state.
    public static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]

    /// create + update + patch + delete + deletecollection requests.
    public var writeCount: Int {
        entries.filter { Self.writeVerbs.contains($0.verb) }.count
    }

    /// Entries whose `User-Agent` starts with `prefix`.
    public func entries(userAgentPrefix prefix: String) -> [Entry] {
        entries.filter { $0.userAgent.hasPrefix(prefix) }
    }

    public func reset() {
        state.withLock { $0.removeAll() }
    }

    func append(_ entry: Entry) {
        state.withLock { $0.append(entry) }
    }
}
