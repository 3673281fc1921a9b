import NIOCore
import NIOHTTP1

/// The head of one HTTP/1.x request, with the framing facts the connection handler acts on
/// already worked out.
struct HTTPRequestHeadLine: Sendable {
    /// As sent (methods are case-sensitive): `GET`, `POST`…
    var method: String
    /// The request-target as sent (`/v1/private/x?y=1`).
    var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    var minorVersion: Int
    var headers: HTTPHeaders
    /// The declared body length (`nil`: none declared; chunked bodies have none).
    var contentLength: Int?
    var chunked: Bool
    /// The connection may carry another request after this one.
    var keepAlive: Bool
    /// `expect: 100-continue`: the client waits for `100 Continue` before sending the body.
    var expectsContinue: Bool
}

/// Why bytes are not an acceptable HTTP/1.x request (the connection answers 400 and closes).
struct HTTPRequestParseError: Error, Sendable, Equatable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// An incremental HTTP/1.1 request parser working on the bytes as they arrive: `next(from:)`
/// consumes what it can and returns one event at a time (head, body bytes, end of request).
///
/// Why not NIO's `HTTPRequestDecoder`: behind `ByteToMessageHandler` and llhttp's callbacks it
/// was ~9% of the gateway's CPU on the pass-through hop, more than everything the gateway itself
/// does with a request; a request here costs one scan for the end of the head and one pass over
/// it. It is strict where leniency invites request smuggling: a `transfer-encoding` other than
/// `chunked`, `transfer-encoding` together with `content-length`, differing `content-length`s,
/// obsolete line folding, bare LF line ends, whitespace before a header colon and control
/// characters are all refused.
struct HTTPRequestParser {
    enum Event: Sendable {
        case head(HTTPRequestHeadLine)
        /// Bytes of the body, in order (a slice of the input for fixed-length bodies).
        case body(ByteBuffer)
        case end
    }

    /// Largest head (request line and headers) accepted.
    static let maxHeadBytes = 64 * 1024

    private enum State {
        /// Waiting for a whole head; `scanned` bytes of the input are known to hold no `\r\n\r\n`.
        case head(scanned: Int)
        case fixedBody(remaining: Int)
        /// Waiting for a chunk-size line.
        case chunkSize
        case chunkData(remaining: Int)
        /// The CRLF after a chunk's data.
        case chunkEnd
        /// Trailer lines after the last chunk, up to an empty line.
        case trailers(bytes: Int)
        /// The request is complete: `.end` is the next event.
        case endPending
        /// A parse error was reported: nothing more is read.
        case failed
    }

    private var state = State.head(scanned: 0)

    /// The next event from `buffer`, consuming the bytes it covers; `nil` when more bytes are
    /// needed. Throws on bytes that are not a valid request (and keeps failing afterwards).
    mutating func next(from buffer: inout ByteBuffer) throws -> Event? {
        switch state {
        case .failed:
            throw HTTPRequestParseError("the connection already sent an invalid request")
        case .head(let scanned):
            // RFC 9112 §2.2: empty lines before a request line are ignored.
            if scanned == 0 {
                while buffer.readableBytesView.starts(with: [13, 10]) { buffer.moveReaderIndex(forwardBy: 2) }
            }
            guard let end = ASCIIBytes.headEnd(in: buffer, from: scanned) else {
                if buffer.readableBytes > Self.maxHeadBytes { return try fail("request head exceeds \(Self.maxHeadBytes) bytes") }
                state = .head(scanned: max(0, buffer.readableBytes - 3))
                return nil
            }
            guard end <= Self.maxHeadBytes else { return try fail("request head exceeds \(Self.maxHeadBytes) bytes") }
            let head: HTTPRequestHeadLine
            do {
                head = try buffer.withUnsafeReadableBytes { try Self.parseHead(UnsafeRawBufferPointer(rebasing: $0[..<end])) }
            } catch {
                state = .failed
                throw error
            }
            buffer.moveReaderIndex(forwardBy: end + 4)
            if head.chunked {
                state = .chunkSize
            } else if let length = head.contentLength, length > 0 {
                state = .fixedBody(remaining: length)
            } else {
                state = .endPending
            }
            return .head(head)
        case .fixedBody(let remaining):
            guard let (slice, left) = Self.body(upTo: remaining, from: &buffer) else { return nil }
            state = left == 0 ? .endPending : .fixedBody(remaining: left)
            return .body(slice)
        case .chunkSize:
            guard let lineEnd = ASCIIBytes.crlf(in: buffer) else {
                if buffer.readableBytes > 1024 { return try fail("chunk-size line too long") }
                return nil
            }
            let size = buffer.withUnsafeReadableBytes { bytes in
                Self.chunkSize(UnsafeRawBufferPointer(rebasing: bytes[..<lineEnd]))
            }
            guard let size else { return try fail("invalid chunk size") }
            buffer.moveReaderIndex(forwardBy: lineEnd + 2)
            state = size == 0 ? .trailers(bytes: 0) : .chunkData(remaining: size)
            return try next(from: &buffer)
        case .chunkData(let remaining):
            guard let (slice, left) = Self.body(upTo: remaining, from: &buffer) else { return nil }
            state = left == 0 ? .chunkEnd : .chunkData(remaining: left)
            return .body(slice)
        case .chunkEnd:
            guard buffer.readableBytes >= 2 else { return nil }
            guard buffer.readableBytesView.starts(with: [13, 10]) else { return try fail("chunk data not followed by CRLF") }
            buffer.moveReaderIndex(forwardBy: 2)
            state = .chunkSize
            return try next(from: &buffer)
        case .trailers(let bytes):
            while true {
                guard let lineEnd = ASCIIBytes.crlf(in: buffer) else {
                    if bytes + buffer.readableBytes > Self.maxHeadBytes { return try fail("trailers exceed \(Self.maxHeadBytes) bytes") }
                    state = .trailers(bytes: bytes)
                    return nil
                }
                buffer.moveReaderIndex(forwardBy: lineEnd + 2)
                if lineEnd == 0 { break }
                if bytes + lineEnd > Self.maxHeadBytes { return try fail("trailers exceed \(Self.maxHeadBytes) bytes") }
                state = .trailers(bytes: bytes + lineEnd + 2)
            }
            state = .head(scanned: 0)
            return .end
        case .endPending:
            state = .head(scanned: 0)
            return .end
        }
    }

    private mutating func fail(_ why: String) throws -> Event? {
        state = .failed
        throw HTTPRequestParseError(why)
    }

    // MARK: - Scanning

    /// A chunk-size line: hex digits, optionally `;extensions`. `nil` when invalid or too large.
    static func chunkSize(_ line: UnsafeRawBufferPointer) -> Int? {
        var size = 0
        var digits = 0
        for byte in line {
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A") + 10)
            case UInt8(ascii: ";"), UInt8(ascii: " "), 9:
                return digits > 0 ? size : nil
            default: return nil
            }
            digits += 1
            if digits > 15 { return nil }
            size = size * 16 + value
        }
        return digits > 0 ? size : nil
    }

    // MARK: - The head

    /// Whether `byte` is an RFC 9110 token character (method and header names). A switch, not a
    /// lookup table: a static table costs a `swift_once` check and a bounds check per byte.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// The body bytes at hand, up to `remaining` (a slice, no copy), and how many are still to
    /// come; `nil` when no byte is at hand.
    private static func body(upTo remaining: Int, from buffer: inout ByteBuffer) -> (ByteBuffer, left: Int)? {
        guard buffer.readableBytes > 0 else { return nil }
        let count = min(remaining, buffer.readableBytes)
        return (buffer.readSlice(length: count)!, remaining - count)
    }

    /// Parses request line and header lines (without the final empty line).
    static func parseHead(_ bytes: UnsafeRawBufferPointer) throws -> HTTPRequestHeadLine {
        // Request line: method SP target SP HTTP/1.x
        var i = 0
        let count = bytes.count
        let lineEnd = try lineEndIndex(bytes, from: 0)
        while i < lineEnd && isTokenByte(bytes[i]) { i += 1 }
        guard i > 0, i < lineEnd, bytes[i] == UInt8(ascii: " ") else { throw HTTPRequestParseError("malformed request line") }
        let method = ASCIIBytes.token(UnsafeRawBufferPointer(rebasing: bytes[0..<i]))
        let targetStart = i + 1
        let j = ASCIIBytes.firstControl(in: bytes, from: targetStart, to: lineEnd, below: 0x21)
        guard j > targetStart, j < lineEnd, bytes[j] == UInt8(ascii: " ") else { throw HTTPRequestParseError("malformed request target") }
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[targetStart..<j]), as: UTF8.self)
        let version = UnsafeRawBufferPointer(rebasing: bytes[(j + 1)..<lineEnd])
        let minor: Int
        if ASCIIBytes.equals(version, "HTTP/1.1") {
            minor = 1
        } else if ASCIIBytes.equals(version, "HTTP/1.0") {
            minor = 0
        } else {
            throw HTTPRequestParseError("unsupported HTTP version (only HTTP/1.0 and HTTP/1.1)")
        }

        // Collected as pairs, made `HTTPHeaders` once: its `add` checks every name for non-ASCII
        // bytes one `String.Index` at a time (about 2% of a pass-through request), and the
        // names here are already known to be tokens (ASCII).
        var headers: [(String, String)] = []
        headers.reserveCapacity(8)
        var contentLength: Int?
        var transferEncoding = false
        var chunked = false
        var closeToken = false
        var keepAliveToken = false
        var expectsContinue = false
        var lineStart = lineEnd + 2
        while lineStart < count {
            let end = try lineEndIndex(bytes, from: lineStart)
            if bytes[lineStart] == UInt8(ascii: " ") || bytes[lineStart] == 9 {
                throw HTTPRequestParseError("obsolete line folding in a header")
            }
            var colon = lineStart
            while colon < end && isTokenByte(bytes[colon]) { colon += 1 }
            guard colon > lineStart, colon < end, bytes[colon] == UInt8(ascii: ":") else {
                throw HTTPRequestParseError("malformed header line")
            }
            var valueStart = colon + 1
            var valueEnd = end
            while valueStart < valueEnd && (bytes[valueStart] == 32 || bytes[valueStart] == 9) { valueStart += 1 }
            while valueEnd > valueStart && (bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9) { valueEnd -= 1 }
            var k = ASCIIBytes.firstControl(in: bytes, from: valueStart, to: valueEnd, below: 0x20)
            while k < valueEnd {  // a tab is allowed inside a value; anything else stops it
                guard bytes[k] == 9 else { throw HTTPRequestParseError("control character in a header value") }
                k = ASCIIBytes.firstControl(in: bytes, from: k + 1, to: valueEnd, below: 0x20)
            }
            let name = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<colon])
            let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
            if ASCIIBytes.equalsLowercase(name, "content-length") {
                guard let length = decimal(value) else { throw HTTPRequestParseError("invalid content-length") }
                if let contentLength, contentLength != length { throw HTTPRequestParseError("conflicting content-length headers") }
                contentLength = length
            } else if ASCIIBytes.equalsLowercase(name, "transfer-encoding") {
                // Only `chunked`, and last (RFC 9112 §6.3): anything else cannot be framed here.
                guard !chunked, ASCIIBytes.equalsLowercase(value, "chunked") else {
                    throw HTTPRequestParseError("unsupported transfer-encoding (only chunked)")
                }
                transferEncoding = true
                chunked = true
            } else if ASCIIBytes.equalsLowercase(name, "connection") {
                forEachToken(value) { token in
                    if ASCIIBytes.equalsLowercase(token, "close") { closeToken = true }
                    if ASCIIBytes.equalsLowercase(token, "keep-alive") { keepAliveToken = true }
                }
            } else if ASCIIBytes.equalsLowercase(name, "expect") {
                expectsContinue = ASCIIBytes.equalsLowercase(value, "100-continue")
            }
            headers.append((ASCIIBytes.token(name), ASCIIBytes.headerValue(value)))
            lineStart = end + 2
        }
        if transferEncoding && contentLength != nil {
            throw HTTPRequestParseError("both transfer-encoding and content-length")
        }
        // HTTP/1.1 connections persist unless closed; HTTP/1.0 ones only when asked to.
        let keepAlive = minor == 1 ? !closeToken : keepAliveToken && !closeToken
        return HTTPRequestHeadLine(
            method: method, target: target, minorVersion: minor, headers: HTTPHeaders(headers), contentLength: contentLength,
            chunked: chunked, keepAlive: keepAlive, expectsContinue: expectsContinue)
    }

    /// Index of the CR of the next CRLF at or after `from`, or the end of the head (its last
    /// line has no CRLF here). A CR without LF or a bare LF is an error.
    private static func lineEndIndex(_ bytes: UnsafeRawBufferPointer, from: Int) throws -> Int {
        let lf = ASCIIBytes.firstIndex(of: 10, in: bytes, from: from)
        // A CR before the line's own CR LF (or anywhere in the last line) has no LF after it.
        let contentEnd = lf.map { $0 - 1 } ?? bytes.count
        if ASCIIBytes.firstIndex(of: 13, in: bytes, from: from, end: max(from, contentEnd)) != nil {
            throw HTTPRequestParseError("CR without LF in the request head")
        }
        guard let lf else { return bytes.count }
        guard lf > from, bytes[lf - 1] == 13 else { throw HTTPRequestParseError("bare LF in the request head") }
        return lf - 1
    }


    /// A non-negative decimal with at most 18 digits.
    static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for b in bytes {
            guard b >= 48 && b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        return value
    }

    /// Calls `body` with each comma-separated token of a header value, trimmed.
    static func forEachToken(_ value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        for i in 0...value.count where i == value.count || value[i] == UInt8(ascii: ",") {
            var s = start
            var e = i
            while s < e && (value[s] == 32 || value[s] == 9) { s += 1 }
            while e > s && (value[e - 1] == 32 || value[e - 1] == 9) { e -= 1 }
            if e > s { body(UnsafeRawBufferPointer(rebasing: value[s..<e])) }
            start = i + 1
        }
    }
}
