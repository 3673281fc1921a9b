import KubeModel

/// `application/json-patch+json` (RFC 6902): add, remove, replace, move, copy, test.
enum JSONPatch {
    struct Failure: Error, Sendable {
        var message: String
    }

    static func apply(_ document: JSONValue, _ patch: JSONValue) throws(Failure) -> JSONValue {
        guard let operations = patch.arrayValue else { throw Failure(message: "a JSON patch must be a list of operations") }
        var result = document
        for (index, operation) in operations.enumerated() {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw Failure(message: "operation \(index) needs \"op\" and \"path\"")
            }
            let pointer = try parse(path)
            switch op {
            case "add":
                result = try insert(operation["value"] ?? .null, at: pointer, in: result, replacing: false)
            case "remove":
                result = try removing(pointer, from: result)
            case "replace":
                _ = try value(at: pointer, in: result)
                result = try insert(operation["value"] ?? .null, at: pointer, in: result, replacing: true)
            case "move", "copy":
                guard let fromText = operation["from"]?.stringValue else {
                    throw Failure(message: "operation \(index) (\(op)) needs \"from\"")
                }
                let from = try parse(fromText)
                let moved = try value(at: from, in: result)
                if op == "move" { result = try removing(from, from: result) }
                result = try insert(moved, at: pointer, in: result, replacing: false)
            case "test":
                guard try value(at: pointer, in: result) == (operation["value"] ?? .null) else {
                    throw Failure(message: "testing value \(path) failed")
                }
            default:
                throw Failure(message: "unexpected operation \"\(op)\"")
            }
        }
        return result
    }

    static func parse(_ pointer: String) throws(Failure) -> [String] {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { throw Failure(message: "invalid JSON pointer \"\(pointer)\"") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func value(at pointer: [String], in document: JSONValue) throws(Failure) -> JSONValue {
        var current = document
        for token in pointer {
            if let items = current.arrayValue, let index = Int(token), items.indices.contains(index) {
                current = items[index]
            } else if let member = current[token] {
                current = member
            } else {
                throw Failure(message: "path /\(pointer.joined(separator: "/")) does not exist")
            }
        }
        return current
    }

    private static func insert(_ value: JSONValue, at pointer: [String], in document: JSONValue, replacing: Bool) throws(Failure)
        -> JSONValue
    {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var members):
            if rest.isEmpty {
                members[token] = value
            } else {
                guard let child = members[token] else { throw Failure(message: "path segment \"\(token)\" does not exist") }
                members[token] = try insert(value, at: rest, in: child, replacing: replacing)
            }
            return .object(members)
        case .array(var items):
            let index = token == "-" ? items.count : (Int(token) ?? -1)
            if rest.isEmpty {
                guard index >= 0, index <= items.count, !(replacing && index == items.count) else {
                    throw Failure(message: "array index \(token) out of range")
                }
                if replacing { items[index] = value } else { items.insert(value, at: index) }
            } else {
                guard items.indices.contains(index) else { throw Failure(message: "array index \(token) out of range") }
                items[index] = try insert(value, at: rest, in: items[index], replacing: replacing)
            }
            return .array(items)
        default:
            throw Failure(message: "cannot add \"\(token)\" inside a scalar")
        }
    }

    private static func removing(_ pointer: [String], from document: JSONValue) throws(Failure) -> JSONValue {
        guard let token = pointer.first else { throw Failure(message: "cannot remove the whole document") }
        let rest = Array(pointer.dropFirst())
        switch document {
        case .object(var members):
            guard let child = members[token] else { throw Failure(message: "path segment \"\(token)\" does not exist") }
            members[token] = rest.isEmpty ? nil : try removing(rest, from: child)
            return .object(members)
        case .array(var items):
            guard let index = Int(token), items.indices.contains(index) else {
                throw Failure(message: "array index \(token) out of range")
            }
            if rest.isEmpty { items.remove(at: index) } else { items[index] = try removing(rest, from: items[index]) }
            return .array(items)
        default:
            throw Failure(message: "cannot remove \"\(token)\" from a scalar")
        }
    }
}
