@testable import AthenaGateway
import NIOCore
import Testing

@Suite("Line ends in HTTP heads (ASCIIBytes)")
struct ASCIIBytesLineEndTests {
    private func with<T>(_ text: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        Array(text.utf8).withUnsafeBytes(body)
    }

    @Test("firstIndex: within [from, end), nil outside or on an empty range")
    func firstIndex() {
        with("a:b:c") { bytes in
            #expect(ASCIIBytes.firstIndex(of: 58, in: bytes, from: 0) == 1)
            #expect(ASCIIBytes.firstIndex(of: 58, in: bytes, from: 2) == 3)
            #expect(ASCIIBytes.firstIndex(of: 58, in: bytes, from: 2, end: 3) == nil)
            #expect(ASCIIBytes.firstIndex(of: 58, in: bytes, from: 4) == nil)
            #expect(ASCIIBytes.firstIndex(of: 58, in: bytes, from: 5) == nil)
            #expect(ASCIIBytes.firstIndex(of: 58, in: bytes, from: 3, end: 2) == nil)
        }
        with("") { #expect(ASCIIBytes.firstIndex(of: 10, in: $0, from: 0) == nil) }
    }

    @Test("crlf: the CR of the first CR LF; a bare LF or a lone CR is skipped")
    func crlf() {
        with("ab\nc\rd\r\ne") { #expect(ASCIIBytes.crlf(in: $0) == 6) }
        with("\r\nx") { #expect(ASCIIBytes.crlf(in: $0) == 0) }
        with("x\r\ny\r\n") { #expect(ASCIIBytes.crlf(in: $0, from: 1) == 1) }
        with("x\r\ny\r\n") { #expect(ASCIIBytes.crlf(in: $0, from: 2) == 4) }
        with("\n\nx\r") { #expect(ASCIIBytes.crlf(in: $0) == nil) }
    }

    @Test("headEnd: the first CR LF CR LF at or after from, across bare LFs")
    func headEnd() {
        let head = "GET / HTTP/1.1\r\nHost: x\r\n\r\nbody"
        with(head) { #expect(ASCIIBytes.headEnd(in: $0) == 23) }
        with(head) { #expect(ASCIIBytes.headEnd(in: $0, from: 23) == 23) }
        with(head) { #expect(ASCIIBytes.headEnd(in: $0, from: 24) == nil) }
        with("a\n\r\n\r\n") { #expect(ASCIIBytes.headEnd(in: $0) == 2) }
        with("a\r\n\n\r\n") { #expect(ASCIIBytes.headEnd(in: $0) == nil) }
        with("\r\n\r") { #expect(ASCIIBytes.headEnd(in: $0) == nil) }
    }
}

@Suite("Strings checked on their UTF-8 (ASCIIBytes)")
struct ASCIIBytesStringTests {
    @Test("hasPrefix/hasSuffix ignore ASCII case only, and never read past the text")
    func prefixSuffix() {
        #expect(ASCIIBytes.hasPrefix("Application/JSON; charset=utf-8", lowercase: "application/json"))
        #expect(ASCIIBytes.hasPrefix("application/json", lowercase: "application/json"))
        #expect(!ASCIIBytes.hasPrefix("application/jso", lowercase: "application/json"))
        #expect(!ASCIIBytes.hasPrefix("", lowercase: "text/"))
        #expect(ASCIIBytes.hasSuffix("application/vnd.api+JSON", lowercase: "+json"))
        #expect(!ASCIIBytes.hasSuffix("json", lowercase: "+json"))
        // Only A–Z fold: bytes that differ by 0x20 elsewhere do not match.
        #expect(!ASCIIBytes.hasPrefix("\u{0D}", lowercase: "-"))
        #expect(!ASCIIBytes.hasPrefix("TEXT\u{0F}", lowercase: "text/"))
        // A long (heap) string and a non-ASCII one.
        let long = "multipart/form-data; boundary=" + String(repeating: "x", count: 200)
        #expect(ASCIIBytes.hasPrefix(long, lowercase: "multipart/form-data"))
        #expect(!ASCIIBytes.hasPrefix("数字/json", lowercase: "text/"))
    }

    @Test("contains and firstOffset see every byte, multi-byte characters included")
    func bytes() {
        #expect(ASCIIBytes.contains("a\r\nb") { $0 == 10 })
        #expect(!ASCIIBytes.contains("abc") { $0 == 10 })
        #expect(ASCIIBytes.firstOffset(in: "/数?x=1", where: { $0 == UInt8(ascii: "?") }) == 4)
        #expect(ASCIIBytes.firstOffset(in: "/a/b", where: { $0 == UInt8(ascii: "?") }) == nil)
        #expect(GatewayHTTPRequest.path(ofTarget: "/数/b?x=1#f") == "/数/b")
        #expect(GatewayHTTPRequest.path(ofTarget: "/a#f?x") == "/a")
        #expect(GatewayHTTPRequest.path(ofTarget: "/a") == "/a")
    }
}

@Suite("HTTP heads counted, then copied (HeadLength, ReservedBytes)")
struct HeadWriterTests {
    private func head(_ pieces: (inout HeadLength) -> Void, _ copy: (inout ReservedBytes) -> Void) -> String {
        var length = HeadLength()
        pieces(&length)
        var buffer = ByteBuffer()
        buffer.writeCounted(length, copy)
        return String(buffer: buffer)
    }

    @Test("literals, strings (small, heap, non-ASCII) and decimals")
    func pieces() {
        let long = String(repeating: "sid", count: 30)
        func put<Sink: HeadSink>(_ out: inout Sink) {
            out.put("HTTP/1.1 ")
            out.putDecimal(200)
            out.put(" x: ")
            out.put(long)
            out.put(" 数字 ")
            out.put("")
            out.putDecimal(0)
            out.put(" ")
            out.putDecimal(-42)
            out.put(" ")
            out.putDecimal(1_234_567_890)
        }
        #expect(head({ put(&$0) }, { put(&$0) }) == "HTTP/1.1 200 x: \(long) 数字 0 -42 1234567890")
        #expect(ASCIIBytes.decimalDigits(0) == 1)
        #expect(ASCIIBytes.decimalDigits(9) == 1)
        #expect(ASCIIBytes.decimalDigits(10) == 2)
        #expect(ASCIIBytes.decimalDigits(-7) == 2)
    }

    @Test("the answer head: status, framing, x-athena headers, connection")
    func responseHead() {
        var response = GatewayHTTPResponse(status: .notFound, body: ByteBuffer(string: "{}"), sid: "s1", service: "svc", version: "v1", code: 10404)
        response.headers = [(name: "retry-after", value: "1")]
        var out = ByteBuffer()
        GatewayHTTPHandler.writeHead(response, keepAlive: false, http10: false, into: &out)
        #expect(String(buffer: out) == "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\nx-athena-sid: s1\r\nx-athena-service: svc\r\nx-athena-version: v1\r\nx-athena-code: 10404\r\nretry-after: 1\r\nconnection: close\r\n\r\n")
        out.clear()
        GatewayHTTPHandler.writeHead(GatewayHTTPResponse(body: ByteBuffer(), sid: "s2"), keepAlive: true, http10: true, framing: .chunked, into: &out)
        #expect(String(buffer: out) == "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nx-athena-sid: s2\r\nconnection: keep-alive\r\n\r\n")
    }
}

@Suite("Case-insensitive compares and tokens (ASCIIBytes)")
struct ASCIIBytesCompareTests {
    /// What equalsLowercase must answer, one byte at a time.
    private func expected(_ bytes: [UInt8], _ literal: String) -> Bool {
        let lit = Array(literal.utf8)
        guard bytes.count == lit.count else { return false }
        return zip(bytes, lit).allSatisfy { b, l in (b >= 65 && b <= 90 ? b + 32 : b) == l }
    }

    @Test("every byte value at every position of one-word, two-word and tail-only literals")
    func everyByte() {
        let literals: [StaticString] = ["content-length", "application/json", "close", "x", "transfer-encoding", "12345678"]
        for literal in literals {
            let text = literal.description
            let base = Array(text.utf8)
            for position in base.indices {
                for value in 0...255 {
                    var bytes = base
                    bytes[position] = UInt8(value)
                    let got = bytes.withUnsafeBytes { ASCIIBytes.equalsLowercase($0, literal) }
                    if got != expected(bytes, text) {
                        Issue.record("\(text): byte \(value) at \(position) gave \(got)")
                        return
                    }
                }
            }
            // Upper case everywhere still matches; one byte longer or shorter never does.
            #expect(Array(text.uppercased().utf8).withUnsafeBytes { ASCIIBytes.equalsLowercase($0, literal) })
            #expect(!(base + [0x20]).withUnsafeBytes { ASCIIBytes.equalsLowercase($0, literal) })
            #expect(!Array(base.dropLast()).withUnsafeBytes { ASCIIBytes.equalsLowercase($0, literal) })
        }
        #expect([UInt8]().withUnsafeBytes { ASCIIBytes.equalsLowercase($0, "") })
    }

    @Test("tokens: common names come back as sent, others decoded")
    func tokens() {
        for text in ["GET", "POST", "Host", "host", "Content-Type", "content-length", "User-Agent", "X-Custom", "PUT", "HOST", "数"] {
            #expect(Array(text.utf8).withUnsafeBytes { ASCIIBytes.token($0) } == text)
        }
        #expect([UInt8]().withUnsafeBytes { ASCIIBytes.token($0) } == "")
    }

    @Test("firstControl finds the first byte below the bound or DEL, eight at a time, as a byte loop would")
    func firstControl() {
        for bound: UInt8 in [0x20, 0x21] {
            for position in 0..<19 {
                for value in 0...255 {
                    var bytes = Array(repeating: UInt8(ascii: "a"), count: 19)
                    bytes[position] = UInt8(value)
                    let stops = UInt8(value) < bound || value == 0x7F
                    for from in [0, 1, 9] {
                        let got = bytes.withUnsafeBytes { ASCIIBytes.firstControl(in: $0, from: from, to: 19, below: bound) }
                        #expect(got == (stops && position >= from ? position : 19), "byte \(value) at \(position) from \(from), bound \(bound)")
                    }
                    // A stop beyond `end` is not seen.
                    let short = bytes.withUnsafeBytes { ASCIIBytes.firstControl(in: $0, from: 0, to: position, below: bound) }
                    #expect(short == position)
                }
            }
            // Two stops in one word: the first counts (a false flag can only sit above a true one).
            for first in 0..<8 {
                for second in (first + 1)..<8 {
                    var bytes = Array(repeating: UInt8(ascii: "a"), count: 16)
                    bytes[first] = 0x7F
                    bytes[second] = 0x00
                    #expect(bytes.withUnsafeBytes { ASCIIBytes.firstControl(in: $0, from: 0, to: 16, below: bound) } == first)
                    bytes[first] = 0x01
                    bytes[second] = 0x7F
                    #expect(bytes.withUnsafeBytes { ASCIIBytes.firstControl(in: $0, from: 0, to: 16, below: bound) } == first)
                }
            }
        }
    }
}
