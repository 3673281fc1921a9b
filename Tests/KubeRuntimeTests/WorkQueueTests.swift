@testable import KubeRuntime
import Synchronization
import Testing

@Suite("WorkQueue (concurrent)")
struct WorkQueueTests {
    @Test("a waiting worker is woken by add; in-flight re-add runs once more after done")
    func wakeAndRerun() async throws {
        let queue = WorkQueue<String>(name: "t")
        async let first = queue.next()
        try await Task.sleep(for: .milliseconds(20))  // let the worker park (not a state wait)
        queue.add("a")
        let key = await first
        #expect(key == "a")
        queue.add("a")
        queue.add("a")
        #expect(queue.depth == 0)  // held back while in flight
        queue.done("a")
        #expect(queue.depth == 1)
        #expect(await queue.next() == "a")
        queue.done("a")
        #expect(queue.depth == 0)
    }

    @Test("delayed and rate-limited keys arrive after their delay")
    func delayed() async throws {
        let queue = WorkQueue<String>(name: "t", rateLimit: .init(baseDelay: .milliseconds(30)))
        let start = ContinuousClock.now
        queue.addRateLimited("r")
        queue.add("d", after: .milliseconds(60))
        #expect(queue.depth == 0)
        let a = await queue.next()
        let b = await queue.next()
        #expect(a == "r" && b == "d")
        #expect(ContinuousClock.now - start >= .milliseconds(60))
        #expect(queue.requeues(of: "r") == 1)
    }

    @Test("shutdown releases every parked worker with nil")
    func shutdown() async {
        let queue = WorkQueue<Int>(name: "t")
        await withTaskGroup(of: Int?.self) { group in
            for _ in 0..<4 { group.addTask { await queue.next() } }
            try? await Task.sleep(for: .milliseconds(20))
            queue.shutDown()
            var results: [Int?] = []
            for await r in group { results.append(r) }
            #expect(results.count == 4 && results.allSatisfy { $0 == nil })
        }
        #expect(await queue.next() == nil)
    }

    @Test("cancelling a parked worker returns nil without losing later keys")
    func cancellation() async {
        let queue = WorkQueue<Int>(name: "t")
        let task = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        #expect(await task.value == nil)
        queue.add(7)
        #expect(await queue.next() == 7)
    }

    @Test("many workers never process one key concurrently and every key is processed")
    func noConcurrentSameKey() async {
        let queue = WorkQueue<Int>(name: "t")
        final class Tally: Sendable {
            let inFlight = Mutex<Set<Int>>([])
            let violations = Mutex(0)
            let processed = Mutex<[Int: Int]>([:])
        }
        let tally = Tally()
        for i in 0..<50 { queue.add(i % 10) }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let key = await queue.next() {
                        let clash = tally.inFlight.withLock { !$0.insert(key).inserted }
                        if clash { tally.violations.withLock { $0 += 1 } }
                        tally.processed.withLock { $0[key, default: 0] += 1 }
                        if key == 3, tally.processed.withLock({ $0[3] }) == 1 { queue.add(3) }  // re-add while in flight
                        try? await Task.sleep(for: .milliseconds(1))
                        tally.inFlight.withLock { _ = $0.remove(key) }
                        queue.done(key)
                    }
                }
            }
            // Stop once all keys ran (bounded wait).
            let deadline = ContinuousClock.now + .seconds(10)
            while tally.processed.withLock({ $0.count < 10 || $0[3, default: 0] < 2 }), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(5))
            }
            queue.shutDown()
        }
        #expect(tally.violations.withLock { $0 } == 0)
        let counts = tally.processed.withLock { $0 }
        #expect(counts.count == 10)
        #expect(counts[3] == 2)
        #expect(counts.filter { $0.key != 3 }.values.allSatisfy { $0 == 1 })
    }
}
