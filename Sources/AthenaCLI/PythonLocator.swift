import Foundation

/// Finds the Python interpreter that runs the engine workers.
///
/// Order: an explicit `--python`, then `$ATHENA_PYTHON`, then `.venv/bin/python` in the working
/// folder or any parent (a project venv is what users expect to be picked up), then `python3`
/// from `PATH`.
struct PythonLocator: Sendable {
    /// The `--python` flag, if given.
    var explicit: String?
    /// The process environment.
    var environment: [String: String]
    /// Where the upward `.venv` search starts.
    var workingDirectory: String

    /// A locator for this process.
    init(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
         workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.explicit = explicit
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// The interpreter path, or a ``CLIError`` saying what was tried.
    func locate() throws -> String {
        if let explicit, !explicit.isEmpty {
            guard let path = resolve(explicit) else { throw CLIError("--python \(explicit): no such executable", exitCode: 2) }
            return path
        }
        if let env = environment["ATHENA_PYTHON"], !env.isEmpty {
            guard let path = resolve(env) else { throw CLIError("ATHENA_PYTHON=\(env): no such executable", exitCode: 2) }
            return path
        }
        var dir = URL(fileURLWithPath: workingDirectory).standardizedFileURL
        for _ in 0..<64 {
            let candidate = dir.appendingPathComponent(".venv/bin/python").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        if let path = resolve("python3") { return path }
        throw CLIError("no Python found: pass --python PATH, set ATHENA_PYTHON, or create .venv (python3 -m venv .venv)", exitCode: 2)
    }

    /// An absolute path for `name`: as given when it contains a slash, else searched on `PATH`.
    func resolve(_ name: String) -> String? {
        let fm = FileManager.default
        if name.contains("/") {
            let path = URL(fileURLWithPath: name, relativeTo: URL(fileURLWithPath: workingDirectory)).path
            return fm.isExecutableFile(atPath: path) ? path : nil
        }
        for dir in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if fm.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
