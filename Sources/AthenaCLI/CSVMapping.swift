import AthenaAPI
import Foundation
import KubeModel

/// Which CSV column feeds which request field (`--map FIELD=COLUMN`, `spec.input.mapping`; FIELD
/// a dotted path or its unambiguous last part), and the rows turned into request bodies.
///
/// The header rule, one for every case: the first line is a header row iff some mapping names a
/// column (`FIELD=name`), or no mapping is given at all (then every request field is looked up in
/// the header by its dotted name or its last part). With index mappings only, every line is data,
/// as in ModelArts, where index mappings describe a CSV without a header.
struct CSVMapping: Sendable {
    /// A column as written in a mapping: a 0-based index or a header name.
    enum Column: Sendable, Hashable {
        case index(Int)
        case name(String)
    }

    /// Fields and the column index each one reads, in field-name order.
    var columns: [(field: CSVRequestField, column: Int)]
    /// Whether the first CSV record is a header (not a row to run).
    var hasHeader: Bool

    /// Parses `--map FIELD=COLUMN`: digits are an index, anything else a header name; a name made
    /// of digits is written in double quotes (`FIELD="2024"`).
    static func parseFlag(_ flag: String) throws -> (String, Column) {
        guard let eq = flag.firstIndex(of: "="), eq != flag.startIndex, flag.index(after: eq) != flag.endIndex else {
            throw CLIError("--map \(flag): expected FIELD=COLUMN (a 0-based column index or a header name)", exitCode: 2)
        }
        let field = String(flag[..<eq]), value = String(flag[flag.index(after: eq)...])
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { return (field, .name(String(value.dropFirst().dropLast()))) }
        if value.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let index = Int(value) else { throw CLIError("--map \(flag): column index \(value) is too large", exitCode: 2) }
            return (field, .index(index))
        }
        return (field, .name(value))
    }

    /// Resolves `mapping` (empty: by header) against the request `fields` and the CSV's first
    /// record. Every problem that would fail all rows alike (an unknown field, a header name that
    /// is not in the header) is thrown here, before anything runs.
    init(mapping: [(String, Column)], fields: [CSVRequestField], firstRecord: [String]?) throws {
        guard !fields.isEmpty else {
            throw CLIError("the application's request schema has no string, number, integer or boolean field for CSV columns", exitCode: 2)
        }
        let header = firstRecord?.map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        func known() -> String { fields.map(\.name).joined(separator: ", ") }
        if mapping.isEmpty {
            hasHeader = true
            var columns: [(field: CSVRequestField, column: Int)] = []
            var missing: [String] = []
            for field in fields {
                if let index = header.firstIndex(of: field.name) ?? header.firstIndex(of: field.leaf) {
                    columns.append((field, index))
                } else {
                    missing.append(field.name)
                }
            }
            if !missing.isEmpty {
                throw CLIError("no mapping given and the CSV header (\(header.joined(separator: ","))) has no column for "
                    + "\(missing.joined(separator: ", ")): name the columns in the first line or pass --map FIELD=COLUMN", exitCode: 2)
            }
            self.columns = columns
            return
        }
        hasHeader = mapping.contains { if case .name = $0.1 { true } else { false } }
        var columns: [(field: CSVRequestField, column: Int)] = []
        var seen = Set<String>()
        for (name, column) in mapping {
            guard let field = CSVRequestField.named(name, in: fields) else {
                throw CLIError("mapping: '\(name)' is not a request field (the application's fields: \(known()))", exitCode: 2)
            }
            guard seen.insert(field.name).inserted else { throw CLIError("mapping: \(field.name) is mapped twice", exitCode: 2) }
            switch column {
            case .index(let index):
                columns.append((field, index))
            case .name(let title):
                guard let index = header.firstIndex(of: title) else {
                    throw CLIError("mapping: \(name) reads column '\(title)', which is not in the CSV header (\(header.joined(separator: ",")))", exitCode: 2)
                }
                columns.append((field, index))
            }
        }
        self.columns = columns.sorted { $0.0.name < $1.0.name }
    }

    /// The request body for one row, or the row's error: the first missing column or bad value.
    func body(_ row: [String]) -> Result<JSONValue, CSVRowError> {
        var values: [(CSVRequestField, JSONValue)] = []
        for (field, column) in columns {
            guard column < row.count else {
                return .failure(CSVRowError(code: CSVRowError.missingColumn,
                                            message: "\(field.name) reads column \(column), but the row has \(row.count) column\(row.count == 1 ? "" : "s")"))
            }
            switch field.value(row[column]) {
            case .success(let value): values.append((field, value))
            case .failure(let error): return .failure(error)
            }
        }
        return .success(CSVRequestField.body(values))
    }
}
