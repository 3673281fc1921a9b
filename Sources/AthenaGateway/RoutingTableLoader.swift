public import AthenaAPI
import Foundation
import Yams

/// Why a routing-table file was refused.
public struct RoutingTableLoadError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String

    public var description: String { "routing table \(file): \(message)" }
}

/// Reads a routing-table file: JSON when it starts with `{`, YAML otherwise.
public enum RoutingTableLoader {
    public static func load(file: String) throws -> RoutingTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw RoutingTableLoadError(file: file, message: "cannot read: \(error.localizedDescription)")
        }
        let table = try decode(data, file: file)
        let problems = table.problems()
        guard problems.isEmpty else { throw RoutingTableLoadError(file: file, message: problems.joined(separator: "; ")) }
        return table
    }

    /// Decodes file contents; the error names the field that is wrong.
    public static func decode(_ data: Data, file: String = "<data>") throws -> RoutingTable {
        let isJSON = data.first(where: { ![0x20, 0x0a, 0x0d, 0x09].contains($0) }) == UInt8(ascii: "{")
        do {
            if isJSON { return try JSONDecoder().decode(RoutingTable.self, from: data) }
            guard let text = String(data: data, encoding: .utf8) else {
                throw RoutingTableLoadError(file: file, message: "not UTF-8 text")
            }
            return try YAMLDecoder().decode(RoutingTable.self, from: text)
        } catch let error as RoutingTableLoadError {
            throw error
        } catch let error as DecodingError {
            throw RoutingTableLoadError(file: file, message: describe(error))
        } catch {
            throw RoutingTableLoadError(file: file, message: "\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "(root)" : String(p.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let c): return "\(path(c) == "(root)" ? "" : path(c) + ".")\(key.stringValue): required field is missing"
        case .typeMismatch(let type, let c): return "\(path(c)): expected \(type)"
        case .valueNotFound(let type, let c): return "\(path(c)): expected \(type), got null"
        case .dataCorrupted(let c): return "\(path(c)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
