import ArgumentParser

/// The `athena` command line: scaffold, serve, call and check inference applications.
///
/// Each subcommand lives in its own file; the executable's `main` only calls ``AthenaCommand/main()``
/// so the whole CLI can also be driven from tests.
public struct AthenaCommand: AsyncParsableCommand {
    /// The command tree as ArgumentParser sees it.
    public static let configuration = CommandConfiguration(
        commandName: "athena",
        abstract: "Turn AI inference code (wrapper.py, customize_service.py) into a standard HTTP API.",
        version: "0.1.0",
        subcommands: [
            InitCommand.self,
            ServeCommand.self,
            CallCommand.self,
            BatchCommand.self,
            SchemaCommand.self,
            ValidateCommand.self,
            RenderCommand.self,
        ]
    )

    /// Required by ArgumentParser; the root command only dispatches.
    public init() {}
}

extension AthenaCommand {
    /// The executable's entry point. Called from an async function so ArgumentParser's async
    /// `main` is chosen (top-level code would pick the synchronous overload).
    public static func runAsMain() async {
        await main(nil)
    }
}
