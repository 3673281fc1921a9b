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
                    version.endpoints.snapshot().contains(where: { $0.address != lease.address })
                {
                    excluded = lease.address
                    continue
                }
                return response
            } catch let error as EngineError {
                metrics.upstreamError(service: service.name, version: version.name, kind: "\(error.kind)")
                switch error.kind {
                case .unreachable:
                    version.endpoints.release(lease, outcome: .failure)
                    let others = version.endpoints.snapshot().contains { $0.address != lease.address }
                    if attempt == 0 && others && ContinuousClock.now < deadline {
                        excluded = lease.address
                        continue
                    }
                    throw GatewayError(.engineUnreachable, "engine \(lease.address) unreachable: \(error.message)")
                case .transport:
                    version.endpoints.release(lease, outcome: .failure)
                    throw GatewayError(.engineUnreachable, "connection to engine \(lease.address) lost: \(error.message)")
                case .timeout:
                    version.endpoints.release(lease, outcome: .neutral)
                    throw GatewayError(.timeout, "engine did not answer within \(service.route.limits.timeoutSeconds) s")
                case .badResponse, .unsupported:
                    version.endpoints.release(lease, outcome: .neutral)
                    throw GatewayError(.engineError, "engine \(lease.address): \(error.message)")
                }
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
}
