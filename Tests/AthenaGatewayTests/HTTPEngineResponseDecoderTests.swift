import AthenaAPI
@testable import AthenaGateway
import Foundation
import NIOCore
import Testing

@Suite("HTTP engine answers: decoder and request encoding")
struct HTTPEngineResponseDecoderTests {
    /// Feeds `pieces` one by one (split points matter) and returns the replies decoded.
    func decode(_ pieces: [String], close: Bool = false) throws -> [HTTPEngineReply] {
        var decoder = HTTPEngineResponseDecoder()
        var buffer = ByteBuffer()
        var replies: [HTTPEngineReply] = []
        for piece in pieces {
            buffer.writeString(piece)
            while let reply = try decoder.next(&buffer) { replies.append(reply) }
        }
        if close, let reply = try decoder.end(&buffer) { replies.append(reply) }
        return replies
    }

    @Test("content-length body split across reads; two answers in a row")
    func contentLength() throws {
        let replies = try decode(["HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCont", "ent-Length: 9\r\n\r\n{\"a\":", "1}\r\n", "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"])
        #expect(replies.count == 2)
        #expect(replies[0].status == 200 && replies[0].keepAlive)
        #expect(replies[0].contentType == "application/json")
        #expect(String(buffer: replies[0].body) == "{\"a\":1}\r\n")
        #expect(replies[1].status == 404 && replies[1].body.readableBytes == 0)
    }

    @Test("chunked body with extensions and trailers")
    func chunked() throws {
        let replies = try decode(["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4;x=y\r\nab", "cd\r\n3\r\nefg\r\n0\r\ntrailer: t\r\n\r\n"])
        #expect(replies.count == 1)
        #expect(String(buffer: replies[0].body) == "abcdefg")
    }

    @Test("no length: the body ends when the engine closes; connection: close is not kept alive")
    func untilClose() throws {
        let replies = try decode(["HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nhello ", "world"], close: true)
        #expect(replies.count == 1)
        #expect(String(buffer: replies[0].body) == "hello world")
        #expect(!replies[0].keepAlive)
    }

    @Test("100 Continue is skipped, 204 has no body, HTTP/1.0 is not kept alive by default")
    func interimAndEmpty() throws {
        let replies = try decode(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok"])
        #expect(replies.map(\.status) == [204, 200])
        #expect(replies[0].body.readableBytes == 0)
        #expect(!replies[1].keepAlive)
    }

    @Test("garbage, a bad length or an endless head is an error, not a crash")
    func malformed() throws {
        for bad in ["SMTP ready\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: -4\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"] {
            #expect(throws: HTTPEngineConnectionError.self) { _ = try decode([bad]) }
        }
        #expect(throws: HTTPEngineConnectionError.self) { _ = try decode(["HTTP/1.1 200 OK\r\nx: " + String(repeating: "y", count: 70_000)]) }
    }

    @Test("an answer cut short by a close is an error")
    func truncated() throws {
        #expect(throws: HTTPEngineConnectionError.closedDuringResponse) {
            _ = try decode(["HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc"], close: true)
        }
    }

    @Test("requests: one buffer, content-length, client header values with CR/LF dropped")
    func requestEncoding() throws {
        let engine = HTTPEngine(endpoint: HostPort(host: "127.0.0.1", port: 9), shape: HTTPEngineShape(path: "/predict"))
        let request = EngineRequest(sid: "s1", service: "svc", headers: ["x-user": "u1", "x-evil": "a\r\nx-injected: 1", "app_id": "nope"],
                                    items: [EngineItem(dataID: "body", data: Data("{\"a\":1}".utf8))])
        let text = String(buffer: engine.encode(request))
        #expect(text.hasPrefix("POST /predict HTTP/1.1\r\nhost: 127.0.0.1:9\r\n"))
        #expect(text.contains("content-length: 7\r\n"))
        #expect(text.contains("x-athena-sid: s1\r\n"))
        #expect(text.contains("x-user: u1\r\n"))
        #expect(!text.contains("x-injected"))
        #expect(!text.contains("app_id"))
        #expect(text.hasSuffix("\r\n\r\n{\"a\":1}"))
    }

    @Test("a routing rule's headers go to a plain HTTP engine whatever their names, except ones that frame the request")
    func ruleHeadersEncoding() throws {
        let engine = HTTPEngine(endpoint: HostPort(host: "127.0.0.1", port: 9), shape: HTTPEngineShape(path: "/predict"))
        var request = EngineRequest(sid: "s1", service: "svc", headers: ["app_id": "nope"],
                                    items: [EngineItem(dataID: "body", data: Data("{}".utf8))])
        let rule = ["run-config": "B", "content-length": "999", "connection": "close"]
        request.headers.merge(rule) { _, new in new }
        request.ruleHeaders = rule
        let text = String(buffer: engine.encode(request))
        #expect(text.contains("\r\nrun-config: B\r\n"))
        #expect(text.contains("content-length: 2\r\n"))
        #expect(!text.contains("999"))
        #expect(!text.contains("connection: close"))
        #expect(!text.contains("app_id"), "a client header that is not x- still stays behind")
    }

    @Test("a ModelArts JSON body stays a slice of the request's buffer to the engine and back; bytes compare equal either way")
    func passThroughBytes() throws {
        let body = ByteBuffer(string: "{\"x\":[1,2,3]}")
        let request = try ModelArtsCodec.decode(body, contentType: "Application/JSON; charset=utf-8", service: "s", sid: "s1", version: nil)
        let item = try #require(request.items.first)
        guard case .buffer(let held) = item.bytes else {
            Issue.record("the body was copied into Data")
            return
        }
        #expect(held == body)
        #expect(item == EngineItem(dataID: "body", descArgs: EngineItem.jsonDescArgs, data: Data("{\"x\":[1,2,3]}".utf8)))
        #expect(item.hashValue == EngineItem(dataID: "body", descArgs: EngineItem.jsonDescArgs, data: item.data).hashValue)
        let engine = HTTPEngine(endpoint: HostPort(host: "127.0.0.1", port: 9), shape: HTTPEngineShape(path: "/predict"))
        #expect(String(buffer: engine.encode(request)).hasSuffix("\r\n\r\n{\"x\":[1,2,3]}"))
        let (out, type) = ModelArtsCodec.encode(EngineResponse(items: [item]))
        #expect(out == body && type == "application/json")
        #expect(throws: GatewayError.self) {
            _ = try ModelArtsCodec.decode(body, contentType: "image/png", service: "s", sid: "s1", version: nil)
        }
        #expect(try ModelArtsCodec.decode(body, contentType: "application/vnd.api+JSON", service: "s", sid: "s1", version: nil).items.count == 1)
    }
}
