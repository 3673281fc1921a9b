import AthenaGateway

// Before anything else starts a task: Swift concurrency on NIO's event loops, few malloc arenas.
GatewayProcess.tune()

do {
    let command = try AthenaGatewayCommand.parse()
    try await command.serve()
} catch {
    AthenaGatewayCommand.exit(withError: error)
}
