import AthenaAPI
import Foundation
import KubeModel

/// What `athena` knows about an application folder before serving it: its service name, version,
/// style and request/response schema — asked from the SDK (`python -m athena_wrapper.schema`),
/// which imports the user's code exactly as the engine will.
struct AppDescription: Sendable {
    /// The URL name (`/v1/private/{service}`).
    var service: String
    /// The version name in the routing table.
    var version: String
    /// `aiges` or `modelarts` (informational).
    var kind: String
    /// The schema for gateway validation and `/openapi.json`.
    var schema: RoutingTableSchema?
    /// The raw JSON the SDK printed (what `athena schema` shows).
    var raw: JSONValue

    /// Resolves the folder the engine loads: `DIR`, or `DIR/model` for a ModelArts project made by
    /// `athena init --style modelarts` (config.json lives in `model/`).
    static func appDirectory(_ path: String) throws -> String {
        let fm = FileManager.default
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true))
            .standardizedFileURL
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError("\(path): no such folder", exitCode: 2)
        }
        let has = { (name: String) in fm.fileExists(atPath: url.appendingPathComponent(name).path) }
        if has("wrapper.py") || has("config.json") || has("customize_service.py") { return url.path }
        if has("model/config.json") || has("model/customize_service.py") { return url.appendingPathComponent("model").path }
        throw CLIError("\(path): not an application folder (expected wrapper.py, or config.json + customize_service.py)", exitCode: 2)
    }

    /// Runs the SDK's schema module for `app` with `python` and parses what it prints.
    static func load(app: String, python: String, timeout: Duration = .seconds(120)) async throws -> AppDescription {
        let result = try await ProcessRunner.run(
            executable: python, arguments: ["-m", "athena_wrapper.schema", "--app", app],
            directory: app, timeout: timeout)
        guard result.status == 0 else {
            let detail = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw CLIError("cannot load \(app) with \(python) (exit \(result.status)):\n\(detail.suffix(4000))")
        }
        return try parse(result.stdout, app: app)
    }

    /// Parses the SDK's description JSON; tolerant of missing optional parts.
    static func parse(_ text: String, app: String) throws -> AppDescription {
        let raw: JSONValue
        do {
            raw = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw CLIError("the SDK printed no valid JSON description for \(app): \(error)")
        }
        guard let object = raw.objectValue else { throw CLIError("the SDK description of \(app) is not a JSON object") }
        let folder = URL(fileURLWithPath: app).lastPathComponent
        let service = object["service_id"]?.stringValue ?? object["service"]?.stringValue ?? folder
        let version = object["version"]?.stringValue ?? "v1"
        let kind = object["kind"]?.stringValue ?? "unknown"
        // `routing` is already in the routing table's `schema:` shape.
        var schema: RoutingTableSchema?
        if let routing = object["routing"]?.objectValue {
            let apis = routing["apis"].flatMap { $0.arrayValue?.isEmpty == false ? $0 : nil }
            schema = RoutingTableSchema(
                parameter: routing["parameter"], payload: routing["payload"], response: routing["response"], apis: apis)
        }
        return AppDescription(service: service.isEmpty ? folder : service, version: version.isEmpty ? "v1" : version,
                              kind: kind, schema: schema, raw: raw)
    }
}
