import Foundation
import KubeModel

/// The request fields a CSV row can fill: the scalar leaves (string, number, integer, boolean) of
/// the application's request schema (ModelArts `config.json` `apis[0].request.data`), named by
/// their dotted path, e.g. `data.req_data.sepal_length` for the iris example.
///
/// As in ModelArts, an array of objects on the way to a leaf takes the row as its one element:
/// a row becomes `{"data": {"req_data": [{"sepal_length": 5.1, …}]}}`, the body the application
/// already accepts online, so a batch needs no change to its code. Shared by the operator (which
/// checks an application has such fields and a mapping names them before running a Job) and the
/// `athena batch` driver (which builds the requests).
public struct CSVRequestField: Sendable, Hashable {
    /// The JSON Schema types a CSV cell can be read as.
    public enum Kind: String, Sendable, CaseIterable {
        case string, number, integer, boolean
    }

    /// One step of the path: the object member `name`, which is an array of objects when `array`.
    public struct Step: Sendable, Hashable {
        public var name: String
        public var array: Bool

        public init(name: String, array: Bool) {
            self.name = name
            self.array = array
        }
    }

    public var steps: [Step]
    public var kind: Kind

    public init(steps: [Step], kind: Kind) {
        self.steps = steps
        self.kind = kind
    }

    /// The dotted name used by `--map` and `spec.input.mapping`.
    public var name: String { steps.map(\.name).joined(separator: ".") }
    /// The last step: matched against a CSV header when no mapping is given.
    public var leaf: String { steps.last?.name ?? "" }

    /// Every scalar leaf of `schema` (an object schema), in name order.
    public static func fields(of schema: JSONValue) -> [CSVRequestField] {
        var out: [CSVRequestField] = []
        collect(schema, steps: [], into: &out)
        return out.sorted { $0.name < $1.name }
    }

    private static func collect(_ schema: JSONValue, steps: [Step], into out: inout [CSVRequestField]) {
        guard let properties = schema["properties"]?.objectValue else { return }
        for (name, property) in properties {
            let type = property["type"]?.stringValue
            if let type, let kind = Kind(rawValue: type) {
                out.append(CSVRequestField(steps: steps + [Step(name: name, array: false)], kind: kind))
            } else if type == "object" || (type == nil && property["properties"] != nil) {
                collect(property, steps: steps + [Step(name: name, array: false)], into: &out)
            } else if type == "array", let items = itemSchema(property), items["properties"] != nil {
                collect(items, steps: steps + [Step(name: name, array: true)], into: &out)
            }
        }
    }

    /// `items` as one schema, or the first of a tuple form (`"items": [{…}]`, as iris writes it).
    private static func itemSchema(_ array: JSONValue) -> JSONValue? {
        if let list = array["items"]?.arrayValue { return list.first }
        return array["items"]
    }

    /// The field `name` stands for: the one with that dotted path, else the only one whose last
    /// part it is (`sepal_length` for `data.req_data.sepal_length`, as ModelArts shows the iris
    /// fields); nil when none, or when the last part is ambiguous.
    public static func named(_ name: String, in fields: [CSVRequestField]) -> CSVRequestField? {
        if let exact = fields.first(where: { $0.name == name }) { return exact }
        let byLeaf = fields.filter { $0.leaf == name }
        return byLeaf.count == 1 ? byLeaf[0] : nil
    }

    /// `cell` read as this field's type, or why it cannot be.
    public func value(_ cell: String) -> Result<JSONValue, CSVRowError> {
        let text = cell.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .string:
            return .success(.string(cell))
        case .number:
            if let number = Double(text), number.isFinite { return .success(.number(number)) }
        case .integer:
            if let number = Int(text) { return .success(.number(Double(number))) }
        case .boolean:
            switch text.lowercased() {
            case "true": return .success(.bool(true))
            case "false": return .success(.bool(false))
            default: break
            }
        }
        return .failure(CSVRowError(code: CSVRowError.badValue,
                                    message: "\(name): expected \(kind == .integer ? "an integer" : "a \(kind.rawValue)"), got '\(cell)'"))
    }

    /// The request body holding `values` (fields and their values), built along each path.
    public static func body(_ values: [(CSVRequestField, JSONValue)]) -> JSONValue {
        var root = JSONValue.object([:])
        for (field, value) in values { set(value, at: field.steps[...], in: &root) }
        return root
    }

    private static func set(_ value: JSONValue, at steps: ArraySlice<Step>, in node: inout JSONValue) {
        guard let step = steps.first, case .object(var members) = node else { return }
        if steps.count == 1 {
            members[step.name] = value
        } else if step.array {
            var element = members[step.name]?.arrayValue?.first ?? .object([:])
            set(value, at: steps.dropFirst(), in: &element)
            members[step.name] = .array([element])
        } else {
            var child = members[step.name] ?? .object([:])
            set(value, at: steps.dropFirst(), in: &child)
            members[step.name] = child
        }
        node = .object(members)
    }
}

/// Why one CSV row was not run, written as that row's `{"row", "error": {"code", "message"}}`.
public struct CSVRowError: Error, Sendable, Hashable {
    /// The row has fewer columns than a mapping names.
    public static let missingColumn = "MissingColumn"
    /// A cell does not parse as its field's declared type.
    public static let badValue = "BadValue"
    /// The service answered with an error (its ASE code), or could not be reached.
    public static let requestFailed = "RequestFailed"

    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
