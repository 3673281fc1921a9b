#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import Synchronization

/// The access log: one logfmt line per request (time, method, path, status, code, sid, service,
/// version, ms, bytes in/out — never payloads, parameters or headers), written to stderr in
/// batches: every 100 ms, or at once when 64 KiB are waiting.
///
/// Why not swift-log per line: its stream handler formats a timestamp and a metadata dictionary
/// and makes one unbuffered `write` per line — 14 µs of CPU per request on the benchmark
/// machine, half again the cost of the whole pass-through hop.
final class AccessLog: Sendable {
    static let flushBytes = 64 * 1024

    private let pending = Mutex<[UInt8]>([])
    private let clock = Mutex<(second: Int, text: [UInt8])>((-1, []))
    private let fd: Int32
    private let flusher = Mutex<RepeatedTask?>(nil)

    init(fd: Int32 = 2) {
        self.fd = fd
    }

    deinit {
        flusher.withLock { $0?.cancel() }
    }

    /// Appends the line of one finished request.
    func record(_ request: GatewayHTTPRequest, _ response: GatewayHTTPResponse, nanoseconds: Int64) {
        var line: [UInt8] = []
        line.reserveCapacity(200 + request.path.utf8.count)
        appendTimestamp(&line)
        line += " info request method=".utf8
        Self.appendSafe(request.method, to: &line)
        Self.appendOutcome(
            path: request.path, status: response.status.code, code: response.code ?? 0, sid: response.sid,
            service: response.service ?? "-", version: response.version ?? "-", nanoseconds: nanoseconds, to: &line)
        line += " bytes_in=".utf8
        line += String(request.body.readableBytes).utf8
        line += " bytes_out=".utf8
        line += String(response.body.readableBytes).utf8
        line.append(10)
        append(line)
    }

    /// What the access log says about one finished stream (WebSocket session, SSE answer).
    struct SessionRecord {
        var transport: String
        var path: String
        /// HTTP-style outcome: 200, an error's status, 499 when the client left first.
        var status: Int
        var code: Int
        var sid: String
        var service: String
        var version: String
        var nanoseconds: Int64
        /// Client messages received and results sent.
        var messagesIn: Int
        var resultsOut: Int
    }

    /// Appends the line of one finished stream: `info session transport=websocket path=… status=…
    /// code=… sid=… service=… version=… ms=… messages_in=… results_out=…`.
    func record(_ session: SessionRecord) {
        var line: [UInt8] = []
        line.reserveCapacity(220 + session.path.utf8.count)
        appendTimestamp(&line)
        line += " info session transport=".utf8
        Self.appendSafe(session.transport, to: &line)
        Self.appendOutcome(
            path: session.path, status: session.status, code: session.code, sid: session.sid,
            service: session.service, version: session.version, nanoseconds: session.nanoseconds, to: &line)
        line += " messages_in=".utf8
        line += String(session.messagesIn).utf8
        line += " results_out=".utf8
        line += String(session.resultsOut).utf8
        line.append(10)
        append(line)
    }

    /// The fields request and session lines share: ` path=… status=… code=… sid=… service=…
    /// version=… ms=…`.
    private static func appendOutcome(
        path: String, status: Int, code: Int, sid: String, service: String, version: String, nanoseconds: Int64,
        to line: inout [UInt8]
    ) {
        line += " path=".utf8
        appendSafe(path, to: &line)
        line += " status=".utf8
        line += String(status).utf8
        line += " code=".utf8
        line += String(code).utf8
        line += " sid=".utf8
        appendSafe(sid, to: &line)
        line += " service=".utf8
        appendSafe(service, to: &line)
        line += " version=".utf8
        appendSafe(version, to: &line)
        line += " ms=".utf8
        line += String(nanoseconds / 1_000_000).utf8
    }

    /// Queues a finished line; writes the batch once it is large enough.
    private func append(_ line: [UInt8]) {
        let full: [UInt8]? = pending.withLock { pending in
            pending += line
            guard pending.count >= Self.flushBytes else { return nil }
            defer { pending = [] }
            return pending
        }
        if let full { write(full) } else { startFlusherIfNeeded() }
    }

    /// Writes whatever is waiting.
    func flush() {
        let bytes = pending.withLock { pending -> [UInt8] in
            defer { pending = [] }
            return pending
        }
        if !bytes.isEmpty { write(bytes) }
    }

    // MARK: - Pieces

    private func startFlusherIfNeeded() {
        flusher.withLock { task in
            guard task == nil else { return }
            task = MultiThreadedEventLoopGroup.singleton.next().scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { [weak self] _ in
                self?.flush()
            }
        }
    }

    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // stderr closed or full: drop the batch rather than block requests
                }
            }
        }
    }

    /// `2026-11-22T02:29:52.123Z`, the part up to the second formatted once per second.
    private func appendTimestamp(_ line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let second = now.tv_sec
        let prefix: [UInt8] = clock.withLock { cached in
            if cached.second == second { return cached.text }
            var t = time_t(second)
            var parts = tm()
            gmtime_r(&t, &parts)
            func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
            let text = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
            cached = (second, Array(text.utf8))
            return cached.text
        }
        line += prefix
        let millis = Int(now.tv_nsec) / 1_000_000
        line.append(46)
        line.append(UInt8(48 + millis / 100))
        line.append(UInt8(48 + (millis / 10) % 10))
        line.append(UInt8(48 + millis % 10))
        line.append(90)
    }

    /// Client-controlled text (path, sid): spaces, quotes and control characters become `_` so a
    /// line cannot be split or forged.
    private static func appendSafe(_ text: String, to line: inout [UInt8]) {
        for byte in text.utf8 {
            line.append(byte <= 32 || byte == 34 || byte == 127 ? 95 : byte)
        }
    }
}
