import KubeModel

/// Everything the server knows about one kind of resource: where it lives in the URL space, how
/// discovery describes it, which subresources it has and (for custom resources) how to validate
/// and print it.
struct ResourceType: Sendable, Hashable {
    var group: String
    var version: String
    var kind: String
    var plural: String
    var singular: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    /// A `/status` subresource: status is written only there, spec only on the main endpoint.
    var hasStatus: Bool = false
    /// Built-in kinds accept strategic merge patch; custom resources answer 415 like the real server.
    var builtin: Bool = true
    /// The CRD's printer columns (custom resources only).
    var printerColumns: [PrinterColumn] = []
    /// The CRD's `openAPIV3Schema` for this version (custom resources only).
    var schema: JSONValue?

    static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    var verbs: [String] { Self.allVerbs }

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    var gvr: GroupVersionResource {
        GroupVersionResource(group: group, version: version, resource: plural, namespaced: namespaced)
    }

    /// `OnlineService.serving.athena.dev`, as the real server names a kind in messages.
    var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }

    /// `onlineservices.serving.athena.dev`, as the real server names a resource in messages.
    var qualifiedResource: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// Identity of the resource independent of the version: objects are stored under it.
    var storageKey: String { "\(group)/\(plural)" }
}

/// One `additionalPrinterColumns` entry of a CRD.
struct PrinterColumn: Sendable, Hashable {
    var name: String
    var type: String
    var format: String?
    var description: String?
    var priority: Int
    var jsonPath: String
}
