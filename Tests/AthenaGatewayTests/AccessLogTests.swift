@testable import AthenaGateway
import Foundation
import NIOCore
import Testing

@Suite("Access log")
struct AccessLogTests {
    @Test("one logfmt line per request, batched; client text cannot split or forge a line")
    func lines() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let log = AccessLog(fd: fds[1])
        let request = GatewayHTTPRequest(method: "POST", path: "/v1/private/digits", body: ByteBuffer(string: "{\"a\":1}"))
        var response = GatewayHTTPResponse(body: ByteBuffer(string: "{}"), sid: "sid\nforged=1 \"x", service: "digits", version: "v1", code: 0)
        log.record(request, response, nanoseconds: 3_500_000)
        response.status = .badRequest
        response.code = 10160
        log.record(request, response, nanoseconds: 0)
        log.flush()
        close(fds[1])
        let text = String(decoding: FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(lines.first)
        #expect(first.contains(" info request method=POST path=/v1/private/digits status=200 code=0 sid=sid_forged=1__x service=digits version=v1 ms=3 bytes_in=7 bytes_out=2"))
        #expect(first.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "#, options: .regularExpression) != nil)
        #expect(lines[1].contains("status=400 code=10160"))
    }

    @Test("one line per finished stream: transport, outcome, message and result counts")
    func sessionLine() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let log = AccessLog(fd: fds[1])
        log.record(AccessLog.SessionRecord(
            transport: "websocket", path: "/v1/private/upper", status: 499, code: 0, sid: "s 1", service: "upper", version: "v1",
            nanoseconds: 2_000_000_000, messagesIn: 3, resultsOut: 2))
        log.flush()
        close(fds[1])
        let text = String(decoding: FileHandle(fileDescriptor: fds[0]).readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains(" info session transport=websocket path=/v1/private/upper status=499 code=0 sid=s_1 service=upper version=v1 ms=2000 messages_in=3 results_out=2\n"), "\(text)")
    }
}
