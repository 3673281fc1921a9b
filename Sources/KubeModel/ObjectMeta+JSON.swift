// MARK: - ObjectMeta ⇄ JSONValue without a JSON encoder round trip

extension ObjectMeta {
    /// Strict: throws a `DecodingError` naming the member whose type is wrong.
    public init(json: JSONValue) throws {
        self = try json.decode(as: ObjectMeta.self)
    }

    /// Lenient: takes every member that has the expected type, ignores the rest.
    init(projecting json: JSONValue) {
        self.init()
        name = json["name"]?.stringValue
        generateName = json["generateName"]?.stringValue
        namespace = json["namespace"]?.stringValue
        uid = json["uid"]?.stringValue
        resourceVersion = json["resourceVersion"]?.stringValue
        generation = json["generation"]?.intValue.map(Int64.init)
        creationTimestamp = json["creationTimestamp"]?.stringValue
        deletionTimestamp = json["deletionTimestamp"]?.stringValue
        deletionGracePeriodSeconds = json["deletionGracePeriodSeconds"]?.intValue.map(Int64.init)
        labels = json["labels"]?.objectValue.map { $0.compactMapValues(\.stringValue) }
        annotations = json["annotations"]?.objectValue.map { $0.compactMapValues(\.stringValue) }
        finalizers = json["finalizers"]?.arrayValue.map { $0.compactMap(\.stringValue) }
        ownerReferences = json["ownerReferences"]?.arrayValue.map { $0.compactMap(OwnerReference.init(projecting:)) }
    }

    /// The metadata as JSON; absent fields are absent (never `null`).
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [:]
        members["name"] = name.map(JSONValue.string)
        members["generateName"] = generateName.map(JSONValue.string)
        members["namespace"] = namespace.map(JSONValue.string)
        members["uid"] = uid.map(JSONValue.string)
        members["resourceVersion"] = resourceVersion.map(JSONValue.string)
        members["generation"] = generation.map { .number(Double($0)) }
        members["creationTimestamp"] = creationTimestamp.map(JSONValue.string)
        members["deletionTimestamp"] = deletionTimestamp.map(JSONValue.string)
        members["deletionGracePeriodSeconds"] = deletionGracePeriodSeconds.map { .number(Double($0)) }
        members["labels"] = labels.map { .object($0.mapValues(JSONValue.string)) }
        members["annotations"] = annotations.map { .object($0.mapValues(JSONValue.string)) }
        members["finalizers"] = finalizers.map { .array($0.map(JSONValue.string)) }
        members["ownerReferences"] = ownerReferences.map { .array($0.map(\.jsonValue)) }
        return .object(members)
    }
}

extension OwnerReference {
    init?(projecting json: JSONValue) {
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue,
            let name = json["name"]?.stringValue, let uid = json["uid"]?.stringValue
        else { return nil }
        self.init(
            apiVersion: apiVersion, kind: kind, name: name, uid: uid, controller: json["controller"]?.boolValue,
            blockOwnerDeletion: json["blockOwnerDeletion"]?.boolValue)
    }

    /// The reference as JSON; absent flags are absent.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
        ]
        members["controller"] = controller.map(JSONValue.bool)
        members["blockOwnerDeletion"] = blockOwnerDeletion.map(JSONValue.bool)
        return .object(members)
    }
}
