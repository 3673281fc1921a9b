import Foundation
import KubeModel

/// Answers `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` the way `kubectl get` needs:
/// a Name column, the CRD's additionalPrinterColumns (or Age when it has none), and for
/// built-in kinds a few familiar columns.
enum TableRenderer {
    struct Column: Sendable {
        var name: String
        var type: String
        var format: String = ""
        var priority: Int = 0
        var description: String = ""
        var cell: @Sendable (JSONValue, Date) -> JSONValue
    }

    static let nameColumn = Column(
        name: "Name", type: "string", format: "name",
        description: "Name must be unique within a namespace. Cannot be updated.",
        cell: { object, _ in object[path: ["metadata", "name"]] ?? "" })

    static let ageColumn = Column(
        name: "Age", type: "date",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
        cell: { object, now in .string(HumanDuration.since(object[path: ["metadata", "creationTimestamp"]]?.stringValue, now: now)) })

    /// `includeObject`: "None", "Metadata" (default) or "Object".
    static func table(
        _ type: ResourceType, objects: [JSONValue], resourceVersion: Int, includeObject: String?, continueToken: String? = nil,
        now: Date = Date()
    ) -> JSONValue {
        let columns = columns(for: type)
        let rows = objects.map { object -> JSONValue in
            var row: JSONValue = ["cells": .array(columns.map { $0.cell(object, now) })]
            switch includeObject ?? "Metadata" {
            case "None": break
            case "Object": row["object"] = object
            default:
                row["object"] = [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": object["metadata"] ?? [:],
                ]
            }
            return row
        }
        var metadata: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": .array(
                columns.map { column in
                    [
                        "name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
                        "description": .string(column.description), "priority": .number(Double(column.priority)),
                    ]
                }),
            "rows": .array(rows),
        ]
    }

    static func columns(for type: ResourceType) -> [Column] {
        if !type.builtin {
            guard !type.printerColumns.isEmpty else { return [nameColumn, ageColumn] }
            return [nameColumn] + type.printerColumns.map(customColumn)
        }
        return [nameColumn] + BuiltinColumns.columns(for: type) 
    }

    /// A CRD printer column: the first value the path reaches, or all of them joined with ","
    /// for a `[*]` path; `date` columns print as an age, like the real server.
    static func customColumn(_ column: PrinterColumn) -> Column {
        let path = SimpleJSONPath(column.jsonPath)
        let kind = column.type
        return Column(
            name: column.name, type: kind, format: column.format ?? "", priority: column.priority,
            description: column.description ?? "Custom resource definition column (in JSONPath format): \(column.jsonPath)",
            cell: { object, now in
                let values = path.evaluate(object)
                guard let first = values.first else { return .null }
                switch kind {
                case "date": return .string(HumanDuration.since(first.stringValue, now: now))
                case "integer": return first.intValue.map { .number(Double($0)) } ?? .null
                case "number": return first.doubleValue.map(JSONValue.number) ?? .null
                case "boolean": return first.boolValue.map(JSONValue.bool) ?? .null
                default: return .string(values.map(text).joined(separator: ","))
                }
            })
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .number(let n): return value.intValue.map(String.init) ?? String(n)
        case .bool(let b): return String(b)
        case .null: return ""
        default: return (try? value.serialized()).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        }
    }
}
