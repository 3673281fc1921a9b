// MARK: - ObjectMeta ⇄ JSONValue without a JSON encoder round trip

extension ObjectMeta {
    /// Strict: throws a `DecodingError` naming the member whose type is wrong.
    ///
    /// Well-typed metadata (the usual case: every object the API server sends) is projected
    /// directly; only a type mismatch takes the encode/decode round trip, for its precise error.
    /// (The round trip for every cached object was a large share of the operator's CPU.)
    public init(json: JSONValue) throws {
        if Self.hasExpectedTypes(json) {
            self.init(projecting: json)
        } else {
            self = try json.decode(as: ObjectMeta.self)
        }
    }

    /// True when every member `ObjectMeta` decodes is absent, null or of its declared type.
    static func hasExpectedTypes(_ json: JSONValue) -> Bool {
        guard let members = json.objectValue else { return false }
        func valid(_ key: String, _ check: (JSONValue) -> Bool) -> Bool {
            guard let value = members[key], !value.isNull else { return true }
            return check(value)
        }
        let string: (JSONValue) -> Bool = { $0.stringValue != nil }
        let integer: (JSONValue) -> Bool = { $0.intValue != nil }
        let stringMap: (JSONValue) -> Bool = { $0.objectValue?.values.allSatisfy { $0.stringValue != nil } ?? false }
        let stringList: (JSONValue) -> Bool = { $0.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false }
        let references: (JSONValue) -> Bool = { value in
            value.arrayValue?.allSatisfy { reference in
                guard let ref = reference.objectValue else { return false }
                let required = ["apiVersion", "kind", "name", "uid"].allSatisfy { ref[$0]?.stringValue != nil }
                let flags = ["controller", "blockOwnerDeletion"].allSatisfy { key in
                    guard let flag = ref[key], !flag.isNull else { return true }
                    return flag.boolValue != nil
                }
                return required && flags
            } ?? false
        }
        return ["name", "generateName", "namespace", "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp"]
            .allSatisfy { valid($0, string) }
            && valid("generation", integer) && valid("deletionGracePeriodSeconds", integer)
            && valid("labels", stringMap) && valid("annotations", stringMap) && valid("finalizers", stringList)
            && valid("ownerReferences", references)
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
