import AthenaGateway

/// Process set-up for `athena serve`, which runs the gateway in-process: the same tuning as the
/// `athena-gateway` binary (Swift concurrency on NIO's event loops, so an engine call resumes on
/// the loop that read its answer instead of hopping to the cooperative pool; few malloc arenas).
public enum LocalModeProcess {
    /// Call first thing in `main`, before anything starts a task. Does nothing for other
    /// subcommands.
    public static func prepare(arguments: [String] = CommandLine.arguments) {
        guard arguments.dropFirst().first == "serve" else { return }
        GatewayProcess.tune()
    }
}
