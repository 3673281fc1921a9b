import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

/// Runs a grpc-swift server with `services` on an ephemeral 127.0.0.1 port for the duration of
/// `body`, then shuts it down gracefully (also when `body` throws). The gateway's own gRPC client
/// is checked against this independent implementation of the protocol.
func withGRPCServer(
    _ services: [any RegistrableRPCService], _ body: @Sendable (Int) async throws -> Void
) async throws {
    let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
    let server = GRPCServer(transport: transport, services: services)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.serve() }
        let port = try #require(try await transport.listeningAddress.ipv4?.port)
        do {
            try await body(port)
        } catch {
            server.beginGracefulShutdown()
            throw error
        }
        server.beginGracefulShutdown()
        try await group.waitForAll()
    }
}
