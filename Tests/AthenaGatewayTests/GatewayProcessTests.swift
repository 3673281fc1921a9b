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
        let yielded = times.map { yielder.afterFlush(now: $0) }
        #expect(yielded == [true, false, false, true, false, true])
    }

    @Test("an interval of 0 never yields")
    func off() {
        var yielder = LoopYield(interval: 0)
        let yielded = stride(from: UInt64(0), to: 10_000_000, by: 1_000_000).map { yielder.afterFlush(now: $0) }
        #expect(!yielded.contains(true))
    }
}
