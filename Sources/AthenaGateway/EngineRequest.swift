public import Foundation
import NIOCore

/// One data frame between gateway and engine: the ase-proto `GeneralData` shape, raw bytes (no
/// base64 on this hop).
public struct EngineItem: Sendable, Hashable {
    /// Where an item's bytes live: `Data` (decoded base64, multipart parts, engine protocol
    /// answers) or the `ByteBuffer` they arrived in. A pass-through body (ModelArts JSON to an
    /// HTTP engine and its answer back) stays a slice of the socket's buffer end to end: no
    /// copy into `Data` and back, four allocations fewer per request.
    enum Bytes: Sendable {
        case data(Data)
        case buffer(ByteBuffer)
    }

    /// Kind of data; a hint for the engine, mirrors `GeneralData.DataType`.
    public enum Kind: Int, Sendable, Hashable, CaseIterable {
        case text = 0, audio = 1, image = 2, video = 3

        /// The ASE JSON field carrying this kind's base64 data.
        public var fieldName: String {
            switch self {
            case .text: "text"
            case .audio: "audio"
            case .image: "image"
            case .video: "video"
            }
        }

        /// The kind whose ASE field is `name`, if any.
        public init?(fieldName name: String) {
            switch name {
            case "text": self = .text
            case "audio": self = .audio
            case "image": self = .image
            case "video": self = .video
            default: return nil
            }
        }
    }

    /// 0 begin, 1 continue, 2 end, 3 once (a whole request in one frame).
    public enum Status: Int, Sendable, Hashable {
        case begin = 0, `continue` = 1, end = 2, once = 3

        /// The last frame of its input: an end frame, or a once frame (first and last at once).
        public var isFinal: Bool { self == .end || self == .once }
    }

    /// Whether these frames end the client's input (a final frame among them).
    static func endInput(_ items: [EngineItem]) -> Bool {
        items.contains { $0.status.isFinal }
    }

    public var dataID: String
    public var frameID: UInt32
    public var kind: Kind
    public var status: Status
    /// Descriptors: encoding, compress, format, sample_rate, content-type, filename…
    public var descArgs: [String: String]

    /// `content-type: application/json`, shared (a literal would allocate a dictionary per request).
    static let jsonDescArgs: [String: String] = ["content-type": "application/json"]
    var bytes: Bytes

    /// The bytes as `Data` (a copy when they are held in a `ByteBuffer`: hot paths use
    /// ``byteCount``, ``withUnsafeBytes(_:)``, ``write(into:)`` and ``byteBuffer`` instead).
    public var data: Data {
        get {
            switch bytes {
            case .data(let data): data
            case .buffer(let buffer): buffer.data
            }
        }
        set { bytes = .data(newValue) }
    }

    public init(
        dataID: String, frameID: UInt32 = 0, kind: Kind = .text, status: Status = .once,
        descArgs: [String: String] = [:], data: Data
    ) {
        self.init(dataID: dataID, frameID: frameID, kind: kind, status: status, descArgs: descArgs, bytes: .data(data))
    }

    init(
        dataID: String, frameID: UInt32 = 0, kind: Kind = .text, status: Status = .once,
        descArgs: [String: String] = [:], bytes: Bytes
    ) {
        self.dataID = dataID
        self.frameID = frameID
        self.kind = kind
        self.status = status
        self.descArgs = descArgs
        self.bytes = bytes
    }

    /// How many bytes the item carries.
    var byteCount: Int {
        switch bytes {
        case .data(let data): data.count
        case .buffer(let buffer): buffer.readableBytes
        }
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch bytes {
        case .data(let data): try data.withUnsafeBytes(body)
        case .buffer(let buffer): try buffer.withUnsafeReadableBytes(body)
        }
    }

    /// Appends the bytes to `buffer`.
    func write(into buffer: inout ByteBuffer) {
        switch bytes {
        case .data(let data): buffer.writeBytes(data)
        case .buffer(var bytes): buffer.writeBuffer(&bytes)
        }
    }

    /// The bytes as a `ByteBuffer` (the same one, no copy, when they arrived in one).
    var byteBuffer: ByteBuffer {
        switch bytes {
        case .data(let data):
            var buffer = ByteBufferAllocator().buffer(capacity: data.count)
            buffer.writeBytes(data)
            return buffer
        case .buffer(let buffer): return buffer
        }
    }

    public static func == (a: EngineItem, b: EngineItem) -> Bool {
        a.dataID == b.dataID && a.frameID == b.frameID && a.kind == b.kind && a.status == b.status
            && a.descArgs == b.descArgs
            && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dataID)
        hasher.combine(frameID)
        hasher.combine(kind)
        hasher.combine(status)
        hasher.combine(descArgs)
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// A once request as the engine sees it, whatever protocol the client spoke.
public struct EngineRequest: Sendable, Hashable {
    /// Session/request id echoed to the client as `header.sid`.
    public var sid: String
    /// The service (URL name) the request was sent to.
    public var service: String
    /// Flattened engine parameters (ASE `parameter` members, strings as is, other values as JSON).
    public var parameters: [String: String]
    /// Selected request headers (ASE `header` fields such as app_id, uid; injected rule headers).
    public var headers: [String: String]
    /// The headers a matching routing rule added (`setHeaders`; also in `headers`). A plain HTTP
    /// engine gets these as HTTP headers whatever their names; of the client's, only `x-` ones.
    public var ruleHeaders: [String: String] = [:]
    public var items: [EngineItem]

    /// Adds a routing rule's headers (`setHeaders`): over the client's of the same name — they
    /// are the service owner's configuration, not something a caller may override.
    mutating func addRuleHeaders(_ ruleHeaders: [String: String]) {
        guard !ruleHeaders.isEmpty else { return }
        headers.merge(ruleHeaders) { _, rule in rule }
        self.ruleHeaders = ruleHeaders
    }

    public init(sid: String, service: String, parameters: [String: String] = [:], headers: [String: String] = [:], items: [EngineItem]) {
        self.sid = sid
        self.service = service
        self.parameters = parameters
        self.headers = headers
        self.items = items
    }
}

/// What an engine answered to a once request, or one result of a session. `code != 0` is an
/// error reported by the wrapper.
public struct EngineResponse: Sendable, Hashable {
    public var code: Int
    public var message: String
    public var items: [EngineItem]
    /// Where a session stands after this result (`continue`, or `end` for its last); `once` for
    /// the answer to a once request.
    public var status: EngineItem.Status

    public init(code: Int = 0, message: String = "success", items: [EngineItem], status: EngineItem.Status = .once) {
        self.code = code
        self.message = message
        self.items = items
        self.status = status
    }
}

/// Why an engine call failed, in the terms load balancing cares about.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The request never reached an engine (connect refused, no route): safe to retry elsewhere.
        case unreachable
        /// The connection failed after the request was sent: not retried (the engine may have run it).
        case transport
        /// The deadline passed.
        case timeout
        /// The engine answered something that is not a valid response.
        case badResponse
        /// The engine does not support the operation (e.g. sessions).
        case unsupported
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind): \(message)" }
}
