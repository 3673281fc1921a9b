import ArgumentParser
import Foundation
import KubeModel

/// `athena schema DIR`: prints the application's request/response schema as the SDK declares it.
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print an application's request/response JSON schema (from wrapper.py fields or config.json apis)."
    )

    @Argument(help: "The application folder.")
    var dir: String

    @Option(help: "Python interpreter used to load the application.")
    var python: String?

    func run() async throws {
        try await CLIError.reporting {
            let app = try AppDescription.appDirectory(dir)
            let python = try PythonLocator(explicit: python).locate()
            let description = try await AppDescription.load(app: app, python: python)
            print(try Self.pretty(description.raw))
        }
    }

    static func pretty(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
