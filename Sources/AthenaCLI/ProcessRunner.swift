import Foundation

/// Runs a short helper process to completion and captures its output (for the SDK's schema
/// module): bounded in time, so a wrapper that hangs on import cannot hang the CLI.
enum ProcessRunner {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(executable: String, arguments: [String], directory: String, timeout: Duration) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["PYTHONUNBUFFERED"] = "1"
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw CLIError("cannot run \(executable): \(error.localizedDescription)")
        }
        // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
        async let stdoutData = Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        async let stderrData = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now >= deadline {
                process.terminate()
                _ = await (stdoutData, stderrData)
                throw CLIError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        let (o, e) = await (stdoutData, stderrData)
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }
}
