import KubeModel

// MARK: - Typed objects

extension KubeClient {
    public func get<T: KubeObject>(_ type: T.Type, namespace: String?, name: String) async throws -> T {
        Self.stamped(try await getObject(T.self, T.resource, namespace: namespace, name: name))
    }

    public func list<T: KubeObject>(_ type: T.Type, namespace: String?, options: ListOptions) async throws
        -> ObjectList<T>
    {
        var list = try await listObjects(T.self, T.resource, namespace: namespace, options: options).list
        list.items = list.items.map(Self.stamped)
        return list
    }

    public func create<T: KubeObject>(_ object: T) async throws -> T {
        let object = Self.stamped(object)
        return Self.stamped(
            try await writeObject("POST", object, T.resource, namespace: object.metadata.namespace, name: nil))
    }

    public func update<T: KubeObject>(_ object: T) async throws -> T {
        let object = Self.stamped(object)
        return Self.stamped(
            try await writeObject(
                "PUT", object, T.resource, namespace: object.metadata.namespace, name: try Self.name(of: object)))
    }

    public func updateStatus<T: KubeObject>(_ object: T) async throws -> T {
        let object = Self.stamped(object)
        return Self.stamped(
            try await writeObject(
                "PUT", object, T.resource, namespace: object.metadata.namespace, name: try Self.name(of: object),
                subresource: "status"))
    }

    public func patch<T: KubeObject>(
        _ type: T.Type, namespace: String?, name: String, mergePatch: JSONValue, subresource: String?
    ) async throws -> T {
        Self.stamped(
            try await patchObject(
                T.self, T.resource, namespace: namespace, name: name, mergePatch: mergePatch, subresource: subresource))
    }

    public func delete<T: KubeObject>(_ type: T.Type, namespace: String?, name: String, options: DeleteOptions)
        async throws
    {
        try await deleteObject(T.resource, namespace: namespace, name: name, options: options)
    }

    /// Fills `apiVersion` and `kind` from the type: list items and watch objects often omit
    /// them, and the API server rejects writes without them.
    static func stamped<T: KubeObject>(_ object: T) -> T {
        var object = object
        if object.apiVersion?.isEmpty ?? true { object.apiVersion = T.resource.apiVersion }
        if object.kind?.isEmpty ?? true { object.kind = T.kind }
        return object
    }

    static func name<T: KubeObject>(of object: T) throws(KubeError) -> String {
        guard let name = object.metadata.name, !name.isEmpty else {
            throw .decoding("cannot update a \(T.kind) without metadata.name")
        }
        return name
    }
}

// MARK: - Unstructured objects

extension KubeClient {
    public func get(_ resource: GroupVersionResource, namespace: String?, name: String) async throws
        -> UnstructuredObject
    {
        try await getObject(UnstructuredObject.self, resource, namespace: namespace, name: name)
    }

    public func list(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) async throws
        -> ObjectList<UnstructuredObject>
    {
        var (list, listKind) = try await listObjects(
            UnstructuredObject.self, resource, namespace: namespace, options: options)
        let itemKind = listKind.flatMap { $0.hasSuffix("List") ? String($0.dropLast(4)) : nil }
        list.items = list.items.map { item in
            var item = item
            if item.apiVersion == nil { item.apiVersion = resource.apiVersion }
            if item.kind == nil, let itemKind { item.kind = itemKind }
            return item
        }
        return list
    }

    public func create(_ resource: GroupVersionResource, _ object: UnstructuredObject) async throws
        -> UnstructuredObject
    {
        try await writeObject("POST", object, resource, namespace: object.namespace, name: nil)
    }

    public func update(_ resource: GroupVersionResource, _ object: UnstructuredObject) async throws
        -> UnstructuredObject
    {
        guard let name = object.name, !name.isEmpty else {
            throw KubeError.decoding("cannot update a \(resource) object without metadata.name")
        }
        return try await writeObject("PUT", object, resource, namespace: object.namespace, name: name)
    }

    /// PUT to the `/status` subresource of an unstructured object.
    public func updateStatus(_ resource: GroupVersionResource, _ object: UnstructuredObject) async throws
        -> UnstructuredObject
    {
        guard let name = object.name, !name.isEmpty else {
            throw KubeError.decoding("cannot update the status of a \(resource) object without metadata.name")
        }
        return try await writeObject("PUT", object, resource, namespace: object.namespace, name: name, subresource: "status")
    }

    public func patch(
        _ resource: GroupVersionResource, namespace: String?, name: String, mergePatch: JSONValue, subresource: String?
    ) async throws -> UnstructuredObject {
        try await patchObject(
            UnstructuredObject.self, resource, namespace: namespace, name: name, mergePatch: mergePatch,
            subresource: subresource)
    }

    public func delete(_ resource: GroupVersionResource, namespace: String?, name: String, options: DeleteOptions)
        async throws
    {
        try await deleteObject(resource, namespace: namespace, name: name, options: options)
    }
}
