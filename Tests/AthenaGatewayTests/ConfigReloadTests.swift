import AthenaAPI
@testable import AthenaGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@Suite("Routing-table file: YAML/JSON, defaults, hot reload, bad file kept")
struct ConfigReloadTests {
    static let yaml = """
        apiVersion: athena.dev/routing/v1
        services:
          - name: digits
            versions:
              - name: v1
                endpoints:
                  static: ["127.0.0.1:50051"]
        """

    @Test func yamlWithDefaults() throws {
        let table = try RoutingTableLoader.decode(Data(Self.yaml.utf8))
        let service = try #require(table.service(named: "digits"))
        #expect(service.limits.maxBodyBytes == 12 * 1024 * 1024)
        #expect(service.limits.timeoutSeconds == 40)
        #expect(service.loadBalancing.policy == .leastInflight)
        #expect(service.versions[0].protocol == .grpc)
        #expect(service.versions[0].weight == 100)
        #expect(table.problems().isEmpty)
    }

    @Test("batching: defaults when absent, read when given, left out of the file when default")
    func batching() throws {
        let absent = try RoutingTableLoader.decode(Data(Self.yaml.utf8))
        #expect(absent.services[0].versions[0].batching == EngineBatching(maxBatchSize: 32, maxCallsInFlight: 1))
        #expect(!String(decoding: try JSONEncoder().encode(absent), as: UTF8.self).contains("batching"))
        let yaml = "apiVersion: athena.dev/routing/v1\nservices:\n  - name: a\n    versions:\n      - name: v1\n        endpoints: {static: [\"a:1\"]}\n        batching: {maxBatchSize: 1}"
        let off = try RoutingTableLoader.decode(Data(yaml.utf8))
        #expect(off.services[0].versions[0].batching == EngineBatching(maxBatchSize: 1, maxCallsInFlight: 1))
        #expect(!off.services[0].versions[0].batching.enabled)
        #expect(off.problems().isEmpty)
        #expect(try RoutingTableLoader.decode(JSONEncoder().encode(off)) == off)
        let held = try RoutingTableLoader.decode(Data(yaml.replacingOccurrences(of: "{maxBatchSize: 1}", with: "{maxDelayMicroseconds: 250}").utf8))
        #expect(held.services[0].versions[0].batching == EngineBatching(maxBatchSize: 32, maxCallsInFlight: 1, maxDelayMicroseconds: 250))
        let tooLong = try RoutingTableLoader.decode(Data(yaml.replacingOccurrences(of: "{maxBatchSize: 1}", with: "{maxDelayMicroseconds: 2000000}").utf8))
        #expect(tooLong.problems().contains { $0.contains("maxDelayMicroseconds") })
    }

    @Test func jsonRoundTrip() throws {
        let table = Fixtures.table()
        let data = try JSONEncoder().encode(table)
        #expect(try RoutingTableLoader.decode(data) == table)
    }

    @Test("semantic problems name the field", arguments: [
        ("apiVersion: athena.dev/routing/v9\nservices: []", "apiVersion: expected athena.dev/routing/v1, got athena.dev/routing/v9"),
        ("apiVersion: athena.dev/routing/v1\nservices:\n  - name: a\n    versions:\n      - name: v1\n        endpoints: {static: [\"nohost\"]}", "services[0].versions[0].endpoints.static[0]: expected host:port, got nohost"),
        ("apiVersion: athena.dev/routing/v1\nservices:\n  - name: a\n    versions:\n      - name: v1\n        endpoints: {}", "services[0].versions[0].endpoints: set static or dns"),
        ("apiVersion: athena.dev/routing/v1\nservices:\n  - name: a\n    versions:\n      - name: v1\n        endpoints: {static: [\"a:1\"]}\n        batching: {maxBatchSize: 0}", "services[0].versions[0].batching.maxBatchSize: must be 1...1024"),
        ("apiVersion: athena.dev/routing/v1\nservices:\n  - name: a\n    versions:\n      - name: v1\n        endpoints: {static: [\"a:1\"]}\n        batching: {maxCallsInFlight: 0}", "services[0].versions[0].batching.maxCallsInFlight: must be 1...256"),
    ])
    func problems(yaml: String, problem: String) throws {
        let table = try RoutingTableLoader.decode(Data(yaml.utf8))
        #expect(table.problems().contains(problem))
    }

    @Test func decodeErrorNamesThePath() throws {
        let yaml = "apiVersion: athena.dev/routing/v1\nservices:\n  - name: a\n    versions:\n      - name: v1\n        weight: lots\n        endpoints: {static: [\"a:1\"]}"
        #expect(throws: RoutingTableLoadError.self) { try RoutingTableLoader.decode(Data(yaml.utf8)) }
        do { _ = try RoutingTableLoader.decode(Data(yaml.utf8)) } catch {
            #expect("\(error)".contains("services[0].versions[0].weight"))
        }
    }

    @Test("file changes are picked up; a bad file keeps the last good table and says why")
    func hotReload() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("athena-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("routing.yaml").path
        try Self.yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let factory = FakeEngineFactory()
        let gateway = try Gateway(configFile: file, options: GatewayOptions(port: 0, engineFactory: factory, reloadInterval: .milliseconds(50)))
        try await gateway.makeApplication().test(.router) { client in
            #expect(try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody()).status == .ok)
            #expect(try await client.execute(uri: "/v1/private/iris", method: .post, body: Fixtures.aseBody()).status == .notFound)

            let two = Self.yaml + "\n  - name: iris\n    versions:\n      - name: v1\n        endpoints: {static: [\"127.0.0.1:50052\"]}\n"
            try two.write(toFile: file, atomically: true, encoding: .utf8)
            try await poll { try await client.execute(uri: "/v1/private/iris", method: .post, body: Fixtures.aseBody()).status == .ok }

            try "services: [ this is : not valid".write(toFile: file, atomically: true, encoding: .utf8)
            try await poll { try Fixtures.json(try await client.execute(uri: "/healthz", method: .get))[path: ["config", "valid"]] == false }
            let health = try Fixtures.json(try await client.execute(uri: "/healthz", method: .get))
            #expect(health[path: ["config", "error"]]?.stringValue?.contains("routing.yaml") == true)
            #expect(try await client.execute(uri: "/v1/private/iris", method: .post, body: Fixtures.aseBody()).status == .ok)

            try Self.yaml.write(toFile: file, atomically: true, encoding: .utf8)
            try await poll { try await client.execute(uri: "/v1/private/iris", method: .post, body: Fixtures.aseBody()).status == .notFound }
            #expect(try Fixtures.json(try await client.execute(uri: "/healthz", method: .get))[path: ["config", "valid"]] == true)
        }
    }

    @Test func badFirstFileRefusesToStart() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("athena-gw-bad-\(UUID().uuidString).yaml").path
        try "apiVersion: nope\nservices: []".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(throws: RoutingTableLoadError.self) { try Gateway(configFile: file, options: GatewayOptions(port: 0, engineFactory: FakeEngineFactory())) }
    }

    @Test("update(table:) keeps engines of endpoints that stay")
    func updateKeepsEngines() throws {
        let factory = FakeEngineFactory()
        let gateway = try Fixtures.gateway(Fixtures.table(endpoints: ["10.0.0.1:1", "10.0.0.2:1"]), factory: factory)
        let before = try #require(gateway.state.services["digits"]?.versions.first?.endpoints)
        try gateway.update(table: Fixtures.table(endpoints: ["10.0.0.1:1", "10.0.0.3:1"], limits: .init(timeoutSeconds: 5)))
        let after = try #require(gateway.state.services["digits"]?.versions.first?.endpoints)
        #expect(before === after)
        #expect(after.snapshot().map(\.address.description) == ["10.0.0.1:1", "10.0.0.3:1"])
        #expect(throws: RoutingTableLoadError.self) { try gateway.update(table: RoutingTable(apiVersion: "x", services: [])) }
        #expect(gateway.state.table.services[0].limits.timeoutSeconds == 5)
    }
}

/// Polls `condition` every 50 ms for up to 10 s.
func poll(_ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within 10 s")
}
