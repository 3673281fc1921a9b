import Foundation
import KubeModel

extension Cluster {
    /// PUT of the main resource (or, with `subresource == "status"`, of `/status`).
    ///
    /// The main endpoint keeps the stored status when the kind has a status subresource; `/status`
    /// keeps everything but status. 409 on a stale resourceVersion.
    mutating func update(
        _ type: ResourceType, namespace: String?, name: String, body: JSONValue, subresource: String? = nil,
        strictFields: Bool = false
    ) throws(Status) -> JSONValue {
        var object = try checkedBody(type, body, urlNamespace: namespace)
        if let bodyName = object[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIErrors.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let key = key(type, namespace: namespace ?? object[path: ["metadata", "namespace"]]?.stringValue, name: name)
        guard let old = self.object(type, key) else { throw APIErrors.notFound(type, name) }
        if let rv = object[path: ["metadata", "resourceVersion"]]?.stringValue, !rv.isEmpty,
            rv != old[path: ["metadata", "resourceVersion"]]?.stringValue
        {
            throw APIErrors.staleResourceVersion(type, name)
        }
        var causes: [StatusCause] = []
        if subresource == "status" {
            var merged = old
            merged["status"] = object["status"]
            object = merged
        } else {
            causes += MetadataValidation.causes(object: object, name: name, type: type)
            if type.hasStatus { object["status"] = old["status"] }
            object = keepingSystemMetadata(of: old, in: object)
            causes += finalizerCauses(old: old, new: object)
            if type.storageKey == "/services" { causes += assignNodePorts(&object, old: old) }
        }
        if !type.builtin { causes += try CustomResourceSchema.admit(type, &object, strict: strictFields) }
        if type.storageKey == BuiltinResources.crd.storageKey && subresource == nil {
            causes += CRDDefinition.validate(object)
        }
        if !causes.isEmpty { throw APIErrors.invalid(type, name, causes) }
        return commitUpdate(type, key, old: old, new: object)
    }

    /// Stores `new` in place of `old`: a no-op write changes nothing (no new resourceVersion, no
    /// event, like the real server); a spec change bumps `generation`; the removal of the last
    /// finalizer of an object being deleted deletes it.
    mutating func commitUpdate(_ type: ResourceType, _ key: Key, old: JSONValue, new: JSONValue) -> JSONValue {
        var object = new
        object[path: "metadata", "resourceVersion"] = old[path: ["metadata", "resourceVersion"]]
        object[path: "metadata", "generation"] = old[path: ["metadata", "generation"]]
        object[path: "metadata", "managedFields"] = nil
        if object == old { return old }
        if Self.specPart(object) != Self.specPart(old) {
            let generation = old[path: ["metadata", "generation"]]?.intValue ?? 1
            object[path: "metadata", "generation"] = .number(Double(generation + 1))
        }
        let deleting = object[path: ["metadata", "deletionTimestamp"]] != nil
        if deleting && (object[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty
            && !Self.isContainer(type)
        {
            return remove(type, key, final: object)
        }
        _ = nextResourceVersion()
        object[path: "metadata", "resourceVersion"] = .string(String(resourceVersion))
        if type.storageKey == BuiltinResources.crd.storageKey { object = establish(crd: object) }
        objects[type.storageKey, default: [:]][key] = object
        publish(.modified, storageKey: type.storageKey, object: object, old: old)
        return object
    }

    /// Everything but metadata and status: what `generation` counts changes of.
    static func specPart(_ object: JSONValue) -> JSONValue {
        var copy = object
        for field in ["metadata", "status", "apiVersion", "kind"] { copy[field] = nil }
        return copy
    }

    /// Fields of metadata only the server sets survive any client write.
    func keepingSystemMetadata(of old: JSONValue, in new: JSONValue) -> JSONValue {
        var object = new
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name"] {
            object[path: "metadata", field] = old[path: ["metadata", field]]
        }
        return object
    }

    private func finalizerCauses(old: JSONValue, new: JSONValue) -> [StatusCause] {
        guard old[path: ["metadata", "deletionTimestamp"]] != nil else { return [] }
        let before = Set((old[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue))
        let added = (new[path: ["metadata", "finalizers"]]?.arrayValue ?? []).compactMap(\.stringValue)
            .filter { !before.contains($0) }
        guard !added.isEmpty else { return [] }
        return [
            APIErrors.cause(
                .forbidden, field: "metadata.finalizers",
                "Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers \(added)")
        ]
    }
}

extension JSONValue {
    /// Sets a value at a path of object keys, creating intermediate objects; `nil` removes it.
    subscript(path first: String, _ rest: String...) -> JSONValue? {
        get { self[path: [first] + rest] }
        set { setValue(newValue, at: [first] + rest) }
    }

    mutating func setValue(_ value: JSONValue?, at path: [String]) {
        guard let first = path.first else {
            if let value { self = value }
            return
        }
        if path.count == 1 {
            if case .object = self {} else if value == nil { return } else { self = [:] }
            self[first] = value
            return
        }
        var child = self[first] ?? [:]
        if child.objectValue == nil {
            if value == nil { return }
            child = [:]
        }
        child.setValue(value, at: Array(path.dropFirst()))
        if case .object = self {} else { self = [:] }
        self[first] = child
    }
}
