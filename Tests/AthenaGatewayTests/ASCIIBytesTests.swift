@testable import AthenaGateway
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
