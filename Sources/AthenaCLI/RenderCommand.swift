import AthenaControllers
import ArgumentParser
import Foundation

/// `athena render -f FILE...`: prints, as YAML, the objects the operator creates for the given
/// AIApplications and OnlineServices, without a cluster (for GitOps and review).
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the Kubernetes objects the operator would create for AIApplication/OnlineService files.",
        discussion: """
            Images and cluster settings come from the same environment variables the operator reads: \
            ATHENA_GATEWAY_IMAGE, ATHENA_ENGINE_IMAGE, ATHENA_MODEL_FETCHER_IMAGE, ATHENA_CLUSTER_DOMAIN.
            """
    )

    @Option(name: [.customShort("f"), .customLong("filename")], help: "A YAML file (repeatable); `-` reads stdin.")
    var files: [String] = []

    func run() throws {
        try CLIError.reporting {
            guard !files.isEmpty else { throw CLIError("render needs at least one -f FILE", exitCode: 2) }
            let documents = try files.map(Self.read)
            let options: BuildOptions
            do {
                options = try BuildOptions.fromEnvironment()
            } catch {
                throw CLIError("bad operator settings in the environment: \(error)", exitCode: 2)
            }
            let yaml: String
            do {
                yaml = try Renderer(options: options).render(documents)
            } catch let error as Renderer.RenderError {
                throw CLIError(error.message, exitCode: 2)
            }
            print(yaml, terminator: "")
        }
    }

    private static func read(_ path: String) throws -> String {
        if path == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path)", exitCode: 2)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
