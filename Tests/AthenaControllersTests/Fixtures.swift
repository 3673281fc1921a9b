import AthenaAPI
import AthenaControllers
import Foundation

/// Shared test inputs: small applications and services, paths to the repo and tools.
enum Fixtures {
    static func application(
        _ name: String, image: String = "registry.example/digits:1", protocol: EngineProtocolKind = .grpc,
        port: Int? = nil, model: ModelSource? = nil, health: HealthSpec? = nil, resources: ResourceSpec? = nil,
        apis: [ModelAPI]? = nil, namespace: String = "default"
    ) -> AIApplication {
        var app = AIApplication(name: name, namespace: namespace, spec: AIApplicationSpec(
            version: "1.0.0",
            runtime: RuntimeSpec(image: image, protocol: `protocol`, port: port),
            model: model, apis: apis, health: health, resources: resources))
        app.metadata.uid = "uid-app-\(name)"
        return app
    }

    static func service(
        _ name: String = "digits", versions: [ServiceVersion], namespace: String = "default", uid: String? = "uid-svc"
    ) -> OnlineService {
        var service = OnlineService(name: name, namespace: namespace, spec: OnlineServiceSpec(versions: versions))
        service.metadata.uid = uid
        service.metadata.generation = 1
        return service
    }

    static func objects(_ list: [JSONValue], kind: String) -> [JSONValue] {
        list.filter { $0["kind"]?.stringValue == kind }
    }

    static func named(_ list: [JSONValue], kind: String, _ name: String) -> JSONValue? {
        list.first { $0["kind"]?.stringValue == kind && $0["metadata"]?["name"]?.stringValue == name }
    }

    static func container(_ deployment: JSONValue?, _ name: String) -> JSONValue? {
        deployment?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    // MARK: - Paths

    static var root: String {
        if let root = ProcessInfo.processInfo.environment["ATHENA_ROOT"], !root.isEmpty { return root }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    static var python: String {
        if let python = ProcessInfo.processInfo.environment["ATHENA_PYTHON"], !python.isEmpty { return python }
        return root + "/.venv/bin/python"
    }
}

extension JSONValue {
    /// Array element access for test assertions (nil when out of range or not an array).
    subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
