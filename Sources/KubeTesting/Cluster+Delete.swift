import Foundation
import KubeModel

/// What a DELETE asks for besides the object's name.
struct DeleteRequest: Sendable, Hashable {
    var propagationPolicy: String?
    var preconditionUID: String?
    var preconditionResourceVersion: String?

    init(propagationPolicy: String? = nil, preconditionUID: String? = nil, preconditionResourceVersion: String? = nil) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
    }
}

extension Cluster {
    /// DELETE: checks preconditions, then either marks the object (finalizers pending, or a
    /// namespace / CRD whose contents go first) or removes it and collects its dependents.
    mutating func delete(
        _ type: ResourceType, namespace: String?, name: String, request: DeleteRequest = DeleteRequest()
    ) throws(Status) -> JSONValue {
        let key = key(type, namespace: namespace, name: name)
        guard let existing = object(type, key) else { throw APIErrors.notFound(type, name) }
        let uid = existing[path: ["metadata", "uid"]]?.stringValue ?? ""
        if let expected = request.preconditionUID, expected != uid {
            throw APIErrors.conflict(
                type, name, "Precondition failed: UID in precondition: \(expected), UID in object meta: \(uid)")
        }
        let rv = existing[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if let expected = request.preconditionResourceVersion, expected != rv {
            throw APIErrors.conflict(
                type, name,
                "Precondition failed: ResourceVersion in precondition: \(expected), ResourceVersion in object meta: \(rv)")
        }
        if request.propagationPolicy == "Orphan" { orphanDependents(of: uid) }
        return deleteObject(type, key)
    }

    /// Deletes one object honouring finalizers; used for API deletes, cascades and GC.
    @discardableResult
    mutating func deleteObject(_ type: ResourceType, _ key: Key) -> JSONValue {
        guard let existing = object(type, key) else { return .null }
        let finalizers = existing[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        guard !finalizers.isEmpty || Self.isContainer(type) else { return remove(type, key, final: existing) }
        if existing[path: ["metadata", "deletionTimestamp"]] != nil { return existing }

        var marked = existing
        marked[path: "metadata", "deletionTimestamp"] = .string(timestamp)
        marked[path: "metadata", "deletionGracePeriodSeconds"] = 0
        if type.storageKey == BuiltinResources.namespace.storageKey {
            marked[path: "status", "phase"] = "Terminating"
        }
        _ = nextResourceVersion()
        marked[path: "metadata", "resourceVersion"] = .string(String(resourceVersion))
        objects[type.storageKey, default: [:]][key] = marked
        publish(.modified, storageKey: type.storageKey, object: marked, old: existing)

        if Self.isContainer(type) {
            for (storageKey, contentKey) in contents(of: type, marked) {
                if let contentType = typeForStorage(storageKey) { deleteObject(contentType, contentKey) }
            }
            reapIfEmpty(type, key)
        }
        return object(type, key) ?? marked
    }

    /// Removes the object for good: DELETED event, then background garbage collection of the
    /// objects it owns, then the namespace or CRD that was waiting for it to go.
    @discardableResult
    mutating func remove(_ type: ResourceType, _ key: Key, final: JSONValue) -> JSONValue {
        var object = final
        _ = nextResourceVersion()
        object[path: "metadata", "resourceVersion"] = .string(String(resourceVersion))
        objects[type.storageKey]?[key] = nil
        publish(.deleted, storageKey: type.storageKey, object: object, old: nil)

        if type.storageKey == BuiltinResources.crd.storageKey { dropCustomTypes(crd: object) }
        if let uid = object[path: ["metadata", "uid"]]?.stringValue { collectDependents(of: uid) }
        if !key.namespace.isEmpty {
            reapIfEmpty(BuiltinResources.namespace, Key(namespace: "", name: key.namespace))
        }
        if !type.builtin, let crdName = customTypes.first(where: { $0.value.contains { $0.storageKey == type.storageKey } })?.key {
            reapIfEmpty(BuiltinResources.crd, Key(namespace: "", name: crdName))
        }
        return object
    }

    // MARK: - Garbage collection

    /// Objects that named `uid` as an owner: deleted when no other live owner remains, otherwise
    /// the dead reference is dropped (what the real garbage collector does, synchronously here).
    mutating func collectDependents(of uid: String) {
        for (storageKey, key, dependent) in allObjects() {
            let refs = dependent[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            guard refs.contains(where: { $0["uid"]?.stringValue == uid }),
                let type = typeForStorage(storageKey), object(type, key) != nil
            else { continue }
            let others = refs.filter { $0["uid"]?.stringValue != uid }
            if others.contains(where: { exists(uid: $0["uid"]?.stringValue ?? "") }) {
                var updated = dependent
                updated[path: "metadata", "ownerReferences"] = .array(others)
                _ = commitUpdate(type, key, old: dependent, new: updated)
            } else {
                deleteObject(type, key)
            }
        }
    }

    /// True when `object` names owners and every one of them is gone (no object of that
    /// apiVersion/kind and name carries the uid) — what the real garbage collector calls a
    /// dangling dependent and deletes. An owner of a kind the server does not know is assumed
    /// alive, as the real collector cannot judge it either.
    func allOwnersAbsent(_ object: JSONValue) -> Bool {
        let refs = object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
        guard !refs.isEmpty else { return false }
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue
        return refs.allSatisfy { ref in
            guard let apiVersion = ref["apiVersion"]?.stringValue, let kind = ref["kind"]?.stringValue,
                let name = ref["name"]?.stringValue, let uid = ref["uid"]?.stringValue,
                let type = resourceType(apiVersion: apiVersion, kind: kind)
            else { return false }
            return self.object(type, key(type, namespace: namespace, name: name))?[path: ["metadata", "uid"]]?.stringValue != uid
        }
    }

    mutating func orphanDependents(of uid: String) {
        for (storageKey, key, dependent) in allObjects() {
            let refs = dependent[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
            guard refs.contains(where: { $0["uid"]?.stringValue == uid }), let type = typeForStorage(storageKey) else {
                continue
            }
            var updated = dependent
            let others = refs.filter { $0["uid"]?.stringValue != uid }
            updated[path: "metadata", "ownerReferences"] = others.isEmpty ? nil : .array(others)
            _ = commitUpdate(type, key, old: dependent, new: updated)
        }
    }

    func exists(uid: String) -> Bool {
        !uid.isEmpty && allObjects().contains { $0.2[path: ["metadata", "uid"]]?.stringValue == uid }
    }

    func allObjects() -> [(String, Key, JSONValue)] {
        objects.keys.sorted().flatMap { storageKey in
            (objects[storageKey] ?? [:]).sorted { $0.key < $1.key }.map { (storageKey, $0.key, $0.value) }
        }
    }

    func typeForStorage(_ storageKey: String) -> ResourceType? {
        allTypes.first { $0.storageKey == storageKey }
    }

    // MARK: - Namespaces and CRDs wait for their contents

    static func isContainer(_ type: ResourceType) -> Bool {
        type.storageKey == BuiltinResources.namespace.storageKey || type.storageKey == BuiltinResources.crd.storageKey
    }

    /// Objects inside a namespace, or the custom resources of a CRD.
    func contents(of type: ResourceType, _ container: JSONValue) -> [(String, Key)] {
        let name = container[path: ["metadata", "name"]]?.stringValue ?? ""
        if type.storageKey == BuiltinResources.namespace.storageKey {
            return allObjects().filter { $0.1.namespace == name && !$0.1.namespace.isEmpty }.map { ($0.0, $0.1) }
        }
        guard let storageKey = customTypes[name]?.first?.storageKey else { return [] }
        return (objects[storageKey] ?? [:]).keys.sorted().map { (storageKey, $0) }
    }

    /// Removes a terminating namespace or CRD once nothing is left inside it.
    mutating func reapIfEmpty(_ type: ResourceType, _ key: Key) {
        guard let container = object(type, key), container[path: ["metadata", "deletionTimestamp"]] != nil,
            (container[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty,
            contents(of: type, container).isEmpty
        else { return }
        remove(type, key, final: container)
    }
}
