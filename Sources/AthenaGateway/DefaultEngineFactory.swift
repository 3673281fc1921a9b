import AthenaAPI
import Logging

/// The real engines: gRPC (`athena.engine.v1`) or plain HTTP per the version's `protocol`.
struct DefaultEngineFactory: EngineFactory {
    let logger: Logger

    func makeEngine(endpoint: HostPort, version: VersionRoute) throws -> any Engine {
        switch version.protocol {
        case .http:
            return HTTPEngine(endpoint: endpoint, shape: version.http ?? HTTPEngineShape())
        case .grpc:
            return try GRPCEngine(endpoint: endpoint, logger: logger, batching: version.batching)
        }
    }
}
