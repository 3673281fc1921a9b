import AthenaGateway
import AsyncHTTPClient
import Foundation
import NIOCore

/// `athena call --ws` and `athena call --sse`: the gateway's streaming front-ends from the
/// command line. Results are printed as they arrive, one after the other.
enum StreamingCall {
    /// The payload fields that carry base64 data.
    static let dataFields = ["text", "image", "audio", "video"]

    /// The WebSocket messages of a request: with `chunkBytes`, every payload item's data cut into
    /// pieces of that size, message `i` carrying the `i`-th piece of each item — status 0 on the
    /// first message, 1 in between, 2 on the last (AIGES audio streaming, for instance); without,
    /// one message of once frames (status 3: the whole input at once, which an engine without
    /// sessions answers too). `parameter` and `header` travel on the first message only.
    static func messages(_ body: [String: Any], chunkBytes: Int?) throws -> [Data] {
        let payload = body["payload"] as? [String: Any] ?? [:]
        var pieces: [String: (field: String, chunks: [Data], item: [String: Any])] = [:]
        var count = 1
        for (id, value) in payload {
            guard let item = value as? [String: Any], let field = dataFields.first(where: { item[$0] is String }),
                  let data = Data(base64Encoded: item[field] as! String) else { continue }
            var chunks: [Data] = []
            if let size = chunkBytes, size > 0, data.count > size {
                var start = 0
                while start < data.count {
                    chunks.append(data.subdata(in: start..<min(start + size, data.count)))
                    start += size
                }
            } else {
                chunks = [data]
            }
            pieces[id] = (field, chunks, item)
            count = max(count, chunks.count)
        }
        var messages: [Data] = []
        for index in 0..<count {
            let status = count == 1 ? 3 : index == 0 ? 0 : index == count - 1 ? 2 : 1
            var items: [String: Any] = [:]
            for (id, piece) in pieces {
                // An item with fewer pieces than the longest sends its last one with the last message.
                let chunk: Data?
                if index < piece.chunks.count - 1 { chunk = piece.chunks[index] }
                else if index == count - 1 { chunk = piece.chunks[piece.chunks.count - 1] }
                else { chunk = nil }
                guard let chunk else { continue }
                var item = piece.item
                item[piece.field] = chunk.base64EncodedString()
                item["status"] = status
                items[id] = item
            }
            var message: [String: Any] = ["payload": items]
            var header = index == 0 ? (body["header"] as? [String: Any] ?? [:]) : [:]
            header["status"] = status
            message["header"] = header
            if index == 0, let parameter = body["parameter"] { message["parameter"] = parameter }
            messages.append(try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys, .withoutEscapingSlashes]))
        }
        return messages
    }

    /// Runs a WebSocket session: sends the messages, prints every result until the gateway
    /// closes. Returns whether every result succeeded.
    static func webSocket(
        endpoint: String, messages: [Data], headers: [(name: String, value: String)], timeout: Int, printer: ASEResponsePrinter
    ) async throws -> Bool {
        guard let url = URLComponents(string: endpoint), let host = url.host else { throw CLIError("'\(endpoint)' is not a URL", exitCode: 2) }
        guard url.scheme?.lowercased() == "http" else {
            throw CLIError("--ws speaks plain ws:// only: call the gateway's http:// address (a port-forward, the NodePort)", exitCode: 2)
        }
        let path = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath
        let ws: WebSocketClient
        do {
            ws = try await WebSocketClient.connect(host: host, port: url.port ?? 80, path: path, headers: headers)
        } catch let refused as WebSocketClient.HandshakeRefused {
            _ = try printer.render(status: refused.status, body: Data(refused.body.utf8))
            return false
        } catch {
            throw CLIError("cannot open a WebSocket to \(endpoint): \(error)")
        }
        let receiver = Task {
            var ok = true
            while let message = try await ws.receive() {
                switch message {
                case .text(let json): ok = show(Data(json.utf8), printer: printer) && ok
                case .binary(let bytes): ok = show(Data(bytes), printer: printer) && ok
                case .close: return ok
                case .pong: continue
                }
            }
            return ok
        }
        // A session the gateway ends early (an error) closes the socket: later sends fail, and
        // the receiver has the error to report.
        for message in messages {
            do { try await ws.send(opcode: .text, data: Array(message)) } catch { break }
        }
        let result = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await receiver.value }
            group.addTask {
                try await Task.sleep(for: .seconds(max(1, timeout)))
                throw CLIError("no end of the session within \(timeout) s")
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        receiver.cancel()
        await ws.disconnect()
        return result
    }

    /// POSTs with `Accept: text/event-stream` and prints every `data:` event as it arrives.
    /// Returns whether every result succeeded.
    static func serverSentEvents(
        endpoint: String, body: Data, headers: [(name: String, value: String)], timeout: Int, printer: ASEResponsePrinter
    ) async throws -> Bool {
        let request = CallCommand.jsonPost(endpoint, body: body, accept: "text/event-stream", headers: headers)
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(max(1, timeout))))
        } catch {
            throw CLIError("cannot reach \(endpoint): \(error)")
        }
        let type = response.headers.first(name: "content-type") ?? ""
        guard type.hasPrefix("text/event-stream") else {
            // Refused before the stream (or a server without SSE): the plain answer.
            let whole = try await response.body.collect(upTo: 64 << 20)
            return show(Data(whole.readableBytesView), status: Int(response.status.code), printer: printer)
        }
        var ok = true
        var pending = Data()
        for try await chunk in response.body {
            pending.append(contentsOf: chunk.readableBytesView)
            while let end = pending.firstRange(of: Data("\n\n".utf8)) {
                let event = pending.subdata(in: pending.startIndex..<end.lowerBound)
                pending.removeSubrange(pending.startIndex..<end.upperBound)
                for line in event.split(separator: UInt8(ascii: "\n")) where line.starts(with: Array("data: ".utf8)) {
                    ok = show(Data(line.dropFirst(6)), printer: printer) && ok
                }
            }
        }
        return ok
    }

    /// Prints one result (an error on stderr); the session's closing marker (no payload) is not
    /// printed. Returns whether it succeeded.
    private static func show(_ json: Data, status: Int = 200, printer: ASEResponsePrinter) -> Bool {
        if status == 200, let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
           (object["header"] as? [String: Any])?["code"] as? Int == 0, (object["payload"] as? [String: Any])?.isEmpty ?? true {
            return true
        }
        do {
            print(try printer.render(status: status, body: json))
            return true
        } catch {
            FileHandle.standardError.write(Data("athena: \(error)\n".utf8))
            return false
        }
    }
}
