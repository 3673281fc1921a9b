import AthenaAPI
@testable import AthenaGateway
import Foundation
import Synchronization

/// An in-memory engine whose behaviour a test sets; counts calls and in-flight requests.
final class FakeEngine: Engine {
    enum Behavior: Sendable {
        /// Answers with the request items, each tagged with `endpoint` and the parameters.
        case echo
        /// Answers with these items.
        case respond([EngineItem])
        /// Answers with a wrapper error code.
        case fail(code: Int, message: String)
        /// Never reached (connect refused).
        case unreachable
        /// Connection breaks after the request was sent.
        case transportFailure
        /// Echoes after a delay (honouring the deadline like a real client).
        case slow(Duration)
    }

    let address: HostPort
    let behavior: Mutex<Behavior>
    let healthy = Mutex(true)
    let calls = Atomic<Int>(0)
    let lastRequest = Mutex<EngineRequest?>(nil)

    init(address: HostPort, behavior: Behavior = .echo) {
        self.address = address
        self.behavior = Mutex(behavior)
    }

    func set(_ behavior: Behavior) { self.behavior.withLock { $0 = behavior } }

    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        calls.add(1, ordering: .relaxed)
        lastRequest.withLock { $0 = request }
        switch behavior.withLock({ $0 }) {
        case .echo:
            return echo(request)
        case .respond(let items):
            return EngineResponse(items: items)
        case .fail(let code, let message):
            return EngineResponse(code: code, message: message, items: [])
        case .unreachable:
            throw EngineError(.unreachable, "connection refused")
        case .transportFailure:
            throw EngineError(.transport, "connection reset by peer")
        case .slow(let delay):
            let until = ContinuousClock.now + delay
            if until > deadline {
                try await Task.sleep(until: deadline, clock: .continuous)
                throw EngineError(.timeout, "deadline exceeded")
            }
            try await Task.sleep(until: until, clock: .continuous)
            return echo(request)
        }
    }

    private func echo(_ request: EngineRequest) -> EngineResponse {
        EngineResponse(items: request.items.map { item in
            var item = item
            item.descArgs["endpoint"] = address.description
            return item
        })
    }

    func checkHealth(timeout: Duration) async -> Bool { healthy.withLock { $0 } }
}

/// Hands out one `FakeEngine` per address and remembers them so tests can steer each.
final class FakeEngineFactory: EngineFactory {
    let engines = Mutex<[HostPort: FakeEngine]>([:])
    let initial: @Sendable (HostPort) -> FakeEngine.Behavior

    init(initial: @escaping @Sendable (HostPort) -> FakeEngine.Behavior = { _ in .echo }) {
        self.initial = initial
    }

    func makeEngine(endpoint: HostPort, version: VersionRoute) throws -> any Engine {
        engines.withLock { engines in
            if let engine = engines[endpoint] { return engine }
            let engine = FakeEngine(address: endpoint, behavior: initial(endpoint))
            engines[endpoint] = engine
            return engine
        }
    }

    subscript(_ address: String) -> FakeEngine {
        let key = HostPort(parsing: address)!
        return engines.withLock { engines in
            if let engine = engines[key] { return engine }
            let engine = FakeEngine(address: key, behavior: initial(key))
            engines[key] = engine
            return engine
        }
    }
}
