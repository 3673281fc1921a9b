import Foundation

/// Where the built binaries, the repository and the venv Python are: from `make test`'s
/// environment, else derived from this file's location.
enum TestPaths {
    /// The repository root.
    static let root: String = {
        if let env = ProcessInfo.processInfo.environment["ATHENA_ROOT"], !env.isEmpty { return env }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .path
    }()

    /// The folder holding `athena`.
    static let binDir: String = {
        if let env = ProcessInfo.processInfo.environment["ATHENA_BIN_DIR"], !env.isEmpty { return env }
        return root + "/.build/debug"
    }()

    /// The venv Python with the SDK installed.
    static let python: String = {
        if let env = ProcessInfo.processInfo.environment["ATHENA_PYTHON"], !env.isEmpty { return env }
        return root + "/.venv/bin/python"
    }()

    /// The `athena` binary, or a failure message naming what is missing.
    static func athena() throws -> String {
        let path = binDir + "/athena"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure("athena binary not found at \(path): run `swift build` (or set ATHENA_BIN_DIR)")
        }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestFailure("Python not found at \(python): run `bash scripts/bootstrap.sh` (or set ATHENA_PYTHON)")
        }
        return path
    }

    /// A path under the repository.
    static func repo(_ relative: String) -> String { root + "/" + relative }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A test precondition that failed, with a message saying what to fix.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
