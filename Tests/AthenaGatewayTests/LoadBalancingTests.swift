import AthenaAPI
@testable import AthenaGateway
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeModel
import NIOCore
import Testing

@Suite("Load balancing, passive health, retry and concurrency limits")
struct LoadBalancingTests {
    let addresses = ["10.0.0.1:9000", "10.0.0.2:9000", "10.0.0.3:9000"].compactMap(HostPort.init(parsing:))

    func endpointSet(_ balancing: RoutingTableLoadBalancing, maxConcurrency: Int = 0, factory: FakeEngineFactory = .init()) -> EndpointSet {
        let set = EndpointSet(balancing: balancing, maxConcurrency: maxConcurrency)
        set.setEndpoints(addresses) { FakeEngine(address: $0) }
        return set
    }

    var far: ContinuousClock.Instant { .now + .seconds(10) }

    @Test func roundRobinCyclesThroughEveryEndpoint() async throws {
        let set = endpointSet(.init(policy: .roundRobin))
        var picked: [HostPort] = []
        for _ in 0..<6 {
            let lease = try await set.acquire(hashKey: nil, deadline: far)
            picked.append(lease.address)
            set.release(lease, outcome: .success)
        }
        #expect(Set(picked.prefix(3)) == Set(addresses))
        #expect(Array(picked.prefix(3)) == Array(picked.suffix(3)))
    }

    @Test func leastInflightAvoidsBusyEndpoints() async throws {
        let set = endpointSet(.init(policy: .leastInflight))
        let a = try await set.acquire(hashKey: nil, deadline: far)
        let b = try await set.acquire(hashKey: nil, deadline: far)
        let c = try await set.acquire(hashKey: nil, deadline: far)
        #expect(Set([a.address, b.address, c.address]).count == 3)
        set.release(b, outcome: .success)
        let d = try await set.acquire(hashKey: nil, deadline: far)
        #expect(d.address == b.address)
    }

    @Test func consistentHashIsStableAndSpreads() async throws {
        let set = endpointSet(.init(policy: .consistentHash, header: "x-user"))
        var byKey: [String: HostPort] = [:]
        for i in 0..<60 {
            let lease = try await set.acquire(hashKey: "user-\(i)", deadline: far)
            byKey["user-\(i)"] = lease.address
            set.release(lease, outcome: .success)
        }
        for i in 0..<60 {
            let lease = try await set.acquire(hashKey: "user-\(i)", deadline: far)
            #expect(lease.address == byKey["user-\(i)"])
            set.release(lease, outcome: .success)
        }
        #expect(Set(byKey.values).count == 3)
    }

    @Test("eject after N consecutive failures, probe back after the cool-down")
    func ejectionAndProbeBack() async throws {
        let set = endpointSet(.init(policy: .roundRobin, failureThreshold: 2, ejectSeconds: 0.2))
        let bad = addresses[0]
        for _ in 0..<2 { set.release(EndpointSet.Lease(address: bad, engine: FakeEngine(address: bad)), outcome: .failure) }
        #expect(set.snapshot().first { $0.address == bad }?.ejected == true)
        for _ in 0..<9 {
            let lease = try await set.acquire(hashKey: nil, deadline: far)
            #expect(lease.address != bad)
            set.release(lease, outcome: .success)
        }
        // Poll (bounded) until the cool-down ends and the endpoint is picked again.
        var probed = false
        let deadline = ContinuousClock.now + .seconds(10)
        while !probed && ContinuousClock.now < deadline {
            let lease = try await set.acquire(hashKey: nil, deadline: far)
            probed = lease.address == bad
            set.release(lease, outcome: .success)
            if !probed { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(probed)
        #expect(set.snapshot().first { $0.address == bad }?.consecutiveFailures == 0)
    }

    @Test("all ejected: panic mode still tries them rather than refusing everything")
    func panicMode() async throws {
        let set = endpointSet(.init(failureThreshold: 1, ejectSeconds: 60))
        for address in addresses { set.release(EndpointSet.Lease(address: address, engine: FakeEngine(address: address)), outcome: .failure) }
        let lease = try await set.acquire(hashKey: nil, deadline: far)
        #expect(addresses.contains(lease.address))
    }

    @Test("retry once on another endpoint only when the request never reached an engine")
    func retryOnlyWhenUnreached() async throws {
        let factory = FakeEngineFactory()
        factory["10.0.0.1:9000"].set(.unreachable)
        let table = Fixtures.table(endpoints: ["10.0.0.1:9000", "10.0.0.2:9000"], balancing: .init(policy: .roundRobin))
        let app = try Fixtures.gateway(table, factory: factory).makeApplication()
        try await app.test(.router) { client in
            for _ in 0..<4 {
                let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
                #expect(response.status == .ok)
            }
            #expect(factory["10.0.0.2:9000"].calls.load(ordering: .relaxed) == 4)
            #expect(factory["10.0.0.1:9000"].calls.load(ordering: .relaxed) >= 1)

            // A failure after the request was sent is not retried.
            factory["10.0.0.1:9000"].set(.transportFailure)
            factory["10.0.0.2:9000"].set(.transportFailure)
            let before = factory["10.0.0.1:9000"].calls.load(ordering: .relaxed) + factory["10.0.0.2:9000"].calls.load(ordering: .relaxed)
            let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
            #expect(response.status == .badGateway)
            let after = factory["10.0.0.1:9000"].calls.load(ordering: .relaxed) + factory["10.0.0.2:9000"].calls.load(ordering: .relaxed)
            #expect(after - before == 1)
        }
    }

    @Test("per-endpoint concurrency limit: a bounded wait, then 503 with code 10503")
    func concurrencyLimit() async throws {
        // The first call holds the slot far longer than the 50 ms queue timeout, so the check holds
        // even when a loaded machine stalls the test between the two requests.
        let factory = FakeEngineFactory { _ in .slow(.seconds(3)) }
        let table = Fixtures.table(balancing: .init(queueTimeoutMilliseconds: 50), maxConcurrency: 1)
        let app = try Fixtures.gateway(table, factory: factory).makeApplication()
        // `.router` calls the responder directly, so the two requests really overlap (a live test
        // client pipelines them on one connection).
        try await app.test(.router) { client in
            async let first = client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
            // Wait (bounded) until the first request holds the only slot.
            let engine = factory["10.0.0.1:9000"]
            let deadline = ContinuousClock.now + .seconds(10)
            while engine.calls.load(ordering: .relaxed) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            let second = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
            #expect(second.status == .serviceUnavailable)
            #expect(try Fixtures.json(second)[path: ["header", "code"]] == 10503)
            #expect(try await first.status == .ok)
        }
    }

    @Test("a waiting request gets the slot when it frees within the queue timeout")
    func queuedRequestProceeds() async throws {
        let set = endpointSet(.init(queueTimeoutMilliseconds: 5000), maxConcurrency: 1)
        let held = try await (0..<3).asyncMap { _ in try await set.acquire(hashKey: nil, deadline: far) }
        async let waiting = set.acquire(hashKey: nil, deadline: far)
        try await Task.sleep(for: .milliseconds(20))
        set.release(held[1], outcome: .success)
        let lease = try await waiting
        #expect(lease.address == held[1].address)
    }

    @Test("weights split traffic between versions")
    func weightedVersions() throws {
        let table = RoutingTable(services: [ServiceRoute(name: "s", versions: [
            VersionRoute(name: "a", weight: 90, endpoints: .init(static: ["10.0.0.1:1"])),
            VersionRoute(name: "b", weight: 10, endpoints: .init(static: ["10.0.0.2:1"])),
        ])])
        let gateway = try Fixtures.gateway(table, factory: FakeEngineFactory())
        let service = try #require(gateway.state.services["s"])
        #expect(service.pickVersion(random: 0)?.name == "a")
        #expect(service.pickVersion(random: 89)?.name == "a")
        #expect(service.pickVersion(random: 90)?.name == "b")
        #expect(service.pickVersion(random: 99)?.name == "b")
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}

@Suite("Engines still loading")
struct LoadingEngineTests {
    @Test("code 30010 from one endpoint: retried on another; alone: 503 with the code")
    func loadingEngine() async throws {
        let factory = FakeEngineFactory()
        factory["10.0.0.1:9000"].set(.fail(code: 30010, message: "engine is still loading"))
        let table = Fixtures.table(endpoints: ["10.0.0.1:9000", "10.0.0.2:9000"], balancing: .init(policy: .roundRobin))
        try await Fixtures.gateway(table, factory: factory).makeApplication().test(.router) { client in
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
                #expect(response.status == .ok)
            }
        }
        try await Fixtures.gateway(Fixtures.table(endpoints: ["10.0.0.1:9000"]), factory: factory).makeApplication().test(.router) { client in
            let response = try await client.execute(uri: "/v1/private/digits", method: .post, body: Fixtures.aseBody())
            #expect(response.status == .serviceUnavailable)
            #expect(try Fixtures.json(response)[path: ["header", "code"]] == 30010)
        }
    }
}
