import AthenaAPI
import Yams

/// Offline rendering for `athena render -f FILE...`: the YAML of exactly the objects the operator
/// would create for the given AIApplications and OnlineServices, without a cluster.
public struct Renderer: Sendable {
    public var options: BuildOptions

    public init(options: BuildOptions = BuildOptions()) {
        self.options = options
    }

    /// Why rendering failed, naming the document or the object.
    public struct RenderError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Renders every OnlineService found in `documents` (each a YAML text with one or more `---`
    /// separated documents) against the AIApplications found there. Invalid objects are errors
    /// (with K3's field messages); BatchServices and other kinds are ignored.
    public func render(_ documents: [String]) throws(RenderError) -> String {
        let objects = try Self.servingObjects(documents)
        var applications: [AIApplication] = []
        var services: [OnlineService] = []
        for object in objects {
            let errors = object.validate()
            if !errors.isEmpty {
                throw RenderError("\(object.kind) \(object.metadata.name ?? "?"): \(errors.summary)")
            }
            switch object {
            case .application(let app): applications.append(app)
            case .onlineService(let service): services.append(service)
            default: continue
            }
        }
        var rendered: [JSONValue] = []
        for service in services {
            let sameNamespace = applications.filter { $0.metadata.namespace == service.metadata.namespace }
            do {
                rendered += try OnlineServiceBuilder.desiredObjects(service: service, applications: sameNamespace, options: options)
            } catch {
                throw RenderError("OnlineService \(service.metadata.name ?? "?"): \(error.message)")
            }
        }
        return try Self.yaml(rendered)
    }

    /// YAML documents separated by `---`, keys sorted.
    public static func yaml(_ objects: [JSONValue]) throws(RenderError) -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = true
        var parts: [String] = []
        for object in objects {
            do {
                parts.append(try encoder.encode(object))
            } catch {
                throw RenderError("cannot encode \(object["kind"]?.stringValue ?? "object"): \(error)")
            }
        }
        return parts.map { "---\n" + $0 }.joined()
    }

    /// Parses YAML texts into AIApplications, OnlineServices and BatchServices (empty documents skipped).
    public static func servingObjects(_ documents: [String]) throws(RenderError) -> [ServingObject] {
        var objects: [ServingObject] = []
        for (index, text) in documents.enumerated() {
            var nodes: [Node] = []
            do {
                let parser = try Parser(yaml: text)
                while let node = try parser.nextRoot() { nodes.append(node) }
            } catch {
                throw RenderError("document \(index + 1): not valid YAML: \(error)")
            }
            for node in nodes {
                let json: JSONValue
                do {
                    json = try YAMLDecoder().decode(JSONValue.self, from: node)
                } catch {
                    throw RenderError("document \(index + 1): \(error)")
                }
                if json.isNull { continue }
                guard let kind = json["kind"]?.stringValue, ServingObject.kinds.contains(kind) else {
                    throw RenderError("document \(index + 1): kind must be one of \(ServingObject.kinds.joined(separator: ", "))")
                }
                do {
                    objects.append(try ServingObject(json: json))
                } catch {
                    throw RenderError("\(kind) \(json["metadata"]?["name"]?.stringValue ?? "?"): \(error.description)")
                }
            }
        }
        return objects
    }
}
