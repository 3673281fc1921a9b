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
/// waiter, which leads the next call and takes up to `maxBatchSize - 1` more waiters with it.
/// All of it is callbacks (`submit`): no task of its own, and a request that came without one
/// (the gateway's immediate path) never needs one; `infer` is the async form over it.
/// An engine that answers `InferBatch` with UNIMPLEMENTED turns batching off for good: the
/// waiters then call alone, and nobody waits for a slot again.
///
/// Holding a freed slot: when a call that carried a batch of k ends and fewer than (waiting + k)
/// requests wait, the slot is kept — not freed, not passed on — until that many wait, or for at
/// most `maxDelayMicroseconds` (an event-loop timer) and the longer of half the call's own
/// duration and 1.5 times the time its clients have lately taken to come back. Without it, the
/// k clients just answered come back one after another: the first finds the slot free and goes
/// out alone, the rest queue behind it, and a closed loop of clients stays split into
/// alternating small batches (with 8 clients on 2 digits workers: batches of 2, each paying the
/// engine's whole per-call cost). Held, they go out together. The wait is only ever taken after
/// a batch, so a lone client never waits.
///
/// Why the clients' return time and not only the call's: for a fast engine half a call (40 µs
/// for a no-op one) is shorter than a client's round trip (wake-up, read, next request, parse:
/// 100–300 µs on one host), so the hold always timed out, the batch split in two and each half
/// waited for the other's call: 8 clients on the no-op engine went from 21,400 to 22,300 req/s,
/// from 657 to 566 µs at p99 and from 37.1 to 34.5 µs of gateway CPU per request (medians of five
/// alternating rounds). The estimate (`State.returnTime`) jumps up to a hold that filled later
/// than it and creeps down (1/8 of the gap) to one that filled sooner; a hold that times out
/// halves it, so clients that stop coming back (open-loop traffic) cost the others less and
/// less, and the call's own half is the floor again.
///
/// A batch goes out with the earliest deadline of its requests (requests of one service share
/// one timeout, so they differ by their arrival times only); waiters whose deadline passed in the
/// queue are answered with a timeout instead of being sent.
final class InferBatcher: Sendable {
    /// Sends requests in one call: one request as `Infer`, several as `InferBatch`; completes once
    /// with one response per request, in order.
    typealias Send = @Sendable (
        _ requests: [EngineRequest], _ deadline: ContinuousClock.Instant,
        _ completion: @escaping @Sendable (Result<[EngineResponse], any Error>) -> Void
    ) -> Void
    typealias Completion = @Sendable (Result<EngineResponse, any Error>) -> Void
    /// Runs `body` once `delay` has passed (an event-loop timer; tests fire it themselves).
    typealias Schedule = @Sendable (_ delay: Duration, _ body: @escaping @Sendable () -> Void) -> Void

    /// A class, not a struct: waiters move through the queue and a batch's arrays several times
    /// per call, and a copy of a struct retained every string and map of its request each time.
    /// It holds the request once: `InferBatcher.resume` reads it from here when its turn comes,
    /// rather than from a closure that captured a second copy.
    private final class Waiter: Sendable {
        let request: EngineRequest
        let deadline: ContinuousClock.Instant
        let completion: Completion

        init(request: EngineRequest, deadline: ContinuousClock.Instant, completion: @escaping Completion) {
            self.request = request
            self.deadline = deadline
            self.completion = completion
        }
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
        /// Calls in flight, plus the held slot if any.
        var inFlight = 0
        var queue = CircularBuffer<Waiter>()
        var supported = true
        /// The held slot: how many waiters end the hold, which hold it is (its timer may fire
        /// after the hold ended another way and a new one began) and when it began.
        var hold: (expected: Int, number: Int, since: ContinuousClock.Instant)?
        var holds = 0
        /// How long the clients of a batch have lately taken to come back (see the type's comment).
        var returnTime = Duration.zero

        /// A hold filled `took` after it began: the estimate jumps up to it, or creeps down.
        mutating func filled(after took: Duration) {
            returnTime = took > returnTime ? took : returnTime - (returnTime - took) / 8
        }
    }

    /// The next call's leader, the rest of its batch, and the waiters whose deadline passed.
    private struct Taken {
        var leader: Waiter?
        var batch: [Waiter] = []
        var expired: [Waiter] = []
    }

    let maxBatchSize: Int
    let maxCallsInFlight: Int
    let maxDelay: Duration
    private let send: Send
    private let schedule: Schedule
    /// The clock of call and hold durations (tests move their own).
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())
    /// Calls made and requests they carried (for metrics and tests).
    private let counts = Mutex((calls: 0, requests: 0))
    /// `athena_gateway_engine_batches_total` / `…_batched_requests_total` for this endpoint.
    private let batchesMetric: Counter
    private let batchedRequestsMetric: Counter

    init(
        _ configuration: EngineBatching, endpoint: String = "", schedule: @escaping Schedule,
        clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }, send: @escaping Send
    ) {
        self.maxBatchSize = max(1, configuration.maxBatchSize)
        self.maxCallsInFlight = max(1, configuration.maxCallsInFlight)
        self.maxDelay = .microseconds(max(0, configuration.maxDelayMicroseconds))
        self.send = send
        self.schedule = schedule
        self.clock = clock
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

    /// Whether a freed slot is being held for returning requests right now, and how many holds
    /// there have been (tests).
    var holding: (now: Bool, total: Int) { state.withLock { ($0.hold != nil, $0.holds) } }

    /// The clients' return time the next hold goes by (tests).
    var returnTime: Duration { state.withLock { $0.returnTime } }

    /// The async form of `submit`. Cancelling the calling task answers it at once with
    /// `CancellationError`; its request still runs (the engine may have it already, and in a
    /// batch its neighbours' answers come from the same call), and its answer is dropped.
    func infer(_ request: EngineRequest, deadline: ContinuousClock.Instant) async throws -> EngineResponse {
        let once = ResumeOnce()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard once.set(continuation) else { return }
                submit(request, deadline: deadline) { once.resume(with: $0) }
            }
        } onCancel: {
            once.resume(with: .failure(CancellationError()))
        }
    }

    /// Sends `request` alone, in a batch, or after a wait, as above; `completion` runs once, on
    /// the event loop of the call that answered it (or here, if that happens at once).
    func submit(_ request: EngineRequest, deadline: ContinuousClock.Instant, completion: @escaping Completion) {
        let slot = state.withLock { state -> Bool? in
            guard state.supported else { return nil }
            guard state.inFlight < maxCallsInFlight else { return false }
            state.inFlight += 1
            return true
        }
        switch slot {
        case nil:
            alone(request, deadline: deadline, completion: completion)
        case true?:
            lead(request, deadline: deadline, with: [], completion: completion)
        case false?:
            let waiter = Waiter(request: request, deadline: deadline, completion: completion)
            let (now, taken) = state.withLock { state -> (Turn?, Taken?) in
                guard state.supported else { return (.alone, nil) }
                if state.inFlight < maxCallsInFlight {  // a slot freed in between
                    state.inFlight += 1
                    return (.lead([]), nil)
                }
                state.queue.append(waiter)
                guard let hold = state.hold, state.queue.count >= hold.expected else { return (nil, nil) }
                // Everyone the held slot waited for is here: it leads them now.
                state.hold = nil
                state.filled(after: hold.since.duration(to: clock()))
                return (nil, Self.take(&state, maxBatchSize: maxBatchSize))
            }
            if let now { resume(waiter, now) }
            if let taken { start(taken) }
        }
    }

    /// Wakes `waiter` up with its turn.
    private func resume(_ waiter: Waiter, _ turn: Turn) {
        switch turn {
        case .answered(let result): waiter.completion(result)
        case .lead(let others): lead(waiter.request, deadline: waiter.deadline, with: others, completion: waiter.completion)
        case .alone: alone(waiter.request, deadline: waiter.deadline, completion: waiter.completion)
        }
    }

    /// A call outside batching: no slot is held.
    private func alone(_ request: EngineRequest, deadline: ContinuousClock.Instant, completion: @escaping Completion) {
        send([request], deadline) { result in
            completion(result.flatMap { responses in
                responses.first.map { .success($0) } ?? .failure(EngineError(.badResponse, "engine sent no response"))
            })
        }
    }

    /// Holds a slot: sends `request` with `others`, then passes the slot on and answers them.
    private func lead(
        _ request: EngineRequest, deadline: ContinuousClock.Instant, with others: [Waiter], completion: @escaping Completion
    ) {
        let started = clock()
        if others.isEmpty {
            return aloneInSlot(request, deadline: deadline, since: started, completion: completion)
        }
        let requests = [request] + others.map(\.request)
        let earliest = others.reduce(deadline) { min($0, $1.deadline) }
        counts.withLock { $0.calls += 1; $0.requests += requests.count }
        batchesMetric.increment()
        batchedRequestsMetric.increment(by: requests.count)
        send(requests, earliest) { [self] result in
            let mine: Result<EngineResponse, any Error>
            // The others' outcomes, delivered once the slot's fate is settled: a client answered
            // before that could come back and be miscounted by the hold.
            let replies: [(Waiter, Turn)]
            switch result {
            case .success(let responses) where responses.count == requests.count:
                mine = .success(responses[0])
                replies = zip(others, responses.dropFirst()).map { ($0, .answered(.success($1))) }
            case .success(let responses):
                let error = EngineError(.badResponse, "InferBatch answered \(responses.count) responses to \(requests.count) requests")
                mine = .failure(error)
                replies = others.map { ($0, .answered(.failure(error))) }
            case .failure(let error as EngineError) where error.kind == .unsupported:
                // UNIMPLEMENTED: the engine ran none of them. Everyone calls alone from now on.
                state.withLock { $0.supported = false }
                for waiter in others { resume(waiter, .alone) }
                aloneInSlot(request, deadline: deadline, since: started, completion: completion)
                return
            case .failure(let error):
                mine = .failure(error)
                replies = others.map { ($0, .answered(.failure(error))) }
            }
            // Only a batch that succeeded has clients worth waiting for.
            let answered = (try? mine.get()) == nil ? 0 : requests.count
            passSlotOn(answered: answered, callTook: started.duration(to: clock()))
            for (waiter, turn) in replies { resume(waiter, turn) }
            completion(mine)
        }
    }

    /// A call of one request in the slot this leader holds; the slot is passed on after it.
    private func aloneInSlot(
        _ request: EngineRequest, deadline: ContinuousClock.Instant, since started: ContinuousClock.Instant,
        completion: @escaping Completion
    ) {
        alone(request, deadline: deadline) { [self] result in
            passSlotOn(answered: 0, callTook: started.duration(to: clock()))
            completion(result)
        }
    }

    /// The finished call's slot goes to the oldest live waiter, with a batch behind it; or it is
    /// held for the `answered` clients of the batch that just ended (see the type's comment); or
    /// with nobody waiting it is freed. With batching off, every waiter is released to call alone.
    private func passSlotOn(answered: Int, callTook: Duration) {
        let (taken, released, hold) = state.withLock { state -> (Taken, [Waiter], (number: Int, window: Duration)?) in
            guard state.supported else {
                let all = Array(state.queue)
                state.queue.removeAll()
                state.inFlight -= state.hold == nil ? 1 : 2
                state.hold = nil
                return (Taken(), all, nil)
            }
            let expected = min(state.queue.count + answered, maxBatchSize)
            let window = min(maxDelay, max(callTook / 2, state.returnTime * 3 / 2))
            if answered > 1, window > .zero, state.hold == nil, state.queue.count < expected {
                state.holds += 1
                state.hold = (expected, state.holds, clock())
                return (Taken(), [], (state.holds, window))
            }
            let taken = Self.take(&state, maxBatchSize: maxBatchSize)
            if taken.leader == nil { state.inFlight -= 1 }
            return (taken, [], nil)
        }
        for waiter in released { resume(waiter, .alone) }
        start(taken)
        if let hold {
            schedule(hold.window) { [self] in endHold(hold.number) }
        }
    }

    /// The hold's time is up: whoever waits goes out now (or the slot is freed).
    private func endHold(_ number: Int) {
        let taken = state.withLock { state -> Taken? in
            guard let hold = state.hold, hold.number == number else { return nil }  // ended already
            state.hold = nil
            state.returnTime /= 2  // its clients did not all come back in time
            let taken = Self.take(&state, maxBatchSize: maxBatchSize)
            if taken.leader == nil { state.inFlight -= 1 }
            return taken
        }
        if let taken { start(taken) }
    }

    /// Takes the next call's leader and up to `maxBatchSize - 1` others off the queue, oldest
    /// first, setting aside those whose deadline passed. Requests a routing rule gave other
    /// headers than the leader's stay queued, in order: the engine sees one set of rule headers
    /// per call (the Python SDK's `request_headers()` in `wrapperBatchExec`).
    private static func take(_ state: inout State, maxBatchSize: Int) -> Taken {
        let now = ContinuousClock.now
        var taken = Taken()
        var skipped: [Waiter] = []
        while let waiter = state.queue.popFirst() {
            if waiter.deadline <= now {
                taken.expired.append(waiter)
            } else if let leader = taken.leader {
                guard waiter.request.ruleHeaders == leader.request.ruleHeaders else {
                    skipped.append(waiter)
                    continue
                }
                taken.batch.append(waiter)
                if taken.batch.count == maxBatchSize - 1 { break }
            } else {
                taken.leader = waiter
            }
        }
        for waiter in skipped.reversed() { state.queue.prepend(waiter) }
        return taken
    }

    private func start(_ taken: Taken) {
        for waiter in taken.expired {
            resume(waiter, .answered(.failure(EngineError(.timeout, "deadline passed while waiting for the engine"))))
        }
        if let leader = taken.leader { resume(leader, .lead(taken.batch)) }
    }
}

/// Resumes a continuation once, whichever comes first: the answer or the caller's cancellation
/// (which may even come before the continuation exists).
private final class ResumeOnce: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<EngineResponse, any Error>)
        case cancelledEarly
        case done
    }

    private let state = Mutex(State.empty)

    /// Stores the continuation; `false` (having resumed it with `CancellationError`) when the
    /// caller was cancelled already.
    func set(_ continuation: CheckedContinuation<EngineResponse, any Error>) -> Bool {
        let cancelled = state.withLock { state -> Bool in
            if case .cancelledEarly = state { state = .done; return true }
            state = .waiting(continuation)
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    func resume(with result: Result<EngineResponse, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<EngineResponse, any Error>? in
            switch state {
            case .waiting(let continuation):
                state = .done
                return continuation
            case .empty:
                if case .failure(let error) = result, error is CancellationError { state = .cancelledEarly }
                return nil
            case .cancelledEarly, .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
