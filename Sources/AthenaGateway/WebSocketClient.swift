import Foundation
public import NIOCore
import NIOPosix
public import NIOWebSocket

/// A small WebSocket client (RFC 6455, plain `ws://`) for the gateway's session front-end: what
/// `athena call --ws` and the tests use. One connection; messages are sent whole (or as given
/// fragments) and received whole (fragments joined); pings are answered.
///
/// ```swift
/// let ws = try await WebSocketClient.connect(host: "127.0.0.1", port: 1888, path: "/v1/private/upper")
/// try await ws.send(text: #"{"payload":{…,"status":0}}"#)
/// while case .text(let json)? = try await ws.receive() { print(json) }
/// ```
///
/// One task receives at a time, and one sends (`@unchecked Sendable`: the receiving state is
/// touched by the receiving task only). The stream iterator is kept here: dropping it would end
/// the stream.
public final class WebSocketClient: @unchecked Sendable {
    /// A message from the server.
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        /// The server's close frame: its status code (nil when it sent none) and reason.
        case close(code: Int?, reason: String)
        case pong([UInt8])
    }

    /// The server answered the handshake with something other than `101`.
    public struct HandshakeRefused: Error, CustomStringConvertible {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: String

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public var description: String { "WebSocket handshake refused: HTTP \(status) \(body)" }
    }

    /// The connection broke or the server broke the protocol.
    public struct ProtocolError: Error, CustomStringConvertible {
        public let description: String
    }

    private let channel: any Channel
    private var inbound: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
    private var buffer: ByteBuffer
    private var closeSent = false
    /// The `101`'s headers (`x-athena-sid`…).
    public let handshakeHeaders: [(name: String, value: String)]

    private init(channel: any Channel, inbound: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator, buffer: ByteBuffer,
                 handshakeHeaders: [(name: String, value: String)]) {
        self.channel = channel
        self.inbound = inbound
        self.buffer = buffer
        self.handshakeHeaders = handshakeHeaders
    }

    /// Connects and runs the opening handshake. Throws ``HandshakeRefused`` with the server's
    /// answer when it does not switch protocols (the gateway's ASE error, for instance).
    public static func connect(
        host: String, port: Int, path: String, headers: [(name: String, value: String)] = [],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> WebSocketClient {
        let (stream, input) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ByteCollector(input)) }
            }
            .connect(host: host, port: port).get()
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request))

        var iterator = stream.makeAsyncIterator()
        var received = ByteBuffer()
        var headEnd: Int?
        while headEnd == nil {
            guard var chunk = try await iterator.next() else { throw ProtocolError(description: "the server closed during the handshake") }
            received.writeBuffer(&chunk)
            headEnd = received.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8))?.upperBound
            if received.readableBytes > 64 * 1024 && headEnd == nil { throw ProtocolError(description: "handshake answer too long") }
        }
        let headLength = headEnd! - received.readerIndex
        let head = received.readString(length: headLength) ?? ""
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.isEmpty ? "" : lines.removeFirst()
        let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        let answerHeaders: [(name: String, value: String)] = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        func value(_ name: String) -> String? { answerHeaders.first { $0.name.lowercased() == name }?.value }
        guard status == 101 else {
            // Read the error body (content-length) for the caller.
            let length = Int(value("content-length") ?? "0") ?? 0
            while received.readableBytes < length, var chunk = try await iterator.next() { received.writeBuffer(&chunk) }
            let body = received.readString(length: min(length, received.readableBytes)) ?? ""
            try? await channel.close()
            throw HandshakeRefused(status: status, headers: answerHeaders, body: body)
        }
        guard value("sec-websocket-accept") == WebSocketSessionHandler.acceptValue(forKey: key) else {
            try? await channel.close()
            throw ProtocolError(description: "wrong Sec-WebSocket-Accept in the handshake answer")
        }
        return WebSocketClient(channel: channel, inbound: iterator, buffer: received, handshakeHeaders: answerHeaders)
    }

    /// Sends a text message (one frame).
    public func send(text: String) async throws {
        try await send(opcode: .text, data: Array(text.utf8))
    }

    /// Sends one frame, masked as a client must (RFC 6455 §5.3). `fin: false` starts or continues
    /// a fragmented message.
    public func send(opcode: WebSocketOpcode, data: [UInt8], fin: Bool = true) async throws {
        var frame = ByteBuffer()
        frame.reserveCapacity(data.count + 14)
        frame.writeInteger(UInt8(fin ? 0x80 : 0) | UInt8(webSocketOpcode: opcode))
        if data.count < 126 {
            frame.writeInteger(UInt8(0x80 | data.count))
        } else if data.count <= 0xFFFF {
            frame.writeInteger(UInt8(0x80 | 126))
            frame.writeInteger(UInt16(data.count))
        } else {
            frame.writeInteger(UInt8(0x80 | 127))
            frame.writeInteger(UInt64(data.count))
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame.writeBytes(mask)
        frame.writeBytes(data.enumerated().map { $0.element ^ mask[$0.offset & 3] })
        try await channel.writeAndFlush(frame)
    }

    /// Sends a close frame with `code`.
    public func close(code: UInt16 = 1000) async throws {
        closeSent = true
        var payload: [UInt8] = []
        payload.append(UInt8(code >> 8))
        payload.append(UInt8(code & 0xFF))
        try await send(opcode: .connectionClose, data: payload)
    }

    /// The next message; `nil` once the connection has closed. Pings are answered on the way.
    public func receive() async throws -> Message? {
        var fragments: [UInt8] = []
        var fragmentedOpcode: WebSocketOpcode?
        while true {
            guard let (fin, opcode, payload) = try await nextFrame() else { return nil }
            switch opcode {
            case .ping:
                try await send(opcode: .pong, data: payload)
            case .pong:
                return .pong(payload)
            case .connectionClose:
                let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
                // Answer the server's close (RFC 6455 §5.5.1) unless this was the answer to ours.
                if !closeSent { try? await close(code: UInt16(code ?? 1000)) }
                return .close(code: code, reason: String(decoding: payload.dropFirst(2), as: UTF8.self))
            case .continuation:
                guard let first = fragmentedOpcode else { throw ProtocolError(description: "continuation frame without a message") }
                fragments += payload
                if fin { return Self.message(first, fragments) }
            default:
                if fin { return Self.message(opcode, payload) }
                fragmentedOpcode = opcode
                fragments = payload
            }
        }
    }

    /// Closes the TCP connection.
    public func disconnect() async {
        try? await channel.close()
    }

    private static func message(_ opcode: WebSocketOpcode, _ payload: [UInt8]) -> Message {
        opcode == .text ? .text(String(decoding: payload, as: UTF8.self)) : .binary(payload)
    }

    private func nextFrame() async throws -> (Bool, WebSocketOpcode, [UInt8])? {
        while true {
            if let frame = try parseFrame() { return frame }
            guard var chunk = try await inbound.next() else { return nil }
            buffer.writeBuffer(&chunk)
        }
    }

    private func parseFrame() throws -> (Bool, WebSocketOpcode, [UInt8])? {
        var view = buffer
        guard let first = view.readInteger(as: UInt8.self), let second = view.readInteger(as: UInt8.self) else { return nil }
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let extended = view.readInteger(as: UInt16.self) else { return nil }
            length = Int(extended)
        } else if length == 127 {
            guard let extended = view.readInteger(as: UInt64.self) else { return nil }
            guard extended < 1 << 40 else { throw ProtocolError(description: "frame length \(extended) too large") }
            length = Int(extended)
        }
        var mask: [UInt8]?
        if second & 0x80 != 0 {
            guard let key = view.readBytes(length: 4) else { return nil }
            mask = key
        }
        guard var payload = view.readBytes(length: length) else { return nil }
        if let mask { payload = payload.enumerated().map { $0.element ^ mask[$0.offset & 3] } }
        buffer = view
        buffer.discardReadBytes()
        guard let opcode = WebSocketOpcode(encodedWebSocketOpcode: first & 0x0F) else {
            throw ProtocolError(description: "unknown opcode \(first & 0x0F)")
        }
        return (first & 0x80 != 0, opcode, payload)
    }
}

/// Hands the bytes a channel reads to an async stream.
private final class ByteCollector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let input: AsyncThrowingStream<ByteBuffer, any Error>.Continuation

    init(_ input: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) { self.input = input }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        input.yield(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        input.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        input.finish(throwing: error)
        context.close(promise: nil)
    }
}
