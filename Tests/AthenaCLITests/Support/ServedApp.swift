import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real `athena serve` process for end-to-end tests: started on port 0, ready when it prints its
/// `ready:` line, stopped on ``stop()`` — or, if the test process dies first, when its standard
/// input closes (`--exit-on-stdin-eof`), so nothing outlives the test run.
final class ServedApp: Sendable {
    let process: Process
    /// `http://127.0.0.1:PORT`.
    let baseURL: String
    private let output: LogBuffer
    private let stdinPipe: Pipe

    /// Everything `athena serve` and its workers printed so far.
    var log: String { output.text }

    private init(process: Process, baseURL: String, output: LogBuffer, stdinPipe: Pipe) {
        self.process = process
        self.baseURL = baseURL
        self.output = output
        self.stdinPipe = stdinPipe
    }

    /// Starts `athena serve app` and waits (bounded) until it is ready.
    static func start(app: String, workers: Int = 1, extra: [String] = [], timeout: Duration = .seconds(120)) async throws -> ServedApp {
        let athena = try TestPaths.athena()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: athena)
        process.arguments = ["serve", app, "--port", "0", "--workers", String(workers),
                             "--python", TestPaths.python, "--exit-on-stdin-eof"] + extra
        process.currentDirectoryURL = URL(fileURLWithPath: TestPaths.root)
        let out = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = input
        let buffer = LogBuffer()
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil; return }
            buffer.append(data)
        }
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var url: String?
        while clock.now < deadline {
            let text = buffer.text
            if url == nil, let range = text.range(of: "gateway listening on ") {
                let rest = text[range.upperBound...]
                url = String(rest.prefix { !$0.isWhitespace })
            }
            if let url, text.contains("athena: ready:") {
                return ServedApp(process: process, baseURL: url, output: buffer, stdinPipe: input)
            }
            if !process.isRunning {
                throw TestFailure("athena serve \(app) exited (\(process.terminationStatus)) before ready:\n\(text.suffix(6000))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw TestFailure("athena serve \(app) not ready within \(timeout):\n\(buffer.text.suffix(6000))")
    }

    /// The engine worker processes: children of `athena serve` (by /proc ppid).
    func workerPIDs() -> [pid_t] {
        Self.children(of: process.processIdentifier)
    }

    static func children(of parent: pid_t) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { name -> pid_t? in
            guard let pid = pid_t(name),
                  let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // fields[0] = state, fields[1] = ppid
            guard fields.count > 2, fields[0] != "Z", pid_t(fields[1]) == parent else { return nil }
            return pid
        }.sorted()
    }

    /// SIGTERM, then waits (bounded) for `athena serve` to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(20)) async -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }
}

/// Output collected from a child process, appended from a file-handle callback thread.
final class LogBuffer: Sendable {
    private let storage = Mutex("")

    var text: String { storage.withLock { $0 } }

    func append(_ data: Data) {
        storage.withLock { $0 += String(decoding: data, as: UTF8.self) }
    }
}
