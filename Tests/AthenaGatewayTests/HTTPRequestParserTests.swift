@testable import AthenaGateway
import NIOCore
import Testing

@Suite("HTTPRequestParser: HTTP/1.1 requests from bytes, strict framing")
struct HTTPRequestParserTests {
    /// Everything the parser makes of `chunks` fed one after another: "head METHOD TARGET",
    /// "body <text>" (consecutive body events joined), "end"; or "error: …".
    static func events(_ chunks: [String]) -> [String] {
        var parser = HTTPRequestParser()
        var out: [String] = []
        var pending = ByteBuffer()
        var body = ""
        do {
            for chunk in chunks {
                pending.writeString(chunk)
                while let event = try parser.next(from: &pending) {
                    switch event {
                    case .head(let head): out.append("head \(head.method) \(head.target)")
                    case .body(let bytes): body += String(buffer: bytes)
                    case .end:
                        if !body.isEmpty { out.append("body \(body)") }
                        body = ""
                        out.append("end")
                    }
                }
            }
        } catch {
            out.append("error: \(error)")
        }
        return out
    }

    static func head(_ text: String) throws -> HTTPRequestHeadLine {
        var parser = HTTPRequestParser()
        var buffer = ByteBuffer(string: text)
        guard case .head(let head)? = try parser.next(from: &buffer) else {
            Issue.record("no head")
            throw HTTPRequestParseError("no head")
        }
        return head
    }

    @Test("whole requests, split anywhere, pipelined: the same events")
    func splitAnywhere() {
        let two = "POST /v1/infers/x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /healthz HTTP/1.1\r\n\r\n"
        let expected = ["head POST /v1/infers/x?y=1", "body hello", "end", "head GET /healthz", "end"]
        #expect(Self.events([two]) == expected)
        let bytes = Array(two.utf8)
        for cut in 1..<bytes.count {
            let a = String(decoding: bytes[..<cut], as: UTF8.self)
            let b = String(decoding: bytes[cut...], as: UTF8.self)
            #expect(Self.events([a, b]) == expected, "cut at \(cut)")
        }
        #expect(Self.events(two.map { String($0) }) == expected, "one byte at a time")
    }

    @Test("chunked bodies: sizes in hex, extensions and trailers ignored")
    func chunked() {
        let request = "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nx-trailer: t\r\n\r\nGET / HTTP/1.1\r\n\r\n"
        #expect(Self.events([request]) == ["head POST /p", "body hello0123456789", "end", "head GET /", "end"])
        let bytes = Array(request.utf8)
        for cut in stride(from: 1, to: bytes.count, by: 3) {
            #expect(Self.events([String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)])
                    == ["head POST /p", "body hello0123456789", "end", "head GET /", "end"], "cut at \(cut)")
        }
    }

    @Test("framing facts: keep-alive by version and connection header, expect, lengths, header values trimmed")
    func headFacts() throws {
        let a = try Self.head("POST / HTTP/1.1\r\nContent-Length: 12\r\nExpect: 100-Continue\r\nX-Thing:  spaced value \t\r\n\r\n")
        #expect(a.contentLength == 12)
        #expect(a.expectsContinue)
        #expect(a.keepAlive)
        #expect(a.minorVersion == 1)
        #expect(a.headers.first(name: "x-thing") == "spaced value")
        let tabs = try Self.head("GET /a/longer/target?x=é HTTP/1.1\r\nX-Tabs: one\ttwo\tthree\tfour words\r\n\r\n")
        #expect(tabs.headers.first(name: "x-tabs") == "one\ttwo\tthree\tfour words")
        #expect(tabs.target == "/a/longer/target?x=é")
        #expect(try Self.head("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").keepAlive == false)
        #expect(try Self.head("GET / HTTP/1.1\r\nConnection: upgrade, close\r\n\r\n").keepAlive == false)
        #expect(try Self.head("GET / HTTP/1.0\r\n\r\n").keepAlive == false)
        #expect(try Self.head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keepAlive)
        #expect(try Self.head("GET / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n").contentLength == 3)
        #expect(try Self.head("\r\n\r\nGET /after-empty-lines HTTP/1.1\r\n\r\n").target == "/after-empty-lines")
    }

    @Test("refused: what could smuggle a request or is not HTTP/1.x", arguments: [
        ("GET / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "conflicting content-length headers"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n", "both transfer-encoding and content-length"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "unsupported transfer-encoding (only chunked)"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "unsupported transfer-encoding (only chunked)"),
        ("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "invalid content-length"),
        ("GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n", "invalid content-length"),
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", "malformed header line"),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "obsolete line folding in a header"),
        ("GET / HTTP/1.1\r\nHost: x\ny: z\r\n\r\n", "bare LF in the request head"),
        ("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "CR without LF in the request head"),
        ("GET / HTTP/1.1\r\nX: a\u{01}b\r\n\r\n", "control character in a header value"),
        ("GET / HTTP/1.1\r\nX: a long value\twith a tab\u{7F} and DEL\r\n\r\n", "control character in a header value"),
        ("GET / HTTP/1.1\r\nX: \ta\tb\tc\td\te\u{1F}\r\n\r\n", "control character in a header value"),
        ("GET /a-long-target\u{7F}x HTTP/1.1\r\n\r\n", "malformed request target"),
        ("GET / HTTP/2.0\r\n\r\n", "unsupported HTTP version (only HTTP/1.0 and HTTP/1.1)"),
        ("GET /\r\n\r\n", "malformed request target"),
        ("\u{16}\u{03}\u{01}\u{02}\u{00}\r\n\r\n", "malformed request line"),
        ("G(T / HTTP/1.1\r\n\r\n", "malformed request line"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n", "chunk data not followed by CRLF"),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", "invalid chunk size"),
    ])
    func refused(request: String, why: String) {
        let events = Self.events([request])
        #expect(events.last == "error: \(why)", "\(events)")
    }

    @Test("a head larger than 64 KiB is refused without waiting for its end; after an error nothing more is read")
    func limits() {
        let huge = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 70_000)
        #expect(Self.events([huge]).last == "error: request head exceeds 65536 bytes")
        var parser = HTTPRequestParser()
        var bad = ByteBuffer(string: "NOT HTTP\r\n\r\n")
        #expect(throws: HTTPRequestParseError.self) { _ = try parser.next(from: &bad) }
        var good = ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n")
        #expect(throws: HTTPRequestParseError.self) { _ = try parser.next(from: &good) }
    }

    @Test("an incomplete head or body asks for more bytes")
    func needsMore() throws {
        var parser = HTTPRequestParser()
        var buffer = ByteBuffer(string: "POST / HTTP/1.1\r\nContent-Length: 4\r\n")
        #expect(try parser.next(from: &buffer) == nil)
        buffer.writeString("\r\nab")
        guard case .head? = try parser.next(from: &buffer) else { Issue.record("head"); return }
        guard case .body(let part)? = try parser.next(from: &buffer) else { Issue.record("body"); return }
        #expect(String(buffer: part) == "ab")
        #expect(try parser.next(from: &buffer) == nil)
        buffer.writeString("cd")
        guard case .body? = try parser.next(from: &buffer) else { Issue.record("rest"); return }
        guard case .end? = try parser.next(from: &buffer) else { Issue.record("end"); return }
    }
}
