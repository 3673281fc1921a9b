import AthenaAPI
import Foundation
import Yams

/// Paths and YAML loading for the tests: the repository root from `ATHENA_ROOT` or `#filePath`.
enum TestFiles {
    static var root: URL {
        if let root = ProcessInfo.processInfo.environment["ATHENA_ROOT"], !root.isEmpty {
            return URL(fileURLWithPath: root)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// The `.yaml` files directly in `directory` (relative to the root), sorted.
    static func yamlFiles(in directory: String, recursive: Bool = false) throws -> [URL] {
        let url = root.appendingPathComponent(directory)
        var result: [URL] = []
        if recursive {
            guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else {
                return []
            }
            for case let file as URL in enumerator where file.pathExtension == "yaml" { result.append(file) }
        } else {
            result = try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "yaml" }
        }
        return result.sorted { $0.path < $1.path }
    }

    static func text(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    /// Parses one YAML document into JSON the way kubectl does (YAML 1.1 scalars, quoted → string).
    static func json(yaml: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: yaml) else { throw YAMLError("empty document") }
        return try json(node)
    }

    static func json(_ url: URL) throws -> JSONValue { try json(yaml: try text(url)) }

    static func json(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue:
                guard let b = node.bool else { throw YAMLError("bad boolean \(scalar.string)") }
                return .bool(b)
            case Tag.Name.int.rawValue:
                guard let i = node.int else { throw YAMLError("bad integer \(scalar.string)") }
                return .number(Double(i))
            case Tag.Name.float.rawValue:
                guard let d = node.float else { throw YAMLError("bad number \(scalar.string)") }
                return .number(d)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { throw YAMLError("non-string key") }
                members[name] = try json(value)
            }
            return .object(members)
        case .sequence(let sequence):
            return .array(try sequence.map { try json($0) })
        case .alias:
            throw YAMLError("aliases are not used in these files")
        }
    }

    /// The `# key: value` comment lines at the top of a sample.
    static func headerComments(_ text: String, key: String) -> [String] {
        text.split(separator: "\n").prefix { $0.hasPrefix("#") }.compactMap { line in
            let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
            guard body.hasPrefix(key + ":") else { return nil }
            return body.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
        }
    }

    /// The `openAPIV3Schema` of the CRD for `plural`.
    static func crdSchema(plural: String) throws -> JSONValue {
        let crd = try json(root.appendingPathComponent("crds/serving.athena.dev_\(plural).yaml"))
        guard let schema = crd[path: ["spec", "versions"]]?.arrayValue?.first?[path: ["schema", "openAPIV3Schema"]]
        else { throw YAMLError("no openAPIV3Schema in the \(plural) CRD") }
        return schema
    }

    static func crd(plural: String) throws -> JSONValue {
        try json(root.appendingPathComponent("crds/serving.athena.dev_\(plural).yaml"))
    }
}

struct YAMLError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
