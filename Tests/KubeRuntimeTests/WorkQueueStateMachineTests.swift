@testable import KubeRuntime
import Testing

@Suite("WorkQueue.StateMachine")
struct WorkQueueStateMachineTests {
    typealias Machine = WorkQueue<String>.StateMachine
    let t0 = ContinuousClock.now

    func machine(_ limit: WorkQueueRateLimit = .init(qps: 0)) -> Machine {
        Machine(rateLimit: limit, now: t0)
    }

    @Test("duplicate adds merge into one queued key")
    func duplicatesMerge() {
        var m = machine()
        #expect(m.add("a") == .wakeOne)
        #expect(m.add("a") == .none)
        #expect(m.add("b") == .wakeOne)
        #expect(m.add("a") == .none)
        #expect(m.depth == 2)
        #expect(m.next() == .process("a"))
        #expect(m.next() == .process("b"))
        #expect(m.next() == .wait)
    }

    @Test("a key added while in flight is not handed out twice, and runs once more after done")
    func inFlightReadd() {
        var m = machine()
        _ = m.add("a")
        #expect(m.next() == .process("a"))
        #expect(m.add("a") == .none)  // deferred: "a" is processing
        #expect(m.add("a") == .none)  // and merged
        #expect(m.next() == .wait)  // no second worker gets "a"
        #expect(m.done("a") == .wakeOne)
        #expect(m.next() == .process("a"))
        #expect(m.done("a") == .none)
        #expect(m.next() == .wait)
    }

    @Test("done for a key not in flight is ignored")
    func strayDone() {
        var m = machine()
        #expect(m.done("x") == .none)
        #expect(m.next() == .wait)
    }

    @Test(
        "per-key backoff doubles from the base delay and stops at the cap",
        arguments: [
            (0, Duration.milliseconds(5)), (1, .milliseconds(10)), (2, .milliseconds(20)),
            (3, .milliseconds(40)), (10, .milliseconds(5120)), (17, .milliseconds(655_360)),
            (18, .seconds(1000)), (30, .seconds(1000)), (5000, .seconds(1000)),
        ])
    func backoffGrowth(failures: Int, expected: Duration) {
        var m = machine()
        for _ in 0..<min(failures, 64) { _ = m.addRateLimited("k", now: t0) }
        if failures > 64 {
            // Past 64 failures the value must still be the cap (no overflow): simulate quickly.
            for _ in 64..<failures { _ = m.addRateLimited("k", now: t0) }
        }
        #expect(m.requeues(of: "k") == failures)
        #expect(m.backoff(for: "k") == expected)
    }

    @Test("forget resets the backoff of one key only")
    func forget() {
        var m = machine()
        for _ in 0..<3 {
            _ = m.addRateLimited("a", now: t0)
            _ = m.addRateLimited("b", now: t0)
        }
        m.forget("a")
        #expect(m.backoff(for: "a") == .milliseconds(5))
        #expect(m.backoff(for: "b") == .milliseconds(40))
    }

    @Test("rate-limited adds wait in the delayed set and arrive when the timer fires")
    func delayedArrival() {
        var m = machine()
        #expect(m.addRateLimited("a", now: t0) == .armTimer(at: t0 + .milliseconds(5)))
        #expect(m.next() == .wait)
        #expect(m.timerFired(now: t0 + .milliseconds(4)) == [.armTimer(at: t0 + .milliseconds(5))])
        #expect(m.timerFired(now: t0 + .milliseconds(5)) == [.wakeOne])
        #expect(m.next() == .process("a"))
    }

    @Test("of two delays for one key the earliest wins; the timer follows the earliest key")
    func earliestDelayWins() {
        var m = machine()
        #expect(m.add("a", after: .seconds(10), now: t0) == .armTimer(at: t0 + .seconds(10)))
        #expect(m.add("a", after: .seconds(2), now: t0) == .armTimer(at: t0 + .seconds(2)))
        #expect(m.add("a", after: .seconds(5), now: t0) == .none)
        #expect(m.add("b", after: .seconds(1), now: t0) == .armTimer(at: t0 + .seconds(1)))
        #expect(m.timerFired(now: t0 + .seconds(1)) == [.wakeOne, .armTimer(at: t0 + .seconds(2))])
        #expect(m.timerFired(now: t0 + .seconds(3)) == [.wakeOne])
        #expect(m.next() == .process("b"))
        #expect(m.next() == .process("a"))
        #expect(m.earliestDeadline == nil)
    }

    @Test("a zero delay is an immediate add; a delayed key already queued merges")
    func zeroDelayAndMerge() {
        var m = machine()
        #expect(m.add("a", after: .zero, now: t0) == .wakeOne)
        _ = m.add("a", after: .seconds(1), now: t0)
        #expect(m.timerFired(now: t0 + .seconds(1)) == [])  // merged with the queued copy
        #expect(m.depth == 1)
    }

    @Test("the global token bucket delays re-adds beyond the burst")
    func tokenBucket() {
        var m = machine(.init(baseDelay: .milliseconds(1), maxDelay: .milliseconds(1), qps: 10, burst: 2))
        #expect(m.addRateLimited("a", now: t0) == .armTimer(at: t0 + .milliseconds(1)))
        _ = m.addRateLimited("b", now: t0)
        // Third within the same instant: bucket empty, 1/qps = 100 ms.
        _ = m.addRateLimited("c", now: t0)
        #expect(m.delayed["c"] == t0 + .milliseconds(100))
        _ = m.addRateLimited("d", now: t0)
        #expect(m.delayed["d"] == t0 + .milliseconds(200))
        // After a second the bucket refilled to its burst.
        _ = m.addRateLimited("e", now: t0 + .seconds(1))
        #expect(m.delayed["e"] == t0 + .seconds(1) + .milliseconds(1))
    }

    @Test("shutdown wakes everyone, drops pending keys and ignores later adds")
    func shutdown() {
        var m = machine()
        _ = m.add("a")
        _ = m.add("b", after: .seconds(1), now: t0)
        #expect(m.shutDown() == .wakeAll)
        #expect(m.shutDown() == .none)
        #expect(m.next() == .shutDown)
        #expect(m.add("c") == .none)
        #expect(m.addRateLimited("c", now: t0) == .none)
        #expect(m.depth == 0)
        #expect(m.earliestDeadline == nil)
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test("grows by the factor, caps, and resets")
    func growth() {
        var b = Backoff(initial: .milliseconds(100), maximum: .seconds(1), factor: 2)
        let delays = (0..<6).map { _ in b.nextDelay() }
        #expect(delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        b.reset()
        #expect(b.nextDelay() == .milliseconds(100))
    }

    @Test("many failures never overflow")
    func noOverflow() {
        var b = Backoff(initial: .seconds(1), maximum: .seconds(30))
        for _ in 0..<10_000 { _ = b.nextDelay() }
        #expect(b.nextDelay() == .seconds(30))
    }
}
