import AthenaAPI
import Metrics
import NIOCore
import Synchronization

/// Adaptive batching of once requests to one engine endpoint (`EngineBatching` in the routing
/// table says how much).
///
/// Why: an engine's per-call overhead can be as large as the model's work (grpcio in the Python
/// SDK costs a few hundred µs of CPU per call, about what the digits model needs for its
/// inference), and each call is also a HEADERS + DATA + trailers round on the gateway's side.
/// While the engine is busy, requests would wait anyway; sending them together costs them
/// nothing and saves the engine one call per request.
///
/// How: up to `maxCallsInFlight` calls may be in flight. A request that finds a free slot goes
/// out at once, alone (an idle engine sees no added latency, nor any batch). One that finds
/// every slot taken waits in a queue. When a call finishes, its slot passes to the oldest
/// waiter, which leads the next call and takes up to `maxBatchSize - 1` more waiters with it: no
/// timer, no extra task — the leader's own request task makes the call and answers the others.
/// An engine that answers `InferBatch` with UNIMPLEMENTED turns batching off for good: the
/// waiters then call alone, and nobody waits for a slot again.
///
/// A batch goes out with the earliest deadline of its requests (requests of one service share
/// one timeout, so they differ by their arrival times only); waiters whose deadline passed in the
/// queue are answered with a timeout instead of being sent.
final class InferBatcher: Sendable {
    /// Sends requests in one call: one request as `Infer`, several as `InferBatch`; returns one
    /// response per request, in order.
    typealias Send = @Sendable (_ requests: [EngineRequest], _ deadline: ContinuousClock.Instant) async throws -> [EngineResponse]

    private struct Waiter: Sendable {
        let request: EngineRequest
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Turn, Never>
    }

    /// What a waiter is woken up with.
    private enum Turn: Sendable {
        /// Its request went out in someone else's batch; here is its outcome.
        case answered(Result<EngineResponse, any Error>)
        /// It holds a call slot now: send its request and these with it.
        case lead([Waiter])
        /// Batching was turned off: call alone.
        case alone
    }

    private struct State {
        var inFlight = 0
        var queue = CircularBuffer<Waiter>()
        var supported = true
    }

    let maxBatchSize: Int
    let maxCallsInFlight: Int
    private let send: Send
    private let state = Mutex(State())
    /// Calls made and requests they carried (for metrics and tests).
    private let counts = Mutex((calls: 0, requests: 0))
    /// `athena_gateway_engine_batches_total` / `…_batched_requests_total` for this endpoint.
    private let batchesMetric: Counter
    private let batchedRequestsMetric: Counter

    init(_ configuration: EngineBatching, endpoint: String = "", send: @escaping Send) {
        self.maxBatchSize = max(1, configuration.maxBatchSize)
        self.maxCallsInFlight = max(1, configuration.maxCallsInFlight)
        self.send = send
        self.batchesMetric = Counter(label: "athena_gateway_engine_batches_total", dimensions: [("endpoint", endpoint)])
        self.batchedRequestsMetric = Counter(label: "athena_gateway_engine_batched_requests_total", dimensions: [("endpoint", endpoint)])
        if !configuration.enabled { state.withLock { $0.supported = false } }
    }

    /// Whether batching is still on (off when configured so or refused by the engine).
    var isEnabled: Bool { state.withLock { $0.supported } }

    /// (calls sent, requests they carried) so far, counting batched calls only.
    var batchedCounts: (calls: Int, requests: Int) { counts.withLock { $0 } }

    /// Requests waiting for a call slot right now (tests).
    var waiting: Int { state.withLock { $0.queue.count } }

    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        let slot = state.withLock { state -> Bool? in
            guard state.supported else { return nil }
            guard state.inFlight < maxCallsInFlight else { return false }
            state.inFlight += 1
            return true
        }
        switch slot {
        case nil:
            return try await alone(request, deadline: deadline)
        case true?:
            return try await lead(request, deadline: deadline, with: [])
        case false?:
            let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
                let now = state.withLock { state -> Turn? in
                    guard state.supported else { return .alone }
                    if state.inFlight < maxCallsInFlight {  // a slot freed in between
                        state.inFlight += 1
                        return .lead([])
                    }
                    state.queue.append(Waiter(request: request, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
            switch turn {
            case .answered(let result): return try result.get()
            case .lead(let others): return try await lead(request, deadline: deadline, with: others)
            case .alone: return try await alone(request, deadline: deadline)
            }
        }
    }

    /// A call outside batching: no slot is held.
    private func alone(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        guard let response = try await send([request], deadline).first else {
            throw EngineError(.badResponse, "engine sent no response")
        }
        return response
    }

    /// Holds a slot: sends `request` with `others`, answers them, then passes the slot on.
    private func lead(_ request: EngineRequest, deadline: ContinuousClock.Instant, with others: [Waiter]) async throws -> EngineResponse {
        let mine: Result<EngineResponse, any Error>
        if others.isEmpty {
            do { mine = .success(try await alone(request, deadline: deadline)) } catch { mine = .failure(error) }
        } else {
            let requests = [request] + others.map(\.request)
            let earliest = others.reduce(deadline) { min($0, $1.deadline) }
            counts.withLock { $0.calls += 1; $0.requests += requests.count }
            batchesMetric.increment()
            batchedRequestsMetric.increment(by: requests.count)
            do {
                let responses = try await send(requests, earliest)
                guard responses.count == requests.count else {
                    throw EngineError(.badResponse, "InferBatch answered \(responses.count) responses to \(requests.count) requests")
                }
                mine = .success(responses[0])
                for (waiter, response) in zip(others, responses.dropFirst()) {
                    waiter.continuation.resume(returning: .answered(.success(response)))
                }
            } catch let error as EngineError where error.kind == .unsupported {
                // UNIMPLEMENTED: the engine ran none of them. Everyone calls alone from now on.
                state.withLock { $0.supported = false }
                for waiter in others { waiter.continuation.resume(returning: .alone) }
                do { mine = .success(try await alone(request, deadline: deadline)) } catch { mine = .failure(error) }
            } catch {
                mine = .failure(error)
                for waiter in others { waiter.continuation.resume(returning: .answered(.failure(error))) }
            }
        }
        passSlotOn()
        return try mine.get()
    }

    /// The finished call's slot goes to the oldest live waiter, with a batch behind it; with
    /// nobody waiting it is freed. With batching off, every waiter is released to call alone.
    private func passSlotOn() {
        let now = ContinuousClock.now
        let (leader, batch, expired, released) = state.withLock { state -> (Waiter?, [Waiter], [Waiter], [Waiter]) in
            guard state.supported else {
                let all = Array(state.queue)
                state.queue.removeAll()
                state.inFlight -= 1
                return (nil, [], [], all)
            }
            var expired: [Waiter] = []
            var leader: Waiter?
            var batch: [Waiter] = []
            while let waiter = state.queue.popFirst() {
                if waiter.deadline <= now {
                    expired.append(waiter)
                } else if leader == nil {
                    leader = waiter
                } else {
                    batch.append(waiter)
                    if batch.count == maxBatchSize - 1 { break }
                }
            }
            if leader == nil { state.inFlight -= 1 }
            return (leader, batch, expired, [])
        }
        for waiter in expired {
            waiter.continuation.resume(returning: .answered(.failure(EngineError(.timeout, "deadline passed while waiting for the engine"))))
        }
        for waiter in released { waiter.continuation.resume(returning: .alone) }
        leader?.continuation.resume(returning: .lead(batch))
    }
}
