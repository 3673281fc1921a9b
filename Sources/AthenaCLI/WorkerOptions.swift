import ArgumentParser

/// The engine-worker flags `athena serve` and `athena batch` share.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Number of engine worker processes.")
    var workers: Int = 2

    @Option(help: "Python interpreter for the engine workers.")
    var python: String?

    @Option(help: "Seconds to wait for the workers to become healthy.")
    var startupTimeout: Int = 180

    func validate() throws {
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be between 1 and 64") }
        guard startupTimeout > 0 else { throw ValidationError("--startup-timeout must be positive") }
    }
}
