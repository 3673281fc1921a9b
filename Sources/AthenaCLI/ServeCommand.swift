import ArgumentParser
import AthenaAPI
import AthenaGateway
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `athena serve DIR`: local mode without a cluster — N engine workers plus the gateway in-process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an application folder locally: engine workers + the HTTP gateway.",
        discussion: """
        Starts --workers engine processes (python -m athena_wrapper.serve) on free ports of 127.0.0.1,
        waits until they are healthy, and serves the ASE, ModelArts, KServe v1 and OIP v2 APIs on
        http://HOST:PORT. A worker that dies is restarted; Ctrl-C or SIGTERM stops everything.
        Python: --python, else $ATHENA_PYTHON, else .venv/bin/python in this folder or a parent, else python3.
        """
    )

    @Argument(help: "The application folder (wrapper.py, or config.json + customize_service.py).")
    var dir: String

    @OptionGroup var engine: WorkerOptions

    @Option(help: "Address the gateway listens on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port the gateway listens on (0 picks a free one).")
    var port: Int = 1888

    @Option(help: "Gateway log level: trace, debug, info (access logs), notice, warning, error.")
    var logLevel: String = "notice"

    @Option(help: "Most requests sent to a worker in one InferBatch call when requests queue up (1 = no batching).")
    var maxBatch: Int = EngineBatching().maxBatchSize

    @Option(help: "Calls in flight per worker before requests queue up for a batch (raise it for wrappers that wait on I/O).")
    var maxCallsInFlight: Int = EngineBatching().maxCallsInFlight

    @Option(help: "Microseconds a worker's freed call slot may wait for the requests of the batch it just answered, so they go out together (0 = never wait; also at most half the call's duration).")
    var maxBatchDelay: Int = EngineBatching().maxDelayMicroseconds

    @Option(help: "Require callers to authenticate, as an OnlineService's spec.auth does: token, appcode or hmac (needs --auth-secret).")
    var auth: String?

    @Option(help: "The credentials for --auth: a file of tokens, AppCodes or key:secret lines, or a folder holding tokens/appcodes/credentials.")
    var authSecret: String?

    @Option(help: "Requests per second the gateway accepts (a token bucket; excess gets 429).")
    var rateLimit: Double?

    /// For supervisors and tests: stop everything when standard input closes (the parent died).
    @Flag(help: .hidden)
    var exitOnStdinEOF = false

    func validate() throws {
        if let auth {
            guard let mode = RoutingTableAuth.Mode(rawValue: auth), mode != .none else {
                throw ValidationError("--auth: token, appcode or hmac (got '\(auth)')")
            }
            guard authSecret != nil else { throw ValidationError("--auth \(auth) needs --auth-secret FILE") }
        } else if authSecret != nil {
            throw ValidationError("--auth-secret is used with --auth token|appcode|hmac")
        }
        if let rateLimit, !(rateLimit >= 0.001 && rateLimit <= 1e9) {
            throw ValidationError("--rate-limit must be between 0.001 and 1000000000 requests per second")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level '\(logLevel)'") }
        let sizes = EngineBatching.batchSizeRange, calls = EngineBatching.callsInFlightRange
        guard sizes.contains(maxBatch) else {
            throw ValidationError("--max-batch must be between \(sizes.lowerBound) and \(sizes.upperBound)")
        }
        guard calls.contains(maxCallsInFlight) else {
            throw ValidationError("--max-calls-in-flight must be between \(calls.lowerBound) and \(calls.upperBound)")
        }
        let delays = EngineBatching.delayMicrosecondsRange
        guard delays.contains(maxBatchDelay) else {
            throw ValidationError("--max-batch-delay must be between \(delays.lowerBound) and \(delays.upperBound) microseconds")
        }
    }

    func run() async throws {
        try await CLIError.reporting {
            let app = try AppDescription.appDirectory(dir)
            let python = try PythonLocator(explicit: engine.python).locate()
            let description = try await AppDescription.load(app: app, python: python)
            var server = LocalServer(
                app: app, python: python, description: description, workers: engine.workers,
                host: host, port: port, startupTimeout: .seconds(engine.startupTimeout), exitOnStdinEOF: exitOnStdinEOF,
                logLevel: Logger.Level(rawValue: logLevel) ?? .notice,
                batching: EngineBatching(maxBatchSize: maxBatch, maxCallsInFlight: maxCallsInFlight, maxDelayMicroseconds: maxBatchDelay),
                metricsText: LocalMetrics.text)
            if let auth, let mode = RoutingTableAuth.Mode(rawValue: auth), let authSecret {
                server.auth = RoutingTableAuth(mode: mode, secretFile: URL(fileURLWithPath: authSecret).standardizedFileURL.path)
            }
            if let rateLimit { server.rateLimit = RoutingTableRateLimit(qps: rateLimit) }
            try await server.run()
        }
    }
}
