import ArgumentParser
import AthenaAPI
import Foundation
import KubeModel

/// `athena validate REQUEST.json --app DIR`: checks a request against the app's schema offline,
/// with the same validator and messages as the gateway.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate a request JSON file (ASE or ModelArts body) against an application's schema.",
        discussion: "Exit status: 0 when valid, 1 when not (one line per problem), 2 on bad input."
    )

    @Argument(help: "The request JSON file (\"-\" reads standard input).")
    var request: String

    @Option(help: "The application folder whose schema applies.")
    var app: String

    @Option(help: "Python interpreter used to load the application.")
    var python: String?

    func run() async throws {
        try await CLIError.reporting {
            let value = try Self.readJSON(request)
            let appDir = try AppDescription.appDirectory(app)
            let python = try PythonLocator(explicit: python).locate()
            let description = try await AppDescription.load(app: appDir, python: python)
            let problems = RequestValidator(description: description).validate(value)
            if problems.isEmpty {
                print("\(request): valid for \(description.service)")
                return
            }
            for problem in problems { print(problem) }
            throw CLIError("\(request): \(problems.count) problem\(problems.count == 1 ? "" : "s") for \(description.service)")
        }
    }

    /// Reads and parses the request; a syntax error says where.
    static func readJSON(_ path: String) throws -> JSONValue {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIError("cannot read \(path)", exitCode: 2)
            }
            data = contents
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw CLIError("\(path): malformed JSON: \(detail ?? context.debugDescription)", exitCode: 1)
        } catch {
            throw CLIError("\(path): malformed JSON: \(error)", exitCode: 1)
        }
    }
}
