import Foundation
import KubeModel
import Yams

/// YAML request bodies (server-side apply, `curl --data-binary @x.yaml`) as `JSONValue`.
enum YAMLConversion {
    struct Failure: Error, Sendable {
        var message: String
    }

    static func parse(_ text: String) throws(Failure) -> JSONValue {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw Failure(message: "invalid YAML: \(error)")
        }
        return convert(loaded)
    }

    static func convert(_ value: Any?) -> JSONValue {
        switch value {
        case nil: return .null
        case let b as Bool: return .bool(b)
        case let i as Int: return .number(Double(i))
        case let d as Double: return .number(d)
        case let s as String: return .string(s)
        case let date as Date: return .string(Cluster.format(date))
        case let data as Data: return .string(data.base64EncodedString())
        case let items as [Any?]: return .array(items.map(convert))
        case let members as [String: Any?]: return .object(members.mapValues(convert))
        case let members as [AnyHashable: Any?]:
            return .object(Dictionary(members.map { ("\($0.key)", convert($0.value)) }, uniquingKeysWith: { a, _ in a }))
        default: return .null
        }
    }
}
