import AthenaAPI
import EngineProtocol
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging

/// An engine speaking `athena.engine.v1` over gRPC (HTTP/2, plaintext on the pod network).
///
/// One long-lived `GRPCClient` per endpoint: its connection is multiplexed by every request, so
/// a call costs one HTTP/2 stream, no connect. Calls use `waitForReady = false` so a dead engine
/// fails at once (and the dispatcher can retry elsewhere) instead of waiting out the deadline.
final class GRPCEngine: Engine {
    let endpoint: HostPort
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let connections: Task<Void, Never>

    init(endpoint: HostPort, logger: Logger) throws {
        self.endpoint = endpoint
        let transport = try HTTP2ClientTransport.Posix(
            target: .dns(host: endpoint.host, port: endpoint.port),
            transportSecurity: .plaintext,
            config: .defaults { config in
                config.backoff = .init(initial: .milliseconds(100), max: .seconds(2), multiplier: 1.6, jitter: 0.2)
                config.connection.maxIdleTime = .seconds(30 * 60)
            })
        let client = GRPCClient(transport: transport)
        self.client = client
        self.connections = Task {
            do { try await client.runConnections() } catch { logger.warning("gRPC client stopped", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"]) }
        }
    }

    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw EngineError(.timeout, "deadline passed before the call") }
        var message = Athena_Engine_V1_InferRequest()
        message.requestID = request.sid
        message.serviceID = request.service
        message.params = request.parameters
        message.headers = request.headers
        message.data = request.items.map(Self.frame)
        var options = CallOptions.defaults
        options.timeout = remaining
        options.waitForReady = false
        let response: Athena_Engine_V1_InferResponse
        do {
            response = try await Athena_Engine_V1_Engine.Client(wrapping: client).infer(message, options: options)
        } catch let error as RPCError {
            throw Self.classify(error)
        }
        return EngineResponse(code: Int(response.code), message: response.message.isEmpty && response.code == 0 ? "success" : response.message,
                              items: response.data.map(Self.item))
    }

    func checkHealth(timeout: Duration) async -> Bool {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        let reply = try? await Grpc_Health_V1_Health.Client(wrapping: client).check(Grpc_Health_V1_HealthCheckRequest(), options: options)
        return reply?.status == .serving
    }

    func shutdown() async {
        client.beginGracefulShutdown()
        await connections.value
    }

    // MARK: - Conversion

    static func frame(_ item: EngineItem) -> Athena_Engine_V1_GeneralData {
        var frame = Athena_Engine_V1_GeneralData()
        frame.dataID = item.dataID
        frame.frameID = item.frameID
        frame.dataType = Athena_Engine_V1_GeneralData.DataType(rawValue: item.kind.rawValue) ?? .text
        frame.status = Athena_Engine_V1_GeneralData.DataStatus(rawValue: item.status.rawValue) ?? .once
        frame.descArgs = item.descArgs
        frame.data = item.data
        return frame
    }

    static func item(_ frame: Athena_Engine_V1_GeneralData) -> EngineItem {
        EngineItem(
            dataID: frame.dataID, frameID: frame.frameID,
            kind: EngineItem.Kind(rawValue: frame.dataType.rawValue) ?? .text,
            status: EngineItem.Status(rawValue: frame.status.rawValue) ?? .once,
            descArgs: frame.descArgs, data: frame.data)
    }

    /// `unavailable` before a stream existed means the engine was never reached (retryable);
    /// a stream closed under us means it may have run the request.
    static func classify(_ error: RPCError) -> EngineError {
        switch error.code {
        case .deadlineExceeded:
            return EngineError(.timeout, error.message)
        case .unavailable:
            let reached = error.message.contains("Stream unexpectedly closed") || error.message == "connection closed"
            return EngineError(reached ? .transport : .unreachable, "\(error.message)\(error.cause.map { " (\($0))" } ?? "")")
        case .unimplemented:
            return EngineError(.unsupported, "engine does not implement athena.engine.v1: \(error.message)")
        case .cancelled:
            return EngineError(.transport, "call cancelled: \(error.message)")
        default:
            return EngineError(.badResponse, "gRPC \(error.code): \(error.message)")
        }
    }
}
