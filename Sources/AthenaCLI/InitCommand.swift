import ArgumentParser
import Foundation

/// `athena init NAME`: scaffolds a project that `athena serve` runs as is.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold a new inference project (wrapper, test data, Dockerfile, Kubernetes YAML)."
    )

    @Argument(help: "Project name: lowercase letters, digits and '-', starting with a letter (it becomes the service name).")
    var name: String

    @Option(help: "Project style: aiges (wrapper.py, the default) or modelarts (config.json + customize_service.py).")
    var style: ProjectScaffold.Style = .aiges

    @Option(help: "Parent folder to create the project in.")
    var directory: String = "."

    @Flag(help: "Write into an existing folder, replacing files of the same name.")
    var force = false

    func run() async throws {
        try CLIError.reporting {
            let scaffold = try ProjectScaffold(name: name, style: style)
            let root = URL(fileURLWithPath: directory).appendingPathComponent(name)
            try scaffold.write(to: root, overwrite: force)
            print("athena: created \(style.rawValue) project \(root.path)")
            for file in scaffold.files().map(\.path).sorted() { print("  \(file)") }
            print("next: athena serve \(root.path)")
        }
    }
}

extension ProjectScaffold.Style: ExpressibleByArgument {}
