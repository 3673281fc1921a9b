/// What a request path names: a discovery document or a resource (collection, object, subresource).
enum RequestTarget: Sendable {
    case version
    case health
    case coreVersions
    case coreResources
    case groups
    case group(String)
    case groupResources(group: String, version: String)
    case openAPI
    /// `/debug/requests`: the request log's summary (GET) or reset (DELETE); not itself logged.
    case debugRequests
    case resource(ResourceTarget)
    case notFound

    /// `/api/v1/namespaces/ns/configmaps/name/status` and friends, as the real server routes them.
    init(path: String, types: [ResourceType]) {
        let segments = path.split(separator: "/").map(String.init)
        switch segments.first {
        case "version" where segments.count == 1: self = .version
        case "healthz", "readyz", "livez": self = .health
        case "openapi": self = .openAPI
        case "debug" where segments == ["debug", "requests"]: self = .debugRequests
        case "api":
            switch segments.count {
            case 1: self = .coreVersions
            case 2 where segments[1] == "v1": self = .coreResources
            default:
                guard segments[1] == "v1" else { self = .notFound; return }
                self = Self.resource(group: "", version: "v1", Array(segments.dropFirst(2)), types: types)
            }
        case "apis":
            switch segments.count {
            case 1: self = .groups
            case 2: self = .group(segments[1])
            case 3: self = .groupResources(group: segments[1], version: segments[2])
            default:
                self = Self.resource(group: segments[1], version: segments[2], Array(segments.dropFirst(3)), types: types)
            }
        default:
            self = .notFound
        }
    }

    private static func resource(group: String, version: String, _ path: [String], types: [ResourceType]) -> RequestTarget {
        var rest = path
        var watchPath = false
        if rest.first == "watch" {
            watchPath = true
            rest.removeFirst()
        }
        func lookup(_ plural: String) -> ResourceType? {
            types.first { $0.group == group && $0.version == version && $0.plural == plural }
        }
        var namespace: String?
        if rest.count >= 3, rest[0] == "namespaces", let type = lookup(rest[2]), type.namespaced {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let plural = rest.first, rest.count <= 3, let type = lookup(plural) else { return .notFound }
        if namespace != nil && !type.namespaced { return .notFound }
        return .resource(
            ResourceTarget(
                type: type, namespace: namespace, name: rest.count > 1 ? rest[1] : nil,
                subresource: rest.count > 2 ? rest[2] : nil, watchPath: watchPath))
    }
}

/// A resource request: which type, namespace, object and subresource.
struct ResourceTarget: Sendable {
    var type: ResourceType
    var namespace: String?
    var name: String?
    var subresource: String?
    /// The legacy `/watch/` path prefix was used.
    var watchPath: Bool
}
