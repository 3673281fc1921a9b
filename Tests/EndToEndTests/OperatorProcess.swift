import Foundation

/// The `athena-operator` executable as a child process: started with its own arguments and
/// environment, its log in a file, stopped by SIGTERM or killed by SIGKILL, its peak RSS read
/// from /proc.
final class OperatorProcess: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let logFile: URL
    let name: String
    private let process: Process

    static var binary: URL { KubectlTestServer.binDirectory.appendingPathComponent("athena-operator") }

    /// Starts `athena-operator args…` with `environment` replacing the inherited one where given
    /// (a nil value removes the variable). The health server gets an ephemeral loopback port.
    init(
        name: String, arguments: [String], environment overrides: [String: String?] = [:], directory: URL
    ) throws {
        let binary = Self.binary
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw Failure(description: "athena-operator not found at \(binary.path); build it (swift build) or set ATHENA_BIN_DIR")
        }
        self.name = name
        logFile = directory.appendingPathComponent("operator-\(name).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--health-host", "127.0.0.1", "--health-port", "0", "--log-level", "debug"] + arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in overrides { environment[key] = value }
        process.environment = environment
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
        self.process = process
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// The operator's log so far (stdout and stderr).
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The last `lines` lines of the log, for failure messages.
    func logTail(_ lines: Int = 40) -> String {
        log.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Peak resident set size in KiB (`VmHWM` of /proc/PID/status), nil once exited.
    var peakRSSKiB: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    /// SIGKILL: no cleanup, no lease release — the crash the reliability tests want.
    func crash() async {
        if process.isRunning { _ = kill(pid, SIGKILL) }
        await waitForExit(timeout: .seconds(10))
    }

    /// SIGTERM, then SIGKILL if it has not exited within `timeout`; returns the exit status
    /// (-1 when it had to be killed).
    @discardableResult
    func stop(timeout: Duration = .seconds(15)) async -> Int32 {
        if process.isRunning { process.terminate() }
        await waitForExit(timeout: timeout)
        if process.isRunning {
            _ = kill(pid, SIGKILL)
            await waitForExit(timeout: .seconds(5))
            return -1
        }
        return process.terminationStatus
    }

    private func waitForExit(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
