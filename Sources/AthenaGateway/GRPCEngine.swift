import AthenaAPI
import Logging

/// An engine speaking `athena.engine.v1` over gRPC (filled in once EngineProtocol's generated
/// client lands).
struct GRPCEngine: Engine {
    let endpoint: HostPort

    init(endpoint: HostPort, logger: Logger) throws {
        self.endpoint = endpoint
    }

    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        throw EngineError(.unreachable, "gRPC engine client not available yet")
    }

    func checkHealth(timeout: Duration) async -> Bool { false }
}
