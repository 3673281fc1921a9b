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
