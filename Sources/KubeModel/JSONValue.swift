import Foundation

/// A JSON document of any shape: the currency of unstructured Kubernetes objects, merge patches
/// and the in-memory API server.
///
/// Kept as a plain enum (not `[String: Any]`) so it is `Sendable`, `Equatable` and round-trips
/// through `Codable` without losing the difference between an absent key and a `null`, which a
/// JSON merge patch needs (RFC 7386: `null` deletes).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

// MARK: - Accessors

extension JSONValue {
    /// The member `key` of an object, or `nil` for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let members) = self { return members[key] }
            return nil
        }
        set {
            guard case .object(var members) = self else { return }
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The value at a path of object keys, e.g. `["metadata", "name"]`.
    public subscript(path path: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?[key] }
        return current
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The number as an integer when it has no fractional part.
    public var intValue: Int? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) < 9.0e15 else { return nil }
        return Int(n)
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Codable

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
            return
        }
        // Each failed attempt builds a DecodingError with its coding path, which dominated the
        // operator's CPU profile. Foundation's JSONDecoder is strict (a number never decodes as
        // a String), so for it try the kinds in the order Kubernetes objects hold them most;
        // other decoders (YAML turns every scalar into a String) keep the safe order.
        if ObjectIdentifier(type(of: decoder)) == DecoderProbe.jsonDecoder {
            if let s = try? container.decode(String.self) {
                self = .string(s)
            } else if let o = try? container.decode([String: JSONValue].self) {
                self = .object(o)
            } else if let a = try? container.decode([JSONValue].self) {
                self = .array(a)
            } else if let n = try? container.decode(Double.self) {
                self = .number(n)
            } else if let b = try? container.decode(Bool.self) {
                self = .bool(b)
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
            }
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? container.decode(Double.self) {
            self = .number(n)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else if let o = try? container.decode([String: JSONValue].self) {
            self = .object(o)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .number(let n):
            if n.rounded() == n, abs(n) < 9.0e15 { try container.encode(Int64(n)) } else { try container.encode(n) }
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

/// Finds the dynamic type of Foundation's JSON decoder once, so `JSONValue` can take its
/// strict-decoder fast path only there.
private struct DecoderProbe: Decodable {
    static let jsonDecoder: ObjectIdentifier? = try? JSONDecoder().decode(DecoderProbe.self, from: Data("0".utf8)).type

    let type: ObjectIdentifier

    init(from decoder: any Decoder) throws {
        type = ObjectIdentifier(Swift.type(of: decoder))
    }
}

// MARK: - Conversions

extension JSONValue {
    /// Parses JSON bytes. Throws the decoder's error, naming where the text is malformed.
    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Compact JSON bytes with sorted keys, so equal values serialise identically.
    public func serialized() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Re-encodes any `Encodable` as a `JSONValue`.
    public init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONValue.parse(data)
    }

    /// Decodes this value into a typed model.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: try serialized())
    }
}

// MARK: - JSON merge patch (RFC 7386)

extension JSONValue {
    /// Applies `patch` to `self` as an RFC 7386 JSON merge patch: objects merge recursively,
    /// `null` removes a member, anything else replaces.
    public func applyingMergePatch(_ patch: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = self.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = (result[key] ?? .null).applyingMergePatch(value)
            }
        }
        return .object(result)
    }
}
