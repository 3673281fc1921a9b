import AthenaAPI
import KubeClient

/// Makes one desired child exist as built: creates it when missing, repairs the fields the builders own
/// when they drifted (JSON merge of the desired object over the live one), and writes nothing when the
/// live object already holds every desired field. The building block of the OnlineService reconciler.
public struct ChildApplier: Sendable {
    /// What `apply` did, for logs, events and tests.
    public enum Outcome: String, Sendable, Hashable {
        case created, updated, unchanged
    }

    public let api: any KubeAPI

    public init(api: any KubeAPI) {
        self.api = api
    }

    /// The REST resource of a child kind the builders produce.
    public static func resource(forKind kind: String) -> GroupVersionResource? {
        switch kind {
        case "ConfigMap": GroupVersionResource(group: "", version: "v1", resource: "configmaps")
        case "Service": GroupVersionResource(group: "", version: "v1", resource: "services")
        case "Deployment": GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
        case "NetworkPolicy": GroupVersionResource(group: "networking.k8s.io", version: "v1", resource: "networkpolicies")
        case "Job": JobKind.resource
        default: nil
        }
    }

    public func apply(_ desired: JSONValue) async throws -> Outcome {
        let kind = desired["kind"]?.stringValue ?? ""
        guard let resource = Self.resource(forKind: kind), let name = desired["metadata"]?["name"]?.stringValue else {
            throw BuildError("cannot apply an object of kind \(kind) without a name")
        }
        let namespace = desired["metadata"]?["namespace"]?.stringValue
        let live: UnstructuredObject
        do {
            live = try await api.get(resource, namespace: namespace, name: name)
        } catch KubeError.api(let status) where status.code == 404 {
            _ = try await api.create(resource, UnstructuredObject(json: desired))
            return .created
        }
        try Self.checkOwner(live: live.json, desired: desired)
        if Self.contains(live.json, desired) { return .unchanged }
        _ = try await api.update(resource, UnstructuredObject(json: live.json.applyingMergePatch(desired)))
        return .updated
    }

    /// What a cache-based apply did and the object the server returned (nil when unchanged).
    public struct Applied: Sendable, Hashable {
        public var outcome: Outcome
        public var object: JSONValue?
    }

    /// Like ``apply(_:)`` but with the live object from an informer cache instead of a GET, so an
    /// unchanged child costs no request at all. A cache that has not seen a child (relabelled out
    /// of the watch, or created by someone else) answers create with `AlreadyExists`: the GET-based
    /// path then repairs it. A stale live object makes the update fail with `Conflict`, which the
    /// caller retries after the cache caught up.
    public func apply(_ desired: JSONValue, live: JSONValue?) async throws -> Applied {
        let kind = desired["kind"]?.stringValue ?? ""
        guard let resource = Self.resource(forKind: kind), desired["metadata"]?["name"]?.stringValue != nil else {
            throw BuildError("cannot apply an object of kind \(kind) without a name")
        }
        guard let live else {
            do {
                let created = try await api.create(resource, UnstructuredObject(json: desired))
                return Applied(outcome: .created, object: created.json)
            } catch let error as KubeError where error.isAlreadyExists {
                return Applied(outcome: try await apply(desired), object: nil)
            }
        }
        try Self.checkOwner(live: live, desired: desired)
        if Self.contains(live, desired) { return Applied(outcome: .unchanged, object: nil) }
        let updated = try await api.update(resource, UnstructuredObject(json: live.applyingMergePatch(desired)))
        return Applied(outcome: .updated, object: updated.json)
    }

    /// Refuses to take over an object another controller owns (a same-named Deployment of another
    /// service or tool): overwriting it would fight that controller forever. Objects without a
    /// controller owner are adopted.
    static func checkOwner(live: JSONValue, desired: JSONValue) throws(ChildConflictError) {
        func controller(_ object: JSONValue) -> JSONValue? {
            object["metadata"]?["ownerReferences"]?.arrayValue?.first { $0["controller"]?.boolValue == true }
        }
        guard let wanted = controller(desired)?["uid"]?.stringValue, let owner = controller(live),
            let uid = owner["uid"]?.stringValue, uid != wanted
        else { return }
        throw ChildConflictError(
            kind: desired["kind"]?.stringValue ?? "", name: desired["metadata"]?["name"]?.stringValue ?? "",
            owner: "\(owner["kind"]?.stringValue ?? "")/\(owner["name"]?.stringValue ?? "")")
    }

    /// Whether `actual` holds every field of `desired` with the same value (objects: a subset, arrays:
    /// same length and element-wise). Fields the API server adds (defaults, clusterIP, status) are ignored.
    public static func contains(_ actual: JSONValue, _ desired: JSONValue) -> Bool {
        switch (actual, desired) {
        case (.object(let a), .object(let d)):
            return d.allSatisfy { key, value in a[key].map { contains($0, value) } ?? false }
        case (.array(let a), .array(let d)):
            return a.count == d.count && zip(a, d).allSatisfy { contains($0, $1) }
        default:
            return actual == desired
        }
    }
}

/// A child the operator must create already exists under another controller.
public struct ChildConflictError: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    public var name: String
    /// `Kind/name` of the controller that owns it.
    public var owner: String

    public var description: String {
        "\(kind) \(name) already exists and is controlled by \(owner); rename the service or remove that object"
    }
}
