import Foundation

/// Runs the `athena` binary to completion (bounded) and captures its output.
enum CLI {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], directory: String = TestPaths.root, timeout: Duration = .seconds(120)) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestPaths.athena())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["ATHENA_PYTHON"] = TestPaths.python
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let outBuffer = LogBuffer()
        let errBuffer = LogBuffer()
        out.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            if d.isEmpty { h.readabilityHandler = nil } else { outBuffer.append(d) }
        }
        err.fileHandleForReading.readabilityHandler = { h in
            let d = h.availableData
            if d.isEmpty { h.readabilityHandler = nil } else { errBuffer.append(d) }
        }
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now >= deadline {
                process.terminate()
                throw TestFailure("athena \(arguments.joined(separator: " ")) did not finish within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Let the handlers drain what is left in the pipes, up to their end of file: under load
        // (the whole suite in parallel) the last chunk can come later than half a second, and a
        // test then saw its output cut short. Stops as soon as both pipes are at their end.
        for _ in 0..<1000 {
            try await Task.sleep(for: .milliseconds(10))
            if out.fileHandleForReading.readabilityHandler == nil && err.fileHandleForReading.readabilityHandler == nil { break }
        }
        return Result(status: process.terminationStatus, stdout: outBuffer.text, stderr: errBuffer.text)
    }
}
