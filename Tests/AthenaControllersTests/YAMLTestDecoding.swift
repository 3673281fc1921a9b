import Yams

/// Decodes YAML in tests (the test target reaches Yams through AthenaControllers).
enum YAMLTestDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try YAMLDecoder().decode(type, from: text)
    }
}
