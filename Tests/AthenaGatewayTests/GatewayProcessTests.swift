@testable import AthenaGateway
import Testing

@Suite("GatewayProcess: event loop count")
struct GatewayProcessTests {
    @Test("ATHENA_EVENT_LOOPS wins when positive; otherwise half the cores, at least one", arguments: [
        (String?.none, 1, 1), (nil, 2, 1), (nil, 3, 1), (nil, 4, 2), (nil, 16, 8),
        ("3", 2, 3), ("0", 4, 2), ("-1", 4, 2), ("many", 4, 2),
    ])
    func loops(environment: String?, cores: Int, expected: Int) {
        #expect(GatewayProcess.eventLoopCount(environment: environment, cores: cores) == expected)
    }
}

@Suite("LoopYield: a busy loop steps aside at most once per interval")
struct LoopYieldTests {
    @Test("ATHENA_LOOP_YIELD_US in microseconds, 0 turns it off, anything else is the 100 µs default", arguments: [
        (String?.none, UInt64(100_000)), ("250", 250_000), ("0", 0), ("-5", 100_000), ("soon", 100_000),
    ])
    func interval(environment: String?, expected: UInt64) {
        #expect(LoopYield.intervalNanoseconds(environment: environment) == expected)
    }

    @Test("yields after a full interval since the last yield, not in between")
    func paced() {
        var yielder = LoopYield(interval: 100_000)
        let times: [UInt64] = [1_000_000, 1_000_001, 1_099_999, 1_100_000, 1_150_000, 5_000_000]
        let yielded = times.map { yielder.afterFlush(flushed: 1, now: $0) }
        #expect(yielded == [true, false, false, true, false, true])
    }

    @Test("ATHENA_LOOP_YIELD_MAX_FLUSHES when a number ≥ 0, anything else is the default of 16", arguments: [
        (String?.none, 16), ("40", 40), ("0", 0), ("-1", 16), ("lots", 16),
    ])
    func maxFlushes(environment: String?, expected: Int) {
        #expect(LoopYield.maxFlushes(environment: environment) == expected)
    }

    @Test("a pass that flushed more than maxFlushes connections does not yield, nor use up the interval")
    func heavyPasses() {
        var yielder = LoopYield(interval: 100_000, maxFlushes: 16)
        // (flushed, now): the first light pass after the heavy ones yields at once, since the
        // heavy ones did not count as yields; then the interval applies again.
        let passes: [(Int, UInt64)] = [(17, 1_000_000), (60, 2_000_000), (16, 2_000_001), (3, 2_050_000), (0, 2_100_001)]
        let yielded = passes.map { yielder.afterFlush(flushed: $0.0, now: $0.1) }
        #expect(yielded == [false, false, true, false, true])
    }

    @Test("an interval of 0 never yields")
    func off() {
        var yielder = LoopYield(interval: 0)
        let yielded = stride(from: UInt64(0), to: 10_000_000, by: 1_000_000).map { yielder.afterFlush(flushed: 1, now: $0) }
        #expect(!yielded.contains(true))
    }
}
