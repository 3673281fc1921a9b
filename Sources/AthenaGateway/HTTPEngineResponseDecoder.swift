import Foundation
import NIOCore

/// Decodes the HTTP/1.1 answers of a plain HTTP engine into whole replies: status, content
/// type, keep-alive and the body (by `content-length`, `chunked`, or until the engine closes).
///
/// Why not NIO's `HTTPResponseDecoder`: it must observe every request head written (to know
/// HEAD answers have no body), which forces NIO's request encoder and three boxed writes per
/// request, and it hands out heads, body parts and ends separately. The engine hop only needs
/// one complete answer per request; this costs a fraction and keeps the request one buffer.
///
/// Not a `ByteToMessageDecoder` either: ``HTTPEngineConnectionHandler`` calls ``next(_:)`` from
/// its own `channelRead` and resumes the waiting request with the answer, without a second
/// handler, an `NIOAny` box per answer and `ByteToMessageHandler`'s buffer bookkeeping.
struct HTTPEngineResponseDecoder {
    /// What one decoding step did.
    enum Step { case `continue`, needMoreData }

    static let maxHeadBytes = 64 * 1024

    private enum State {
        case head
        case fixed(Head, remaining: Int)
        case chunkSize(Head)
        case chunkData(Head, remaining: Int)
        case trailers(Head)
        case untilClose(Head)
    }

    private struct Head {
        var status: Int
        var contentType: String?
        var keepAlive: Bool
        var body: ByteBuffer
    }

    private var state = State.head
    /// The answer the last step completed.
    private var completed: HTTPEngineReply?

    /// Consumes what it can of `buffer` and returns the next whole answer, or `nil` when more
    /// bytes are needed (what is left in `buffer` must be passed again, with what follows).
    mutating func next(_ buffer: inout ByteBuffer) throws -> HTTPEngineReply? {
        while completed == nil, try step(&buffer) == .continue {}
        defer { completed = nil }
        return completed
    }

    /// The connection closed: the answer that ends with the close (no length given), `nil`
    /// between answers, or `closedDuringResponse` for an answer cut short. Call after
    /// ``next(_:)`` returned `nil`.
    mutating func end(_ buffer: inout ByteBuffer) throws -> HTTPEngineReply? {
        switch state {
        case .untilClose(var head):
            head.body.writeBuffer(&buffer)
            try checkSize(head)
            state = .head
            return HTTPEngineReply(status: head.status, contentType: head.contentType, body: head.body, keepAlive: head.keepAlive)
        case .head where buffer.readableBytes == 0:
            return nil  // closed between answers (or before any): the connection handler decides
        default:
            state = .head
            throw HTTPEngineConnectionError.closedDuringResponse
        }
    }

    private mutating func step(_ buffer: inout ByteBuffer) throws -> Step {
        switch state {
        case .head:
            guard let end = ASCIIBytes.headEnd(in: buffer) else {
                if buffer.readableBytes > Self.maxHeadBytes { throw HTTPEngineConnectionError.malformed("response head over \(Self.maxHeadBytes) bytes") }
                return .needMoreData
            }
            let parsed = try buffer.withUnsafeReadableBytes { bytes in try Self.parseHead(UnsafeRawBufferPointer(rebasing: bytes[0..<end])) }
            buffer.moveReaderIndex(forwardBy: end + 4)
            start(parsed)
            return .continue
        case .fixed(var head, let remaining):
            let take = min(remaining, buffer.readableBytes)
            guard take > 0 else { return .needMoreData }
            if head.body.readableBytes == 0 && take == remaining {
                // The whole body is here (the usual case): hand it on as a slice, no copy.
                head.body = buffer.readSlice(length: take)!
                try checkSize(head)
                finish(head)
                return .continue
            }
            if head.body.capacity == 0 { head.body = ByteBufferAllocator().buffer(capacity: min(remaining, 1 << 20)) }
            var slice = buffer.readSlice(length: take)!
            head.body.writeBuffer(&slice)
            try checkSize(head)
            if remaining - take == 0 {
                finish(head)
            } else {
                state = .fixed(head, remaining: remaining - take)
            }
            return .continue
        case .chunkSize(let head):
            guard let line = try Self.readLine(&buffer) else { return .needMoreData }
            let digits = line.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let size = Int(digits, radix: 16), size >= 0 else { throw HTTPEngineConnectionError.malformed("bad chunk size \(line)") }
            state = size == 0 ? .trailers(head) : .chunkData(head, remaining: size + 2)
            return .continue
        case .chunkData(var head, let remaining):
            guard buffer.readableBytes >= remaining else {
                // Take what is there, minus the chunk's closing CRLF.
                let take = min(buffer.readableBytes, remaining - 2)
                guard take > 0 else { return .needMoreData }
                var slice = buffer.readSlice(length: take)!
                head.body.writeBuffer(&slice)
                try checkSize(head)
                state = .chunkData(head, remaining: remaining - take)
                return .needMoreData
            }
            var slice = buffer.readSlice(length: remaining - 2)!
            head.body.writeBuffer(&slice)
            buffer.moveReaderIndex(forwardBy: 2)
            try checkSize(head)
            state = .chunkSize(head)
            return .continue
        case .trailers(let head):
            guard let line = try Self.readLine(&buffer) else { return .needMoreData }
            if line.isEmpty { finish(head) }
            return .continue
        case .untilClose(var head):
            guard buffer.readableBytes > 0 else { return .needMoreData }
            head.body.writeBuffer(&buffer)
            try checkSize(head)
            state = .untilClose(head)
            return .needMoreData
        }
    }

    // MARK: - Pieces

    /// What the head says about the body.
    private struct ParsedHead {
        var status: Int
        var http10: Bool
        var contentLength: Int?
        var chunked = false
        var connectionClose = false
        var connectionKeepAlive = false
        var contentType: String?
    }

    /// Parses the status line and the headers the gateway needs, straight from the bytes
    /// (head without the final CRLF CRLF).
    private static func parseHead(_ bytes: UnsafeRawBufferPointer) throws -> ParsedHead {
        // "HTTP/1.x SSS reason"
        guard bytes.count >= 12, bytes[0] == 72, bytes[1] == 84, bytes[2] == 84, bytes[3] == 80, bytes[4] == 47,
              bytes[5] == 49, bytes[6] == 46, bytes[8] == 32
        else { throw HTTPEngineConnectionError.malformed("not an HTTP/1.x status line") }
        var status = 0
        for i in 9..<12 {
            let d = Int(bytes[i]) - 48
            guard d >= 0 && d <= 9 else { throw HTTPEngineConnectionError.malformed("bad status code") }
            status = status * 10 + d
        }
        guard status >= 100, bytes.count == 12 || bytes[12] == 32 || bytes[12] == 13 else {
            throw HTTPEngineConnectionError.malformed("bad status code")
        }
        var head = ParsedHead(status: status, http10: bytes[7] == 48)
        // Skip the rest of the status line.
        var i = (ASCIIBytes.crlf(in: bytes, from: 12) ?? bytes.count) + 2
        while i < bytes.count {
            let lineEnd = ASCIIBytes.crlf(in: bytes, from: i) ?? bytes.count
            guard let colon = ASCIIBytes.firstIndex(of: 58, in: bytes, from: i, end: lineEnd), colon > i else {
                throw HTTPEngineConnectionError.malformed("bad header line")
            }
            var valueStart = colon + 1
            while valueStart < lineEnd && (bytes[valueStart] == 32 || bytes[valueStart] == 9) { valueStart += 1 }
            var valueEnd = lineEnd
            while valueEnd > valueStart && (bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9) { valueEnd -= 1 }
            let name = UnsafeRawBufferPointer(rebasing: bytes[i..<colon])
            let value = UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd])
            if ASCIIBytes.equalsLowercase(name, "content-length") {
                var length = 0
                guard !value.isEmpty, value.count <= 18 else { throw HTTPEngineConnectionError.malformed("bad content-length") }
                for byte in value {
                    let d = Int(byte) - 48
                    guard d >= 0 && d <= 9 else { throw HTTPEngineConnectionError.malformed("bad content-length") }
                    length = length * 10 + d
                }
                head.contentLength = length
            } else if ASCIIBytes.equalsLowercase(name, "transfer-encoding") {
                head.chunked = value.count >= 7 && ASCIIBytes.equalsLowercase(UnsafeRawBufferPointer(rebasing: value[(value.count - 7)...]), "chunked")
            } else if ASCIIBytes.equalsLowercase(name, "connection") {
                head.connectionClose = ASCIIBytes.equalsLowercase(value, "close")
                head.connectionKeepAlive = ASCIIBytes.equalsLowercase(value, "keep-alive")
            } else if ASCIIBytes.equalsLowercase(name, "content-type") {
                head.contentType = ASCIIBytes.headerValue(value)
            }
            i = lineEnd + 2
        }
        return head
    }


    private mutating func start(_ parsed: ParsedHead) {
        // 1xx interim answers (100 Continue, 103 Early Hints) are skipped.
        if parsed.status < 200 && parsed.status != 101 { return }
        let keepAlive = parsed.http10 ? parsed.connectionKeepAlive : !parsed.connectionClose
        // The body buffer is made when a body arrives in pieces (a whole one is passed as a slice).
        let head = Head(status: parsed.status, contentType: parsed.contentType, keepAlive: keepAlive, body: ByteBuffer())
        if parsed.status == 204 || parsed.status == 304 {
            finish(head)
        } else if parsed.chunked {
            state = .chunkSize(head)
        } else if let contentLength = parsed.contentLength {
            if contentLength == 0 { finish(head) } else { state = .fixed(head, remaining: contentLength) }
        } else {
            var closing = head
            closing.keepAlive = false
            state = .untilClose(closing)
        }
    }

    private mutating func finish(_ head: Head) {
        state = .head
        completed = HTTPEngineReply(status: head.status, contentType: head.contentType, body: head.body, keepAlive: head.keepAlive)
    }

    private func checkSize(_ head: Head) throws {
        if head.body.readableBytes > HTTPEngineConnectionHandler.maxResponseBytes { throw HTTPEngineConnectionError.responseTooLarge }
    }

    /// A line without its CRLF, or `nil` (nothing consumed) when the line is not complete.
    private static func readLine(_ buffer: inout ByteBuffer) throws -> String? {
        guard let end = ASCIIBytes.crlf(in: buffer) else {
            if buffer.readableBytes > maxHeadBytes { throw HTTPEngineConnectionError.malformed("chunk line over \(maxHeadBytes) bytes") }
            return nil
        }
        let line = buffer.readString(length: end) ?? ""
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}
