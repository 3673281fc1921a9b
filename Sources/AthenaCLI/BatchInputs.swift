import Foundation

/// The inputs of a batch (ModelArts batch service input): every file of a folder, or the
/// `{"source": …}` lines of a `.manifest` file.
struct BatchInput: Sendable, Hashable {
    /// As written in the manifest (or the file's path, for a folder): echoed in the result manifest.
    var source: String
    /// The local file to read; `nil` when `source` cannot be read in local mode (why: `problem`).
    var path: String?
    var problem: String?
}

enum BatchInputs {
    /// The inputs at `path`: a folder's regular files (hidden ones skipped) in name order, or a
    /// manifest's lines in file order. Relative manifest sources are relative to the manifest's folder.
    /// The order must not depend on the file system (directory listings come in no set order):
    /// `--shard` relies on every pod of a Job listing the same inputs at the same positions.
    static func list(_ path: String) throws -> [BatchInput] {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw CLIError("--input \(path): no such file or folder", exitCode: 2)
        }
        if isFolder.boolValue {
            let names = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            let files = names.sorted().filter { !$0.hasPrefix(".") }.map { (path as NSString).appendingPathComponent($0) }
                .filter { var folder: ObjCBool = false; return fm.fileExists(atPath: $0, isDirectory: &folder) && !folder.boolValue }
            guard !files.isEmpty else { throw CLIError("--input \(path): the folder has no file", exitCode: 2) }
            return files.map { BatchInput(source: $0, path: $0) }
        }
        guard path.hasSuffix(".manifest") else {
            throw CLIError("--input \(path): expected a folder or a .manifest file of {\"source\": …} lines", exitCode: 2)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("--input \(path): cannot read it as UTF-8 text", exitCode: 2)
        }
        let base = (path as NSString).deletingLastPathComponent
        var inputs: [BatchInput] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any],
                let source = object["source"] as? String, !source.isEmpty
            else {
                throw CLIError("--input \(path): line \(index + 1) is not a JSON object with a \"source\" string", exitCode: 2)
            }
            inputs.append(resolve(source, base: base))
        }
        guard !inputs.isEmpty else { throw CLIError("--input \(path): the manifest lists no input", exitCode: 2) }
        return inputs
    }

    private static func resolve(_ source: String, base: String) -> BatchInput {
        if let scheme = source.range(of: "://") {
            let name = source[..<scheme.lowerBound]
            guard name == "file" else {
                return BatchInput(source: source, path: nil,
                                  problem: "\(name):// sources are not read in local mode (use a local path)")
            }
            return BatchInput(source: source, path: String(source[scheme.upperBound...]))
        }
        let path = source.hasPrefix("/") ? source : (base as NSString).appendingPathComponent(source)
        return BatchInput(source: source, path: path)
    }
}
