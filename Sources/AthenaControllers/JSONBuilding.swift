import AthenaAPI

/// Small helpers that keep the builders legible: Kubernetes objects are built as `JSONValue`
/// (what the client sends and the test server stores), without null members.
enum JSON {
    /// `[String: String]` → JSON object.
    static func strings(_ map: [String: String]) -> JSONValue {
        .object(map.mapValues { .string($0) })
    }

    /// `[String]` → JSON array.
    static func strings(_ list: [String]) -> JSONValue {
        .array(list.map { .string($0) })
    }

    /// An object from optional members: nil members are left out.
    static func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        var result: [String: JSONValue] = [:]
        for (key, value) in members {
            if let value { result[key] = value }
        }
        return .object(result)
    }

    static func int(_ value: Int?) -> JSONValue? { value.map { .number(Double($0)) } }
    static func string(_ value: String?) -> JSONValue? { value.map { .string($0) } }

    /// Encodes any Codable value (K3's API types) to JSON; they never encode null members.
    static func encode(_ value: some Encodable) -> JSONValue? { try? JSONValue(encoding: value) }
}

/// The owner of the built objects: the OnlineService, as an owner reference when it has a uid
/// (objects rendered offline by `athena render` have none and carry no owner reference).
struct Owner {
    var name: String
    var namespace: String?
    var uid: String?
    /// The owner's kind (`OnlineService`, `BatchService`).
    var kind: String = OnlineService.kind

    init(_ service: OnlineService) {
        name = service.metadata.name ?? ""
        namespace = service.metadata.namespace
        uid = service.metadata.uid
    }

    init(_ batch: BatchService) {
        name = batch.metadata.name ?? ""
        namespace = batch.metadata.namespace
        uid = batch.metadata.uid
        kind = BatchService.kind
    }

    /// `metadata` of a child: name, namespace, labels, controller owner reference.
    func metadata(name childName: String, labels: [String: String], annotations: [String: String]? = nil) -> JSONValue {
        var reference: JSONValue?
        if let uid {
            reference = [
                "apiVersion": .string(ServingAPI.apiVersion), "kind": .string(kind),
                "name": .string(name), "uid": .string(uid), "controller": true, "blockOwnerDeletion": true,
            ]
        }
        return JSON.object([
            ("name", .string(childName)),
            ("namespace", JSON.string(namespace)),
            ("labels", JSON.strings(labels)),
            ("annotations", annotations.map(JSON.strings)),
            ("ownerReferences", reference.map { .array([$0]) }),
        ])
    }
}
