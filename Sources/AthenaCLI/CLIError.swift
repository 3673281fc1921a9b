import ArgumentParser
import Foundation

/// An error the CLI reports to the user as one clear line, with the exit code it maps to.
///
/// Every failure the user can cause (bad flags, missing files, an error response) becomes one of
/// these instead of a crash or a stack trace.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    /// Why the command failed, in words for the user.
    public var message: String
    /// The process exit code: 1 for a failed request, 2 for bad usage or input.
    public var exitCode: Int32

    /// Creates an error; `exitCode` defaults to 1.
    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}

extension CLIError {
    /// Runs `body`; a ``CLIError`` is printed to stderr as `athena: message` and becomes its exit code.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CLIError {
            printError("athena: \(error.message)")
            throw ExitCode(error.exitCode)
        }
    }

    /// Async flavour of ``reporting(_:)``.
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CLIError {
            printError("athena: \(error.message)")
            throw ExitCode(error.exitCode)
        }
    }
}

/// Writes one line to standard error (messages for people, never for pipes). A closed stderr
/// (the reader went away) drops the line: the throwing `write(contentsOf:)` is used because the
/// old `write(_:)` traps on EPIPE and would take the local server down with it.
func printError(_ line: String) {
    try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
}

/// Writes one line to standard output unbuffered: `athena serve` output is read line by line by
/// scripts and tests while it keeps running.
/// A closed stdout drops the line (see `printError`).
func printLine(_ line: String) {
    try? FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
}
