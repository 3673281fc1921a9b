import AthenaAPI
import Logging

/// Sends an engine request to a version's endpoints: picks one, calls it, records the outcome,
/// and retries once on another endpoint only when the request never reached an engine.
struct Dispatcher: Sendable {
    let metrics: GatewayMetrics

    func call(
        _ request: EngineRequest, service: ServiceRuntime, version: VersionRuntime, hashKey: String?,
        deadline: ContinuousClock.Instant
    ) async throws -> EngineResponse {
        var excluded: HostPort?
        for attempt in 0..<2 {
            let lease = try await version.endpoints.acquire(hashKey: hashKey, excluding: excluded, deadline: deadline)
            do {
                let response = try await lease.engine.infer(request, deadline: deadline)
                version.endpoints.release(lease, outcome: .success)
                // A loading engine did not run the request: like an unreached one, try another.
                if response.code == EngineCodeRange.notReady, attempt == 0, ContinuousClock.now < deadline,
                    version.endpoints.hasEndpoint(otherThan: lease.address)
                {
                    excluded = lease.address
                    continue
                }
                return response
            } catch let error as EngineError {
                metrics.upstreamError(service: service.name, version: version.name, kind: "\(error.kind)")
                let (outcome, failure) = Self.verdict(error, address: lease.address, service: service)
                version.endpoints.release(lease, outcome: outcome)
                if error.kind == .unreachable, attempt == 0, ContinuousClock.now < deadline,
                    version.endpoints.hasEndpoint(otherThan: lease.address)
                {
                    excluded = lease.address
                    continue
                }
                throw failure
            } catch {
                version.endpoints.release(lease, outcome: .neutral)
                if error is CancellationError || Task.isCancelled {
                    throw GatewayError(.timeout, "request cancelled")
                }
                throw GatewayError(.internalError, "engine call failed: \(error)")
            }
        }
        throw GatewayError(.engineUnreachable, "no engine endpoint could be reached")
    }

    /// The call without a task (see ``ImmediateEngine``): when an endpoint is free now and its
    /// engine can start at once, starts the call and returns `true`; `completion` then runs on
    /// this event loop with the engine's response, the error to answer with, or `nil` — the
    /// request did not reach an engine, or reached one still loading while another endpoint
    /// exists, and may go again: the caller takes the async path (``call(_:service:version:hashKey:deadline:)``), which also
    /// waits for a slot, connects and retries. `false`, having done nothing, otherwise.
    func callNow(
        _ request: EngineRequest, service: ServiceRuntime, version: VersionRuntime, hashKey: String?,
        deadline: ContinuousClock.Instant, completion: @escaping @Sendable (Result<EngineResponse, GatewayError>?) -> Void
    ) -> Bool {
        guard let lease = version.endpoints.tryAcquire(hashKey: hashKey) else { return false }
        guard let engine = lease.immediate else {
            version.endpoints.release(lease, outcome: .neutral)
            return false
        }
        let metrics = self.metrics
        let started = engine.inferNow(request, deadline: deadline) { outcome in
            switch outcome {
            case .answered(let response):
                version.endpoints.release(lease, outcome: .success)
                let retry = response.code == EngineCodeRange.notReady && version.endpoints.hasEndpoint(otherThan: lease.address)
                completion(retry ? nil : .success(response))
            case .notSent:
                version.endpoints.release(lease, outcome: .neutral)
                completion(nil)
            case .failed(let error):
                metrics.upstreamError(service: service.name, version: version.name, kind: "\(error.kind)")
                let (health, failure) = Self.verdict(error, address: lease.address, service: service)
                version.endpoints.release(lease, outcome: health)
                completion(error.kind == .unreachable ? nil : .failure(failure))
            }
        }
        if !started { version.endpoints.release(lease, outcome: .neutral) }
        return started
    }

    /// Opens a streaming session on one of a version's endpoints, picked like a call's. The
    /// session does not hold the endpoint's slot while it runs (a long session would starve once
    /// requests): the slot is taken to pick and open, then given back. Retried once on another
    /// endpoint when the engine could not be reached. `EngineError(.unsupported)` (an engine
    /// without sessions) is thrown as is: the front-end decides what to do without sessions.
    func openSession(
        _ request: EngineRequest, service: ServiceRuntime, version: VersionRuntime, hashKey: String?,
        deadline: ContinuousClock.Instant
    ) async throws -> any EngineSession {
        var excluded: HostPort?
        for attempt in 0..<2 {
            let lease = try await version.endpoints.acquire(hashKey: hashKey, excluding: excluded, deadline: deadline)
            do {
                let session = try await lease.engine.openSession(request, deadline: deadline)
                version.endpoints.release(lease, outcome: .success)
                return session
            } catch let error as EngineError {
                if error.kind == .unsupported {
                    version.endpoints.release(lease, outcome: .neutral)
                    throw error
                }
                metrics.upstreamError(service: service.name, version: version.name, kind: "\(error.kind)")
                let (outcome, failure) = Self.verdict(error, address: lease.address, service: service)
                version.endpoints.release(lease, outcome: outcome)
                if error.kind == .unreachable, attempt == 0, version.endpoints.hasEndpoint(otherThan: lease.address) {
                    excluded = lease.address
                    continue
                }
                throw failure
            } catch {
                version.endpoints.release(lease, outcome: .neutral)
                throw GatewayError(.internalError, "opening a session failed: \(error)")
            }
        }
        throw GatewayError(.engineUnreachable, "no engine endpoint could be reached")
    }

    /// What an engine failure says about the endpoint's health, and the error the client gets.
    static func verdict(_ error: EngineError, address: HostPort, service: ServiceRuntime) -> (EndpointSet.Outcome, GatewayError) {
        switch error.kind {
        case .unreachable:
            (.failure, GatewayError(.engineUnreachable, "engine \(address) unreachable: \(error.message)"))
        case .transport:
            (.failure, GatewayError(.engineUnreachable, "connection to engine \(address) lost: \(error.message)"))
        case .timeout:
            (.neutral, GatewayError(.timeout, "engine did not answer within \(service.route.limits.timeoutSeconds) s"))
        case .badResponse, .unsupported:
            (.neutral, GatewayError(.engineError, "engine \(address): \(error.message)"))
        }
    }
}
