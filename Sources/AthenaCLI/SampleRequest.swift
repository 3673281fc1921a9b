import AthenaAPI
import Foundation
import KubeModel

/// A ready-made request for a served app, printed by `athena serve`: built from the app's payload
/// schema and a matching file in its test data folder, so the first call is a copy-paste.
struct SampleRequest: Sendable {
    var app: String
    var description: AppDescription

    /// Folders where example inputs are looked for, in order.
    static let dataFolders = ["test_data", "test-data", "testdata", "data", "samples"]

    /// A `curl` command line.
    func curl(base: String) -> String {
        if description.kind == "modelarts" {
            let file = firstFile { ["json"].contains($0) }
            let body = file.map { "@\($0)" } ?? "'{}'"
            return "curl -s \(base)/v1/infers/\(description.service) -H 'Content-Type: application/json' -d \(body)"
        }
        let endpoint = "\(base)/v1/private/\(description.service)"
        if let request = firstFile(named: "request.json") {
            return "curl -s \(endpoint) -H 'Content-Type: application/json' -d @\(request)"
        }
        guard let (id, dataType, file) = payloadFile() else {
            return "curl -s \(endpoint) -H 'Content-Type: application/json' -d '{\"header\":{\"status\":3},\"parameter\":{\"\(description.service)\":{}},\"payload\":{}}'"
        }
        let encoding = MediaKind.forFile(file)?.encoding ?? "utf8"
        return "curl -s \(endpoint) -H 'Content-Type: application/json' -d '{\"header\":{\"status\":3},"
            + "\"parameter\":{\"\(description.service)\":{}},\"payload\":{\"\(id)\":{\"encoding\":\"\(encoding)\",\"status\":3,"
            + "\"\(dataType)\":\"'\"$(base64 -w0 \(file))\"'\"}}}'"
    }

    /// An `athena call` command line, when a matching input file exists.
    func athenaCall(base: String) -> String? {
        guard description.kind != "modelarts", let (id, _, file) = payloadFile() else { return nil }
        return "athena call \(base)/v1/private/\(description.service) --file \(id)=@\(file)"
    }

    /// The first payload item of the schema with a test file of its data type.
    private func payloadFile() -> (id: String, dataType: String, file: String)? {
        let properties = description.schema?.payload?.objectValue?["properties"]?.objectValue ?? [:]
        for (id, item) in properties.sorted(by: { $0.key < $1.key }) {
            let fields = item.objectValue?["properties"]?.objectValue ?? [:]
            for dataType in ["image", "audio", "video", "text"] where fields[dataType] != nil {
                if let file = firstFile(where: { ext in
                    MediaKind.forFile("x.\(ext)")?.dataType == dataType && ext != "json"
                }) {
                    return (id, dataType, file)
                }
            }
        }
        return nil
    }

    private func firstFile(named name: String) -> String? {
        for folder in Self.dataFolders {
            let path = URL(fileURLWithPath: app).appendingPathComponent(folder).appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    private func firstFile(where matches: (String) -> Bool) -> String? {
        for folder in Self.dataFolders {
            let dir = URL(fileURLWithPath: app).appendingPathComponent(folder)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names.sorted() {
                let ext = URL(fileURLWithPath: name).pathExtension.lowercased()
                if matches(ext) { return dir.appendingPathComponent(name).path }
            }
        }
        return nil
    }
}
