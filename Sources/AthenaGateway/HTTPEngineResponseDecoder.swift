import Foundation
import NIOCore

/// Decodes the HTTP/1.1 answers of a plain HTTP engine into whole replies: status, content
/// type, keep-alive and the body (by `content-length`, `chunked`, or until the engine closes).
///
/// Why not NIO's `HTTPResponseDecoder`: it must observe every request head written (to know
/// HEAD answers have no body), which forces NIO's request encoder and three boxed writes per
/// request, and it hands out heads, body parts and ends separately. The engine hop only needs
/// one complete answer per request; this costs a fraction and keeps the request one buffer.
struct HTTPEngineResponseDecoder: ByteToMessageDecoder {
    typealias InboundOut = HTTPEngineReply

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

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        switch state {
        case .head:
            guard let end = Self.find(crlfcrlf: buffer) else {
                if buffer.readableBytes > Self.maxHeadBytes { throw HTTPEngineConnectionError.malformed("response head over \(Self.maxHeadBytes) bytes") }
                return .needMoreData
            }
            let text = buffer.readString(length: end + 4) ?? ""
            try parseHead(text, context: context)
            return .continue
        case .fixed(var head, let remaining):
            let take = min(remaining, buffer.readableBytes)
            guard take > 0 else { return .needMoreData }
            var slice = buffer.readSlice(length: take)!
            head.body.writeBuffer(&slice)
            try checkSize(head)
            if remaining - take == 0 {
                finish(head, context: context)
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
            if line.isEmpty { finish(head, context: context) }
            return .continue
        case .untilClose(var head):
            guard buffer.readableBytes > 0 else { return .needMoreData }
            head.body.writeBuffer(&buffer)
            try checkSize(head)
            state = .untilClose(head)
            return .needMoreData
        }
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        switch state {
        case .untilClose(let head) where seenEOF:
            finish(head, context: context)
        case .head where buffer.readableBytes == 0:
            break  // closed between answers (or before any): the connection handler decides
        default:
            state = .head
            throw HTTPEngineConnectionError.closedDuringResponse
        }
        return .needMoreData
    }

    // MARK: - Pieces

    private mutating func parseHead(_ text: String, context: ChannelHandlerContext) throws {
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)[...]
        guard let statusLine = lines.popFirst(), statusLine.hasPrefix("HTTP/1.") else {
            throw HTTPEngineConnectionError.malformed("not an HTTP/1.x status line")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]), (100..<1000).contains(status) else {
            throw HTTPEngineConnectionError.malformed("bad status line \(statusLine.prefix(80))")
        }
        let http10 = parts[0] == "HTTP/1.0"
        var contentLength: Int?
        var chunked = false
        var connection: String?
        var contentType: String?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw HTTPEngineConnectionError.malformed("bad header line") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-length":
                guard let length = Int(value), length >= 0 else { throw HTTPEngineConnectionError.malformed("bad content-length \(value)") }
                contentLength = length
            case "transfer-encoding":
                chunked = value.lowercased().hasSuffix("chunked")
            case "connection":
                connection = value.lowercased()
            case "content-type":
                contentType = value
            default:
                break
            }
        }
        // 1xx interim answers (100 Continue, 103 Early Hints) are skipped.
        if status < 200 && status != 101 { return }
        let keepAlive = http10 ? connection == "keep-alive" : connection != "close"
        let head = Head(status: status, contentType: contentType, keepAlive: keepAlive, body: context.channel.allocator.buffer(capacity: min(contentLength ?? 0, 1 << 20)))
        if status == 204 || status == 304 {
            finish(head, context: context)
        } else if chunked {
            state = .chunkSize(head)
        } else if let contentLength {
            if contentLength == 0 { finish(head, context: context) } else { state = .fixed(head, remaining: contentLength) }
        } else {
            var closing = head
            closing.keepAlive = false
            state = .untilClose(closing)
        }
    }

    private mutating func finish(_ head: Head, context: ChannelHandlerContext) {
        state = .head
        context.fireChannelRead(wrapInboundOut(HTTPEngineReply(status: head.status, contentType: head.contentType, body: head.body, keepAlive: head.keepAlive)))
    }

    private func checkSize(_ head: Head) throws {
        if head.body.readableBytes > HTTPEngineConnectionHandler.maxResponseBytes { throw HTTPEngineConnectionError.responseTooLarge }
    }

    /// Offset of the first `\r\n\r\n` in the readable bytes.
    private static func find(crlfcrlf buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count >= 4 else { return nil }
            var i = 0
            while i + 3 < bytes.count {
                if bytes[i + 3] == 10 && bytes[i + 2] == 13 && bytes[i + 1] == 10 && bytes[i] == 13 { return i }
                i += 1
            }
            return nil
        }
    }

    /// A line without its CRLF, or `nil` (nothing consumed) when the line is not complete.
    private static func readLine(_ buffer: inout ByteBuffer) throws -> String? {
        guard let end = buffer.withUnsafeReadableBytes({ bytes -> Int? in
            var i = 0
            while i + 1 < bytes.count {
                if bytes[i] == 13 && bytes[i + 1] == 10 { return i }
                i += 1
            }
            return nil
        }) else {
            if buffer.readableBytes > maxHeadBytes { throw HTTPEngineConnectionError.malformed("chunk line over \(maxHeadBytes) bytes") }
            return nil
        }
        let line = buffer.readString(length: end) ?? ""
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}
