import AthenaAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AthenaGateway

/// ModelArts personalised routing: `#HEADER_…` rules pick a version before the weights do.
@Suite("Routing rules")
struct RoutingRuleRoutingTests {
    static func table(rules: [RoutingTableRule]) -> RoutingTable {
        RoutingTable(services: [ServiceRoute(name: "digits", versions: [
            VersionRoute(name: "stable", weight: 100, endpoints: .init(static: ["10.0.0.1:9000"])),
            VersionRoute(name: "canary", weight: 0, endpoints: .init(static: ["10.0.0.2:9000"])),
        ], rules: rules)])
    }

    @Test("the first matching rule wins; no match falls back to the weights")
    func firstMatchWins() throws {
        let table = Self.table(rules: [
            RoutingTableRule(match: "#HEADER_version == '0.0.2'", version: "canary"),
            RoutingTableRule(match: "#HEADER_uid.hashCode() % 100 < 100", version: "stable"),
        ])
        let gateway = try Fixtures.gateway(table, factory: FakeEngineFactory())
        let service = try #require(gateway.state.services["digits"])
        let canary = service.routeByRules { $0.lowercased() == "version" ? "0.0.2" : nil }?.version
        #expect(canary?.name == "canary")
        let stable = service.routeByRules { $0.lowercased() == "uid" ? "u-17" : nil }?.version
        #expect(stable?.name == "stable")
        #expect(service.routeByRules { _ in nil } == nil)
    }

    @Test("a request with the header reaches the canary, one without goes by weight")
    func throughTheRouter() async throws {
        let table = Self.table(rules: [RoutingTableRule(match: "#HEADER_version == '0.0.2'", version: "canary")])
        try await Fixtures.gateway(table, factory: FakeEngineFactory()).makeApplication().test(.router) { client in
            let tagged = try await client.execute(
                uri: "/v1/private/digits", method: .post, headers: [HTTPField.Name("version")!: "0.0.2"],
                body: Fixtures.aseBody())
            #expect(tagged.status == .ok)
            #expect(tagged.headers[HTTPField.Name("x-athena-version")!] == "canary")
            let plain = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
            #expect(plain.status == .ok)
            #expect(plain.headers[HTTPField.Name("x-athena-version")!] == "stable")
        }
    }

    @Test("a matching rule's setHeaders reach the engine (lower-case names), over the client's own value")
    func setHeadersInjected() async throws {
        let table = Self.table(rules: [RoutingTableRule(
            match: "#HEADER_uid == 'zhangsan'", version: "canary", setHeaders: ["Run-Config": "A", "x-tier": "gold"])])
        let factory = FakeEngineFactory()
        try await Fixtures.gateway(table, factory: factory).makeApplication().test(.router) { client in
            let matched = try await client.execute(
                uri: "/v1/private/digits", method: .post,
                headers: [HTTPField.Name("uid")!: "zhangsan", HTTPField.Name("x-tier")!: "free"], body: Fixtures.aseBody())
            #expect(matched.status == .ok)
            let sent = try #require(factory["10.0.0.2:9000"].lastRequest.withLock { $0 })
            #expect(sent.headers["run-config"] == "A")
            #expect(sent.headers["x-tier"] == "gold")
            #expect(sent.ruleHeaders == ["run-config": "A", "x-tier": "gold"])

            let other = try await client.execute(
                uri: "/v1/private/digits", method: .post, headers: [HTTPField.Name("uid")!: "lisi"], body: Fixtures.aseBody())
            #expect(other.status == .ok)
            let plain = try #require(factory["10.0.0.1:9000"].lastRequest.withLock { $0 })
            #expect(plain.headers["run-config"] == nil)
            #expect(plain.ruleHeaders.isEmpty)
        }
    }

    @Test("setHeaders that could not be sent make the table invalid")
    func badSetHeaders() {
        let table = Self.table(rules: [RoutingTableRule(match: "#HEADER_uid == 'a'", version: "canary",
                                                        setHeaders: ["bad name": "1", "x-ok": "line\r\nbreak"])])
        let problems = table.problems()
        #expect(problems.contains { $0.contains("rules[0].setHeaders.bad name") }, "\(problems)")
        #expect(problems.contains { $0.contains("rules[0].setHeaders.x-ok: must not contain line breaks") }, "\(problems)")
    }

    @Test("a rule that does not parse makes the table invalid, naming the rule and column")
    func badRuleRejected() throws {
        let table = Self.table(rules: [RoutingTableRule(match: "#HEADER_version = '1'", version: "canary")])
        let problems = table.problems()
        #expect(problems.contains { $0.contains("services[0].rules[0].match") && $0.contains("column") }, "\(problems)")
        #expect(throws: (any Error).self) { try Fixtures.gateway(table, factory: FakeEngineFactory()) }
    }
}
