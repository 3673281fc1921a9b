import Foundation
import KubeModel

extension Cluster {
    /// POST: validates, fills in the server-owned metadata, stores and publishes ADDED.
    mutating func create(
        _ type: ResourceType, namespace: String?, body: JSONValue, strictFields: Bool = false
    ) throws(Status) -> JSONValue {
        var object = try checkedBody(type, body, urlNamespace: namespace)
        var metadata = object["metadata"]?.objectValue ?? [:]
        if metadata["name"]?.stringValue?.isEmpty ?? true {
            guard let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty else {
                throw APIErrors.invalid(type, "", [
                    APIErrors.cause(.required, field: "metadata.name", "Required value: name or generateName is required")
                ])
            }
            metadata["name"] = .string(generatedName(type, prefix: prefix, namespace: namespace))
        }
        let name = metadata["name"]?.stringValue ?? ""
        var causes = MetadataValidation.causes(object: object, name: name, type: type)
        if type.namespaced {
            let ns = namespace ?? metadata["namespace"]?.stringValue ?? ""
            guard !ns.isEmpty else { throw APIErrors.badRequest("a namespace is required to create \(type.qualifiedResource)") }
            metadata["namespace"] = .string(ns)
            try checkNamespaceAcceptsContent(ns)
        } else {
            metadata["namespace"] = nil
        }
        let key = key(type, namespace: metadata["namespace"]?.stringValue, name: name)
        if self.object(type, key) != nil { throw APIErrors.alreadyExists(type, name) }

        for field in ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
            "deletionGracePeriodSeconds", "managedFields", "selfLink"]
        {
            metadata[field] = nil
        }
        object["metadata"] = .object(metadata)
        if type.hasStatus && type.builtin == false { object["status"] = nil }
        prepareBuiltinForCreate(type, &object)
        if type.storageKey == "/services" { causes += assignNodePorts(&object, old: nil) }
        if !type.builtin { causes += try CustomResourceSchema.admit(type, &object, strict: strictFields) }
        if type.storageKey == BuiltinResources.crd.storageKey { causes += CRDDefinition.validate(object) }
        if !causes.isEmpty { throw APIErrors.invalid(type, name, causes) }

        let rv = nextResourceVersion()
        metadata = object["metadata"]?.objectValue ?? [:]
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["resourceVersion"] = .string(String(rv))
        metadata["generation"] = 1
        metadata["creationTimestamp"] = .string(timestamp)
        object["metadata"] = .object(metadata)
        if type.storageKey == BuiltinResources.crd.storageKey { object = establish(crd: object) }

        objects[type.storageKey, default: [:]][key] = object
        publish(.added, storageKey: type.storageKey, object: object, old: nil)
        // Created after its owners were deleted (a controller acting on a stale cache): the
        // garbage collector removes it, as the real one does a moment later.
        if allOwnersAbsent(object) { deleteObject(type, key) }
        return object
    }

    // MARK: - Checks shared by create and update

    /// The body as an object of the right apiVersion/kind, with the namespace of the URL.
    func checkedBody(_ type: ResourceType, _ body: JSONValue, urlNamespace: String?) throws(Status) -> JSONValue {
        guard case .object = body else {
            throw APIErrors.badRequest("the body of the request must be a JSON object of kind \(type.kind)")
        }
        var object = body
        if let apiVersion = body["apiVersion"]?.stringValue, apiVersion != type.apiVersion {
            throw APIErrors.badRequest(
                "the API version in the data (\(apiVersion)) does not match the expected API version (\(type.apiVersion))")
        }
        if let kind = body["kind"]?.stringValue, kind != type.kind {
            throw APIErrors.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(type.kind))")
        }
        object["apiVersion"] = .string(type.apiVersion)
        object["kind"] = .string(type.kind)
        switch body["metadata"] {
        case nil: object["metadata"] = [:]
        case .object?: break
        default: throw APIErrors.badRequest("metadata of a \(type.kind) must be an object")
        }
        if type.namespaced, let urlNamespace, let bodyNamespace = body[path: ["metadata", "namespace"]]?.stringValue,
            !bodyNamespace.isEmpty, bodyNamespace != urlNamespace
        {
            throw APIErrors.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        return object
    }

    func checkNamespaceAcceptsContent(_ namespace: String) throws(Status) {
        guard let ns = object(BuiltinResources.namespace, Key(namespace: "", name: namespace)) else {
            throw APIErrors.namespaceNotFound(namespace)
        }
        if ns[path: ["metadata", "deletionTimestamp"]] != nil {
            throw APIErrors.forbidden(
                "unable to create new content in namespace \(namespace) because it is being terminated")
        }
    }

    private func generatedName(_ type: ResourceType, prefix: String, namespace: String?) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        for _ in 0..<100 {
            let suffix = String((0..<5).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
            let name = prefix + suffix
            if object(type, key(type, namespace: namespace, name: name)) == nil { return name }
        }
        return prefix + UUID().uuidString.prefix(8).lowercased()
    }
}
