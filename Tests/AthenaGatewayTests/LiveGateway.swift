@testable import AthenaGateway
import AthenaAPI
import Synchronization

/// Runs a gateway for `table` on a real socket (an ephemeral 127.0.0.1 port) for the duration of
/// `body`, which gets the gateway and a keep-alive client to it; both are stopped afterwards.
func withLiveGateway(_ table: RoutingTable, _ body: @escaping @Sendable (Gateway, HTTPConnectionPool) async throws -> Void) async throws {
    let port = Mutex(0)
    let gateway = try Gateway(table: table, options: GatewayOptions(port: 0, onServerRunning: { bound in port.withLock { $0 = bound } }))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await gateway.run() }
        try await poll { port.withLock { $0 } != 0 }
        defer { group.cancelAll() }
        let client = HTTPConnectionPool(host: "127.0.0.1", port: port.withLock { $0 })
        defer { client.shutdown() }
        try await body(gateway, client)
    }
}
