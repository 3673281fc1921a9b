#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Lets a busy event loop step aside, once in a while, for the threads it has just woken.
///
/// Why: each answer the gateway writes wakes its peer (a client, an engine) with a *sync*
/// wake-up: the kernel expects the writer to sleep soon and queues the peer on the writer's own
/// core. A loop with more work never sleeps, so the peer waits out the loop's whole scheduler
/// slice (1–1.5 ms with Linux's EEVDF) even while the other core idles (the peer's cache counts
/// as hot there, so idle balancing leaves it queued). `perf sched timehist` on the pass-through
/// benchmark at 8 connections showed exactly that: wrk threads runnable on the gateway's core
/// for 0.3–1.5 ms while the other core went idle, and that was the gateway's p99 (≈1.2 ms
/// against nginx's ≈0.5 ms; nginx's workers sleep between requests, so their peers run at
/// once). In a pod the peer is the engine that shares the gateway's cores.
///
/// So after a loop pass has flushed its writes, the loop calls `sched_yield` if it has not
/// done so for `interval`: the threads queued on its core run first, then the loop carries on.
/// With nobody waiting the call returns at once (well under a microsecond, at most 10,000
/// times a second at the default 100 µs). `ATHENA_LOOP_YIELD_US` sets the interval; 0 turns
/// it off.
///
/// Only after a light pass, one that flushed at most `maxFlushes` connections (16 by default,
/// `ATHENA_LOOP_YIELD_MAX_FLUSHES`). A pass that flushed more belongs to a saturated loop, whose
/// throughput is the gateway's: yielding then hands the core to a client thread that has dozens
/// of answers to read, the loop's own work waits behind it, and the other core may sit idle
/// meanwhile (the scheduler does not move a task that ran in the last half millisecond). Counted
/// on the pass-through benchmark (passes flush 4–15 connections at 8 clients; at 64, half the
/// passes flush 32–63): yielding after every pass cost 7% of the requests per second at 64
/// connections against yielding after light passes only, six alternating rounds each; at 8
/// connections the p99 stayed where the yield put it (420–450 µs; 1.1–1.9 ms without yields).
struct LoopYield {
    /// Nanoseconds between yields; 0 means never.
    let interval: UInt64
    /// A pass that flushed more connections than this does not yield.
    let maxFlushes: Int
    /// When the loop last yielded (nanoseconds on NIO's monotonic clock).
    private var last: UInt64 = 0

    init(interval: UInt64, maxFlushes: Int = LoopYield.defaultMaxFlushes) {
        self.interval = interval
        self.maxFlushes = maxFlushes
    }

    static let defaultMaxFlushes = 16

    /// This process's yield: `ATHENA_LOOP_YIELD_US` and `ATHENA_LOOP_YIELD_MAX_FLUSHES`, or the defaults.
    static let configured = LoopYield(
        interval: intervalNanoseconds(environment: getenv("ATHENA_LOOP_YIELD_US").map { String(cString: $0) }),
        maxFlushes: maxFlushes(environment: getenv("ATHENA_LOOP_YIELD_MAX_FLUSHES").map { String(cString: $0) }))

    /// `ATHENA_LOOP_YIELD_MAX_FLUSHES` when it is a number ≥ 0, else 16.
    static func maxFlushes(environment: String?) -> Int {
        if let environment, let count = Int(environment), count >= 0 { return count }
        return defaultMaxFlushes
    }

    static func intervalNanoseconds(environment: String?) -> UInt64 {
        if let environment, let micros = UInt64(environment) { return micros * 1000 }
        return 100_000
    }

    /// Call after a loop pass's flush of `flushed` connections. Returns whether it yielded (for
    /// tests). The clock is read only for a pass that may yield (`now` is the tests').
    @discardableResult
    mutating func afterFlush(flushed: Int, now: UInt64? = nil) -> Bool {
        guard interval > 0, flushed <= maxFlushes else { return false }
        let now = now ?? NIODeadline.now().uptimeNanoseconds
        guard now &- last >= interval else { return false }
        last = now
        sched_yield()
        return true
    }
}
