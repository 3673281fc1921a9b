import AthenaAPI
import Yams

/// Decodes YAML in tests (the test target reaches Yams through AthenaControllers).
enum YAMLTestDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try YAMLDecoder().decode(type, from: text)
    }
}

extension YAMLTestDecoding {
    /// Every document of a multi-document YAML text.
    static func documents(_ text: String) throws -> [JSONValue] {
        try Yams.compose_all(yaml: text).map { try YAMLDecoder().decode(JSONValue.self, from: $0) }
    }
}
