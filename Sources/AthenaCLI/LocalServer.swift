import AthenaAPI
import AthenaGateway
import Foundation
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `athena serve` runs: the worker supervisor, the in-process gateway, a readiness watch and
/// the signal handler, as one task group that ends when any of them says stop. With a `job`
/// (`athena batch`), the job runs once everything is healthy and its end stops everything.
struct LocalServer: Sendable {
    var app: String
    var python: String
    var description: AppDescription
    var workers: Int
    var host: String
    var port: Int
    var startupTimeout: Duration
    var exitOnStdinEOF = false
    var logLevel: Logger.Level = .notice
    /// How requests that queue up for a worker are batched (`--max-batch`, `--max-calls-in-flight`).
    var batching = EngineBatching()
    /// `/metrics` text (Prometheus); nil answers 404 there.
    var metricsText: (@Sendable () -> String)?
    /// Runs against the gateway's base URL once the workers are healthy; its end (an error, or
    /// none) ends the run. `nil`: serve until a signal.
    var job: (@Sendable (_ baseURL: String) async -> (any Error)?)?
    /// `HOST:PORT` of gRPC engines already running (`athena batch --engine`): no worker is started
    /// or supervised, the gateway only fronts these.
    var engines: [String]?
    /// The service's `auth` and `rateLimit` (`athena serve --auth …`), as the operator would write them.
    var auth = RoutingTableAuth()
    var rateLimit = RoutingTableRateLimit()

    /// Why the task group ended.
    private enum Outcome: Sendable {
        case signal(Int32)
        case workersFailed(String)
        case gatewayEnded((any Error)?)
        case notReady(String)
        case ready
        case jobFinished((any Error)?)
    }

    func run() async throws {
        let supervisor: WorkerSupervisor?
        let endpoints: [String]
        if let engines {
            supervisor = nil
            endpoints = engines
            say("\(description.service): engine\(engines.count == 1 ? "" : "s") \(engines.joined(separator: ", ")) (already running)")
        } else {
            let ports = try PortPicker.freePorts(workers)
            var environment = ProcessInfo.processInfo.environment
            environment["PYTHONUNBUFFERED"] = "1"
            environment["ATHENA_PARENT_PID"] = String(getpid())
            let launch = WorkerSupervisor.Launch(
                executable: python,
                arguments: { [app] port in ["-m", "athena_wrapper.serve", "--app", app, "--listen", "127.0.0.1:\(port)"] },
                environment: environment, directory: app)
            supervisor = WorkerSupervisor(ports: ports, launch: launch)
            endpoints = ports.map { "127.0.0.1:\($0)" }
            say("\(description.service) (\(description.kind), version \(description.version)) from \(app)")
            say("\(workers) engine worker\(workers == 1 ? "" : "s") on \(endpoints.joined(separator: ", ")) (python \(python))")
            try await supervisor?.start()
        }
        let signals = SignalWatcher()

        let table = routingTable(endpoints: endpoints)
        let listening = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "athena-gateway")
        logger.logLevel = logLevel
        let options = GatewayOptions(host: host, port: port, logger: logger, metricsText: metricsText, onServerRunning: { port in
            listening.continuation.yield(port)
        })
        let gateway: Gateway
        do {
            gateway = try Gateway(table: table, options: options)
        } catch {
            await supervisor?.stopAll()
            throw CLIError("cannot start the gateway: \(error)")
        }

        // The gateway runs in its own service group so that stopping is a graceful shutdown
        // (requests in flight finish, then the workers stop), not a cancellation.
        let services = ServiceGroup(configuration: .init(
            services: [.init(service: gateway.makeApplication())],
            gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let gatewayTask = Task { () -> (any Error)? in
            do {
                try await services.run()
                return nil
            } catch {
                return error
            }
        }

        let outcome: Outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask { .gatewayEnded(await gatewayTask.value) }
            if let supervisor {
                group.addTask {
                    if let message = await supervisor.supervise() { return .workersFailed(message) }
                    return .gatewayEnded(nil)
                }
            }
            group.addTask {
                for await number in signals.signals { return .signal(number) }
                return .signal(SIGTERM)
            }
            if exitOnStdinEOF {
                group.addTask {
                    for await _ in Self.stdinClosed() { break }
                    return .signal(SIGHUP)
                }
            }
            group.addTask { [self] in
                var bound: Int?
                for await p in listening.stream { bound = p; break }
                guard let bound else { return .notReady("the gateway did not start") }
                let url = "http://\(displayHost):\(bound)"
                say("gateway listening on \(url)")
                if let problem = await waitReady(gateway: gateway) { return .notReady(problem) }
                if let job { return .jobFinished(await job(url)) }
                announce(url: url)
                return .ready
            }
            var result: Outcome = .gatewayEnded(nil)
            while let next = await group.next() {
                if case .ready = next { continue }
                result = next
                break
            }
            switch result {
            case .gatewayEnded, .jobFinished: break
            default: say("stopping the gateway…")
            }
            await services.triggerGracefulShutdown()
            let drain = Task {
                try? await Task.sleep(for: .seconds(10))
                gatewayTask.cancel() // requests still running after 10 s are cut
            }
            group.cancelAll()
            _ = await gatewayTask.value
            drain.cancel()
            return result
        }

        if case .jobFinished = outcome {} else if supervisor != nil { say("stopping engine workers…") }
        await supervisor?.stopAll()
        switch outcome {
        case .signal(let number):
            say("stopped (signal \(number))")
        case .workersFailed(let message):
            throw CLIError(message)
        case .notReady(let message):
            throw CLIError(message)
        case .gatewayEnded(let error?):
            throw CLIError("the gateway stopped: \(error)")
        case .gatewayEnded(nil), .ready:
            say("stopped")
        case .jobFinished(let error?):
            throw error
        case .jobFinished(nil):
            break
        }
    }

    // MARK: - Pieces

    /// One service, one version, every worker an endpoint.
    func routingTable(ports: [Int]) -> RoutingTable {
        routingTable(endpoints: ports.map { "127.0.0.1:\($0)" })
    }

    func routingTable(endpoints: [String]) -> RoutingTable {
        let version = VersionRoute(
            name: description.version, application: description.service, weight: 100, protocol: .grpc,
            endpoints: RoutingTableEndpoints(static: endpoints),
            schema: description.schema, batching: batching)
        return RoutingTable(services: [ServiceRoute(name: description.service, versions: [version], auth: auth, rateLimit: rateLimit)])
    }

    private var displayHost: String {
        switch host {
        case "0.0.0.0", "::", "": "127.0.0.1"
        case let h where h.contains(":"): "[\(h)]"
        default: host
        }
    }

    /// Polls every worker's gRPC health (through the gateway's own engine connections) until all
    /// report SERVING: announcing "ready" with one worker still loading would send the first
    /// requests to a worker that answers "engine is still loading".
    private func waitReady(gateway: Gateway) async -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + startupTimeout
        var healthy = 0
        var total = 0
        while clock.now < deadline && !Task.isCancelled {
            let engines = gateway.state.services.values.flatMap { $0.versions.flatMap { $0.endpoints.engines } }
            total = engines.count
            healthy = await withTaskGroup(of: Bool.self) { group in
                for (_, engine) in engines { group.addTask { await engine.checkHealth(timeout: .seconds(1)) } }
                var count = 0
                for await ok in group where ok { count += 1 }
                return count
            }
            if total > 0 && healthy == total { return nil }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return "the engine workers did not become healthy within \(startupTimeout) (\(healthy) of \(total) healthy)"
    }

    /// The URL and a ready-made request, printed once everything is healthy.
    private func announce(url: String) {
        let sample = SampleRequest(app: app, description: description)
        say("ready: \(url)/v1/private/\(description.service)  (also /v1/infers, /v1/models, /v2/models; /openapi.json)")
        printLine("try:\n  \(sample.curl(base: url))")
        if let call = sample.athenaCall(base: url) { printLine("  \(call)") }
        let flag: String? = switch auth.mode {
        case .none: nil
        case .token: "--token T (or -H 'X-Auth-Token: T')"
        case .appcode: "--appcode C (or -H 'X-Apig-AppCode: C')"
        case .hmac: "--hmac KEY:SECRET"
        }
        if let flag {
            printLine("  (auth \(auth.mode.rawValue) is on: add \(flag) with a credential from \(auth.secretFile ?? ""))")
        }
    }

    /// Yields once standard input reaches end of file (read on a plain thread: it blocks); as a
    /// stream so that cancelling the waiting task does not wait for the read.
    private static func stdinClosed() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 256)
            while read(0, &buffer, buffer.count) > 0 {}
            continuation.yield()
            continuation.finish()
        }
        return stream
    }

    private func say(_ line: String) {
        printLine("athena: \(line)")
    }
}
