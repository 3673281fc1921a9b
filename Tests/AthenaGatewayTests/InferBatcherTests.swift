import AthenaAPI
@testable import AthenaGateway
import Foundation
import Synchronization
import Testing

/// A `Send` the test drives: every call waits until the test completes it, and is logged with
/// the sids it carried.
final class GatedSend: Sendable {
    private struct Call: Sendable {
        let sids: [String]
        let completion: @Sendable (Result<[EngineResponse], any Error>) -> Void
    }

    private let pending = Mutex<[Call]>([])
    private let log = Mutex<[[String]]>([])

    /// The sids of every call made so far, in call order.
    var calls: [[String]] { log.withLock { $0 } }
    var pendingCount: Int { pending.withLock { $0.count } }

    func send(_ requests: [EngineRequest], _ deadline: ContinuousClock.Instant,
              _ completion: @escaping @Sendable (Result<[EngineResponse], any Error>) -> Void) {
        let sids = requests.map(\.sid)
        pending.withLock { $0.append(Call(sids: sids, completion: completion)) }
        log.withLock { $0.append(sids) }
    }

    /// Answers the oldest pending call: each request with an item named after its sid.
    func answerOldest() {
        let call = pending.withLock { $0.removeFirst() }
        call.completion(.success(call.sids.map(Self.answer)))
    }

    /// Answers the oldest pending call with `result` as given.
    func completeOldest(_ result: Result<[EngineResponse], any Error>) {
        let call = pending.withLock { $0.removeFirst() }
        call.completion(result)
    }

    static func answer(_ sid: String) -> EngineResponse {
        EngineResponse(items: [EngineItem(dataID: "for-" + sid, data: Data(sid.utf8))])
    }
}

/// Timers the test fires itself: `schedule` records them, `fireAll` runs the ones pending.
final class ManualTimers: Sendable {
    private let pending = Mutex<[(delay: Duration, body: @Sendable () -> Void)]>([])

    var schedule: InferBatcher.Schedule {
        { delay, body in self.pending.withLock { $0.append((delay, body)) } }
    }

    /// Delays of the timers not fired yet.
    var delays: [Duration] { pending.withLock { $0.map(\.delay) } }

    func fireAll() {
        let due = pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        for timer in due { timer.body() }
    }
}

/// A clock that moves only when told (call and hold durations in InferBatcher tests).
final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let elapsed = Mutex(Duration.zero)

    var now: @Sendable () -> ContinuousClock.Instant {
        { self.start + self.elapsed.withLock { $0 } }
    }

    func advance(_ by: Duration) {
        elapsed.withLock { $0 += by }
    }
}

/// Polls `condition` (no sleeps: yields to the other tasks) for up to 10 s.
func until(_ what: String, _ condition: () -> Bool) async throws {
    let end = ContinuousClock.now + .seconds(10)
    while !condition() {
        guard ContinuousClock.now < end else {
            Issue.record("timed out waiting: \(what)")
            throw CancellationError()
        }
        await Task.yield()
    }
}

@Suite("InferBatcher: requests queued behind busy calls go out together")
struct InferBatcherTests {
    static func request(_ sid: String) -> EngineRequest {
        EngineRequest(sid: sid, service: "s", items: [EngineItem(dataID: "x", data: Data(sid.utf8))])
    }

    static var later: ContinuousClock.Instant { .now + .seconds(60) }

    /// Starts `infer` for each sid in its own task; returns the tasks.
    static func start(_ sids: [String], on batcher: InferBatcher, deadline: ContinuousClock.Instant = later)
        -> [Task<EngineResponse, any Error>]
    {
        sids.map { sid in Task { try await batcher.infer(request(sid), deadline: deadline) } }
    }

    /// One call (`lead`) in flight and `sids` queued behind it; then the lead call is answered,
    /// so the queued requests go out as the next call, left pending for the test to complete.
    static func leadThenBatch(
        _ sids: [String], lead: String = "first", batcher: InferBatcher, send: GatedSend
    ) async throws -> (lead: Task<EngineResponse, any Error>, queued: [Task<EngineResponse, any Error>]) {
        let first = start([lead], on: batcher)
        try await until("lead call") { send.pendingCount == 1 }
        let queued = start(sids, on: batcher)
        try await until("\(sids.count) waiting") { batcher.waiting == sids.count }
        send.answerOldest()
        try await until("batch call") { send.pendingCount == 1 }
        return (first[0], queued)
    }

    @Test("an idle engine gets each request alone, at once")
    func idleGoesAlone() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 8, maxCallsInFlight: 2, maxDelayMicroseconds: 0), schedule: ManualTimers().schedule, send: send.send)
        let tasks = Self.start(["a", "b"], on: batcher)
        try await until("two calls") { send.pendingCount == 2 }
        send.answerOldest()
        send.answerOldest()
        for (task, sid) in zip(tasks, ["a", "b"]) {
            #expect(try await task.value.items.first?.dataID == "for-" + sid)
        }
        #expect(send.calls.map(\.count) == [1, 1])
        #expect(batcher.batchedCounts.calls == 0)
    }

    @Test("requests that wait for a busy slot go out in one call, each answered with its own response")
    func queuedRequestsAreBatched() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1, maxDelayMicroseconds: 0), schedule: ManualTimers().schedule, send: send.send)
        let (first, queued) = try await Self.leadThenBatch(["q1", "q2", "q3"], batcher: batcher, send: send)
        send.answerOldest()
        #expect(try await first.value.items.first?.dataID == "for-first")
        for (task, sid) in zip(queued, ["q1", "q2", "q3"]) {
            #expect(try await task.value.items.first?.dataID == "for-" + sid)
        }
        #expect(send.calls.count == 2)
        #expect(Set(send.calls[1]) == ["q1", "q2", "q3"])
        #expect(batcher.batchedCounts.calls == 1)
        #expect(batcher.batchedCounts.requests == 3)
        #expect(batcher.waiting == 0)
    }

    @Test("a batch holds at most maxBatchSize requests; the rest follow in the next call")
    func batchSizeIsCapped() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 2, maxCallsInFlight: 1, maxDelayMicroseconds: 0), schedule: ManualTimers().schedule, send: send.send)
        let first = Self.start(["first"], on: batcher)
        try await until("first call") { send.pendingCount == 1 }
        let queued = Self.start(["q1", "q2", "q3", "q4", "q5"], on: batcher)
        try await until("five waiting") { batcher.waiting == 5 }
        for expected in [2, 2, 1] {
            send.answerOldest()
            try await until("next call") { send.pendingCount == 1 }
            #expect(send.calls.last?.count == expected)
        }
        send.answerOldest()
        _ = try await first[0].value
        for task in queued { _ = try await task.value }
        #expect(send.calls.map(\.count) == [1, 2, 2, 1])
        #expect(batcher.waiting == 0)
    }

    @Test("one failing request in a batch does not fail the others; a failed call fails its whole batch")
    func failuresStayWithTheirRequests() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1, maxDelayMicroseconds: 0), schedule: ManualTimers().schedule, send: send.send)
        let (first, queued) = try await Self.leadThenBatch(["ok", "bad"], batcher: batcher, send: send)
        let sids = send.calls[1]
        send.completeOldest(.success(sids.map { $0 == "bad" ? EngineResponse(code: 30003, message: "boom", items: []) : GatedSend.answer($0) }))
        _ = try await first.value
        #expect(try await queued[0].value.code == 0)
        #expect(try await queued[1].value.code == 30003)

        // The whole call fails (connection lost): every request of the batch sees that error.
        let (second, doomed) = try await Self.leadThenBatch(["d1", "d2"], lead: "lead", batcher: batcher, send: send)
        send.completeOldest(.failure(EngineError(.transport, "reset")))
        _ = try await second.value
        for task in doomed {
            await #expect(throws: EngineError.self) { try await task.value }
        }
        // The slot was passed on: a new request goes out alone at once.
        let after = Self.start(["after"], on: batcher)
        try await until("after call") { send.pendingCount == 1 }
        send.answerOldest()
        #expect(try await after[0].value.items.first?.dataID == "for-after")
    }

    @Test("an answer with the wrong number of responses fails the batch as a bad response")
    func wrongCount() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1, maxDelayMicroseconds: 0), schedule: ManualTimers().schedule, send: send.send)
        let (first, queued) = try await Self.leadThenBatch(["q1", "q2"], batcher: batcher, send: send)
        send.completeOldest(.success([GatedSend.answer("q1")]))
        _ = try await first.value
        for task in queued {
            do {
                _ = try await task.value
                Issue.record("expected a bad response")
            } catch let error as EngineError {
                #expect(error.kind == .badResponse)
            }
        }
    }

    @Test("an engine without InferBatch (UNIMPLEMENTED) gets the batch again one by one, and no batches after")
    func unimplementedTurnsBatchingOff() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1, maxDelayMicroseconds: 0), schedule: ManualTimers().schedule, send: send.send)
        let (first, queued) = try await Self.leadThenBatch(["q1", "q2"], batcher: batcher, send: send)
        send.completeOldest(.failure(EngineError(.unsupported, "unknown method InferBatch")))
        try await until("both resent alone") { send.pendingCount == 2 }
        #expect(!batcher.isEnabled)
        send.answerOldest()
        send.answerOldest()
        _ = try await first.value
        for (task, sid) in zip(queued, ["q1", "q2"]) {
            #expect(try await task.value.items.first?.dataID == "for-" + sid)
        }
        // From now on requests never wait for a slot: three at once are three calls in flight.
        let more = Self.start(["m1", "m2", "m3"], on: batcher)
        try await until("three calls") { send.pendingCount == 3 }
        #expect(batcher.waiting == 0)
        for _ in 0..<3 { send.answerOldest() }
        for task in more { _ = try await task.value }
        #expect(send.calls.filter { $0.count > 1 }.count == 1, "only the refused batch")
    }

    @Test("a request whose deadline passes while it waits is answered with a timeout and never sent")
    func expiredWhileWaiting() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1, maxDelayMicroseconds: 0), schedule: ManualTimers().schedule, send: send.send)
        let first = Self.start(["first"], on: batcher)
        try await until("first call") { send.pendingCount == 1 }
        let soon = Self.start(["soon"], on: batcher, deadline: .now + .milliseconds(50))
        let fine = Self.start(["fine"], on: batcher)
        try await until("two waiting") { batcher.waiting == 2 }
        let passed = ContinuousClock.now + .milliseconds(60)
        try await until("deadline passed") { ContinuousClock.now >= passed }
        send.answerOldest()
        do {
            _ = try await soon[0].value
            Issue.record("expected a timeout")
        } catch let error as EngineError {
            #expect(error.kind == .timeout)
        }
        try await until("fine sent") { send.pendingCount == 1 }
        send.answerOldest()
        _ = try await first[0].value
        #expect(try await fine[0].value.items.first?.dataID == "for-fine")
        #expect(!send.calls.joined().contains("soon"))
    }

    @Test("maxBatchSize 1 turns batching off: no waiting, every request its own call")
    func disabled() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 1, maxCallsInFlight: 1, maxDelayMicroseconds: 0), schedule: ManualTimers().schedule, send: send.send)
        #expect(!batcher.isEnabled)
        let tasks = Self.start(["a", "b", "c"], on: batcher)
        try await until("three calls") { send.pendingCount == 3 }
        for _ in 0..<3 { send.answerOldest() }
        for task in tasks { _ = try await task.value }
        #expect(send.calls.map(\.count) == [1, 1, 1])
    }

    @Test("requests a routing rule gave different headers go out in different calls, each in order")
    func ruleHeadersSplitBatches() async throws {
        let send = GatedSend()
        let batcher = InferBatcher(EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1, maxDelayMicroseconds: 0),
                                   schedule: ManualTimers().schedule, send: send.send)
        let first = Self.start(["first"], on: batcher)
        try await until("first call") { send.pendingCount == 1 }
        var tasks: [Task<EngineResponse, any Error>] = []
        for (sid, rule) in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("n1", nil), ("b2", "B")] as [(String, String?)] {
            var request = Self.request(sid)
            if let rule { request.ruleHeaders = ["run-config": rule]; request.headers["run-config"] = rule }
            tasks.append(Task { try await batcher.infer(request, deadline: Self.later) })
            try await until("\(sid) waiting") { batcher.waiting == tasks.count }
        }
        for expected in [["a1", "a2"], ["b1", "b2"], ["n1"]] {
            send.answerOldest()
            try await until("next call") { send.pendingCount == 1 }
            #expect(send.calls.last == expected)
        }
        send.answerOldest()
        _ = try await first[0].value
        for (task, sid) in zip(tasks, ["a1", "b1", "a2", "n1", "b2"]) {
            #expect(try await task.value.items.first?.dataID == "for-" + sid)
        }
        #expect(batcher.waiting == 0)
    }

    // MARK: - Holding a freed slot for the clients of the batch it answered

    static func holding(maxBatchSize: Int = 8, maxCallsInFlight: Int = 1, maxDelay: Int = 2000)
        -> (InferBatcher, GatedSend, ManualTimers)
    {
        let send = GatedSend(), timers = ManualTimers()
        let batching = EngineBatching(maxBatchSize: maxBatchSize, maxCallsInFlight: maxCallsInFlight, maxDelayMicroseconds: maxDelay)
        return (InferBatcher(batching, schedule: timers.schedule, send: send.send), send, timers)
    }

    @Test("after a batch, the slot waits for its clients' next requests and sends them as one call")
    func heldSlotRegroupsTheBatch() async throws {
        let (batcher, send, timers) = Self.holding()
        let (first, queued) = try await Self.leadThenBatch(["a", "b", "c"], batcher: batcher, send: send)
        _ = try await first.value
        send.answerOldest()  // the batch of three: its clients get their answers
        for task in queued { _ = try await task.value }
        #expect(batcher.holding == (true, 1))
        #expect(timers.delays.count == 1)
        #expect(timers.delays.allSatisfy { $0 > .zero && $0 <= .microseconds(2000) })

        // Two of them come back: they wait (the slot is held, not free), no lone call goes out.
        let early = Self.start(["a2", "b2"], on: batcher)
        try await until("two waiting") { batcher.waiting == 2 }
        #expect(send.pendingCount == 0)
        // The third completes the group: one call with all three, at once, without the timer.
        let last = Self.start(["c2"], on: batcher)
        try await until("regrouped call") { send.pendingCount == 1 }
        #expect(Set(send.calls.last ?? []) == ["a2", "b2", "c2"])
        #expect(batcher.holding.now == false)
        timers.fireAll()  // the hold's timer, late: nothing more goes out
        #expect(send.pendingCount == 1)
        send.answerOldest()
        for (task, sid) in zip(early + last, ["a2", "b2", "c2"]) {
            #expect(try await task.value.items.first?.dataID == "for-" + sid)
        }
        #expect(send.calls.map(\.count) == [1, 3, 3])
    }

    @Test("a hold lasts as long as the clients lately took to come back (1.5x), not only half the call")
    func holdLearnsTheClientsReturnTime() async throws {
        let send = GatedSend(), timers = ManualTimers(), clock = ManualClock()
        let batching = EngineBatching(maxBatchSize: 8, maxCallsInFlight: 1, maxDelayMicroseconds: 1_000_000)
        let batcher = InferBatcher(batching, schedule: timers.schedule, clock: clock.now, send: send.send)

        // A batch call of 10 ms, its clients not measured yet: the hold is half the call.
        let (first, queued) = try await Self.leadThenBatch(["a", "b", "c"], batcher: batcher, send: send)
        _ = try await first.value
        clock.advance(.milliseconds(10))
        send.answerOldest()
        for task in queued { _ = try await task.value }
        #expect(timers.delays == [.milliseconds(5)])
        #expect(batcher.returnTime == .zero)

        // They come back 40 ms later (the timer has not fired: a slow host): the estimate is 40 ms.
        clock.advance(.milliseconds(40))
        let back = Self.start(["a2", "b2", "c2"], on: batcher)
        try await until("regrouped call") { send.pendingCount == 1 }
        #expect(batcher.returnTime == .milliseconds(40))
        clock.advance(.milliseconds(10))
        send.answerOldest()
        for task in back { _ = try await task.value }
        #expect(timers.delays.last == .milliseconds(60))  // 1.5 × 40 ms beats half the call (5 ms)

        // Nobody comes back this time: the hold times out and the estimate halves.
        timers.fireAll()
        #expect(batcher.holding.now == false)
        #expect(batcher.returnTime == .milliseconds(20))

        // Clients quicker than the estimate pull it down by an eighth of the gap: 20 → 19 ms.
        let (lead, more) = try await Self.leadThenBatch(["x", "y"], lead: "l2", batcher: batcher, send: send)
        _ = try await lead.value
        send.answerOldest()
        for task in more { _ = try await task.value }
        #expect(timers.delays.last == .milliseconds(30))
        clock.advance(.milliseconds(12))
        let quick = Self.start(["x2", "y2"], on: batcher)
        try await until("quick regroup") { send.pendingCount == 1 }
        #expect(batcher.returnTime == .milliseconds(19))
        send.answerOldest()
        for task in quick { _ = try await task.value }
        #expect(send.calls.map(\.count) == [1, 3, 3, 1, 2, 2])
    }

    @Test("a hold ends at its time: whoever came back goes out; with nobody, the slot is free again")
    func holdTimesOut() async throws {
        let (batcher, send, timers) = Self.holding()
        let (first, queued) = try await Self.leadThenBatch(["a", "b"], batcher: batcher, send: send)
        _ = try await first.value
        send.answerOldest()
        for task in queued { _ = try await task.value }
        #expect(batcher.holding.now)
        let one = Self.start(["a2"], on: batcher)
        try await until("one waiting") { batcher.waiting == 1 }
        timers.fireAll()
        try await until("sent after the wait") { send.pendingCount == 1 }
        #expect(send.calls.last == ["a2"])
        send.answerOldest()
        _ = try await one[0].value
        // A lone call's end holds nothing: the next request goes out at once.
        #expect(batcher.holding == (false, 1))
        let next = Self.start(["n"], on: batcher)
        try await until("sent at once") { send.pendingCount == 1 }
        send.answerOldest()
        _ = try await next[0].value

        // A batch answered with nobody coming back: its timer frees the slot.
        let (lead, more) = try await Self.leadThenBatch(["x", "y"], batcher: batcher, send: send)
        _ = try await lead.value
        send.answerOldest()
        for task in more { _ = try await task.value }
        #expect(batcher.holding == (true, 2))
        timers.fireAll()
        #expect(batcher.holding.now == false)
        let after = Self.start(["after"], on: batcher)
        try await until("free slot") { send.pendingCount == 1 }
        send.answerOldest()
        _ = try await after[0].value
    }

    @Test("no hold with maxDelayMicroseconds 0, nor after a failed batch; a hold never outlasts its waiters' deadlines")
    func holdOnlyWhenItCanHelp() async throws {
        let (off, offSend, offTimers) = Self.holding(maxDelay: 0)
        let (first, queued) = try await Self.leadThenBatch(["a", "b"], batcher: off, send: offSend)
        _ = try await first.value
        offSend.answerOldest()
        for task in queued { _ = try await task.value }
        #expect(off.holding == (false, 0))
        #expect(offTimers.delays.isEmpty)

        let (batcher, send, timers) = Self.holding()
        let (lead, doomed) = try await Self.leadThenBatch(["d1", "d2"], batcher: batcher, send: send)
        _ = try await lead.value
        send.completeOldest(.failure(EngineError(.transport, "reset")))
        for task in doomed { _ = try? await task.value }
        #expect(batcher.holding == (false, 0))

        // Held for two; one comes back with a deadline that passes in the wait: it is answered
        // with a timeout when the hold ends, never sent.
        let (again, pair) = try await Self.leadThenBatch(["p", "q"], lead: "l2", batcher: batcher, send: send)
        _ = try await again.value
        send.answerOldest()
        for task in pair { _ = try await task.value }
        #expect(batcher.holding.now)
        let soon = Self.start(["soon"], on: batcher, deadline: .now + .milliseconds(20))
        try await until("waiting") { batcher.waiting == 1 }
        let passed = ContinuousClock.now + .milliseconds(30)
        try await until("deadline passed") { ContinuousClock.now >= passed }
        timers.fireAll()
        await #expect(throws: EngineError.self) { try await soon[0].value }
        #expect(!send.calls.joined().contains("soon"))
        #expect(send.pendingCount == 0)
    }

    @Test("an engine refusing InferBatch while another slot is held: everyone calls alone, nobody hangs")
    func refusalDuringHold() async throws {
        let (batcher, send, timers) = Self.holding(maxBatchSize: 2, maxCallsInFlight: 2)
        let leads = Self.start(["l1", "l2"], on: batcher)
        try await until("two calls") { send.pendingCount == 2 }
        let queued = Self.start(["q1", "q2", "q3", "q4"], on: batcher)
        try await until("four waiting") { batcher.waiting == 4 }
        send.answerOldest()  // l1: its slot leads a batch of two
        send.answerOldest()  // l2: its slot leads the other two
        try await until("two batches") { send.pendingCount == 2 }
        for task in leads { _ = try await task.value }
        send.answerOldest()  // the first batch ends with nobody waiting: its slot is held
        try await until("held") { batcher.holding.now }
        send.completeOldest(.failure(EngineError(.unsupported, "unknown method InferBatch")))
        try await until("resent alone") { send.pendingCount == 2 }
        send.answerOldest()
        send.answerOldest()
        for task in queued { _ = try await task.value }
        // The refused batch's leader ended its call: the held slot was let go with it.
        try await until("hold let go") { !batcher.holding.now }
        timers.fireAll()
        let more = Self.start(["m1", "m2", "m3"], on: batcher)
        try await until("three calls at once") { send.pendingCount == 3 }
        for _ in 0..<3 { send.answerOldest() }
        for task in more { _ = try await task.value }
    }
}
