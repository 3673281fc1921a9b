import Foundation
import NIOCore

/// The protobuf wire format of the `athena.engine.v1` messages the gateway sends and receives on
/// its hot path, written and read directly from `ByteBuffer`s.
///
/// Why not the generated swift-protobuf types: building an `InferRequest` copies every map and
/// `Data` into the message's storage, then serialises it into `[UInt8]`, then gRPC copies that
/// again into a frame. Here the request is written once, straight after the 5-byte gRPC message
/// prefix, and a response is read straight into `EngineResponse`. The field numbers are those of
/// `proto/athena/engine/v1/engine.proto`; `EngineWireTests` checks both directions against the
/// generated code, so the two cannot drift apart silently.
enum EngineWire {
    // MARK: - Field numbers (engine.proto)

    enum InferRequestField {
        static let requestID = 1, serviceID = 2, params = 3, data = 4, headers = 5
    }

    enum GeneralDataField {
        static let dataID = 1, frameID = 2, dataType = 3, status = 4, descArgs = 5, data = 8
    }

    enum InferResponseField {
        static let code = 1, message = 2, data = 3, status = 4, requestID = 5
    }

    /// A response that does not follow the protobuf wire format.
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: - gRPC message framing

    /// A gRPC length-prefixed message (`0`, big-endian length, protobuf bytes) holding `request`.
    static func framedRequest(_ request: EngineRequest) -> ByteBuffer {
        framed(size: requestSize(request)) { writeRequest(request, into: &$0) }
    }

    /// A gRPC length-prefixed `grpc.health.v1.HealthCheckRequest` for `service`.
    static func framedHealthCheck(service: String) -> ByteBuffer {
        framed(size: service.isEmpty ? 0 : stringFieldSize(1, service)) { writer in
            if !service.isEmpty { writer.string(1, service) }
        }
    }

    /// A buffer holding the 5-byte gRPC message prefix for `size` protobuf bytes, then those bytes
    /// as `body` writes them into the region reserved for them.
    static func framed(size: Int, _ body: (inout Writer) -> Void) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size + 5)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(size))
        buffer.writeReserved(size) { bytes in
            var writer = Writer(out: bytes)
            body(&writer)
            bytes = writer.out
        }
        return buffer
    }

    /// The `status` of a `grpc.health.v1.HealthCheckResponse` (1 = SERVING).
    static func healthStatus(_ message: ByteBuffer) throws -> Int {
        var status = 0
        try message.withUnsafeReadableBytes { bytes in
            var reader = Reader(bytes: bytes)
            while let (field, wireType) = try reader.tag() {
                if field == 1 && wireType == 0 { status = Int(truncatingIfNeeded: try reader.varint()) } else { try reader.skip(wireType) }
            }
        }
        return status
    }

    // MARK: - InferRequest

    static func requestSize(_ request: EngineRequest) -> Int {
        var size = 0
        if !request.sid.isEmpty { size += stringFieldSize(InferRequestField.requestID, request.sid) }
        if !request.service.isEmpty { size += stringFieldSize(InferRequestField.serviceID, request.service) }
        for (key, value) in request.parameters { size += lengthFieldSize(InferRequestField.params, mapEntrySize(key, value)) }
        for item in request.items { size += lengthFieldSize(InferRequestField.data, itemSize(item)) }
        for (key, value) in request.headers { size += lengthFieldSize(InferRequestField.headers, mapEntrySize(key, value)) }
        return size
    }

    static func writeRequest(_ request: EngineRequest, into writer: inout Writer) {
        if !request.sid.isEmpty { writer.string(InferRequestField.requestID, request.sid) }
        if !request.service.isEmpty { writer.string(InferRequestField.serviceID, request.service) }
        for (key, value) in request.parameters { writer.mapEntry(InferRequestField.params, key, value) }
        for item in request.items {
            writer.tag(InferRequestField.data, 2)
            writer.varint(UInt64(itemSize(item)))
            writeItem(item, into: &writer)
        }
        for (key, value) in request.headers { writer.mapEntry(InferRequestField.headers, key, value) }
    }

    static func itemSize(_ item: EngineItem) -> Int {
        var size = 0
        if !item.dataID.isEmpty { size += stringFieldSize(GeneralDataField.dataID, item.dataID) }
        if item.frameID != 0 { size += 1 + varintSize(UInt64(item.frameID)) }
        if item.kind.rawValue != 0 { size += 1 + varintSize(UInt64(item.kind.rawValue)) }
        if item.status.rawValue != 0 { size += 1 + varintSize(UInt64(item.status.rawValue)) }
        for (key, value) in item.descArgs { size += lengthFieldSize(GeneralDataField.descArgs, mapEntrySize(key, value)) }
        if item.byteCount > 0 { size += lengthFieldSize(GeneralDataField.data, item.byteCount) }
        return size
    }

    static func writeItem(_ item: EngineItem, into writer: inout Writer) {
        if !item.dataID.isEmpty { writer.string(GeneralDataField.dataID, item.dataID) }
        if item.frameID != 0 {
            writer.tag(GeneralDataField.frameID, 0)
            writer.varint(UInt64(item.frameID))
        }
        if item.kind.rawValue != 0 {
            writer.tag(GeneralDataField.dataType, 0)
            writer.varint(UInt64(item.kind.rawValue))
        }
        if item.status.rawValue != 0 {
            writer.tag(GeneralDataField.status, 0)
            writer.varint(UInt64(item.status.rawValue))
        }
        for (key, value) in item.descArgs { writer.mapEntry(GeneralDataField.descArgs, key, value) }
        let count = item.byteCount
        if count > 0 {
            writer.tag(GeneralDataField.data, 2)
            writer.varint(UInt64(count))
            item.withUnsafeBytes { writer.bytes($0) }
        }
    }

    // MARK: - InferBatchRequest / InferBatchResponse

    /// A gRPC length-prefixed `InferBatchRequest`: each request as field 1, in order.
    static func framedBatchRequest(_ requests: [EngineRequest]) -> ByteBuffer {
        let sizes = requests.map(requestSize)
        return framed(size: sizes.reduce(0) { $0 + lengthFieldSize(1, $1) }) { writer in
            for (request, requestSize) in zip(requests, sizes) {
                writer.tag(1, 2)
                writer.varint(UInt64(requestSize))
                writeRequest(request, into: &writer)
            }
        }
    }

    /// Reads an `InferBatchResponse`: its responses, in order.
    static func decodeBatchResponse(_ message: ByteBuffer) throws -> [EngineResponse] {
        try message.withUnsafeReadableBytes { bytes in
            var reader = Reader(bytes: bytes)
            var responses: [EngineResponse] = []
            while let (field, wireType) = try reader.tag() {
                if field == 1 && wireType == 2 {
                    responses.append(try decodeResponse(bytes: try reader.lengthDelimited()))
                } else {
                    try reader.skip(wireType)
                }
            }
            return responses
        }
    }

    // MARK: - InferResponse

    /// Reads an `InferResponse` (the protobuf bytes, without the gRPC prefix).
    static func decodeResponse(_ message: ByteBuffer) throws -> EngineResponse {
        try message.withUnsafeReadableBytes { try decodeResponse(bytes: $0) }
    }

    static func decodeResponse(bytes: UnsafeRawBufferPointer) throws -> EngineResponse {
        var reader = Reader(bytes: bytes)
        var code = 0
        var text = ""
        var items: [EngineItem] = []
        // proto3 never sends 0 (BEGIN), which no response means: absent is read as a once answer.
        var status = EngineItem.Status.once
        while let (field, wireType) = try reader.tag() {
            switch (field, wireType) {
            case (InferResponseField.status, 0):
                status = EngineItem.Status(rawValue: Int(truncatingIfNeeded: try reader.varint())) ?? .once
            case (InferResponseField.code, 0):
                code = Int(Int32(truncatingIfNeeded: try reader.varint()))
            case (InferResponseField.message, 2):
                text = try reader.string()
            case (InferResponseField.data, 2):
                var sub = Reader(bytes: try reader.lengthDelimited())
                items.append(try decodeItem(&sub))
            default:
                try reader.skip(wireType)
            }
        }
        return EngineResponse(code: code, message: text.isEmpty && code == 0 ? "success" : text, items: items, status: status)
    }

    static func decodeItem(_ reader: inout Reader) throws -> EngineItem {
        var item = EngineItem(dataID: "", kind: .text, status: .begin, data: Data())
        while let (field, wireType) = try reader.tag() {
            switch (field, wireType) {
            case (GeneralDataField.dataID, 2): item.dataID = try reader.string()
            case (GeneralDataField.frameID, 0): item.frameID = UInt32(truncatingIfNeeded: try reader.varint())
            case (GeneralDataField.dataType, 0): item.kind = EngineItem.Kind(rawValue: Int(truncatingIfNeeded: try reader.varint())) ?? .text
            case (GeneralDataField.status, 0): item.status = EngineItem.Status(rawValue: Int(truncatingIfNeeded: try reader.varint())) ?? .once
            case (GeneralDataField.descArgs, 2):
                var entry = Reader(bytes: try reader.lengthDelimited())
                var key = "", value = ""
                while let (f, w) = try entry.tag() {
                    switch (f, w) {
                    case (1, 2): key = try entry.string()
                    case (2, 2): value = try entry.string()
                    default: try entry.skip(w)
                    }
                }
                item.descArgs[key] = value
            case (GeneralDataField.data, 2): item.data = Data(try reader.lengthDelimited())
            default: try reader.skip(wireType)
            }
        }
        return item
    }

    // MARK: - Primitives

    static func varintSize(_ value: UInt64) -> Int {
        var value = value
        var size = 1
        while value >= 0x80 { value >>= 7; size += 1 }
        return size
    }

    static func lengthFieldSize(_ field: Int, _ length: Int) -> Int {
        varintSize(UInt64(field << 3)) + varintSize(UInt64(length)) + length
    }

    static func stringFieldSize(_ field: Int, _ text: String) -> Int {
        lengthFieldSize(field, text.utf8.count)
    }

    static func mapEntrySize(_ key: String, _ value: String) -> Int {
        stringFieldSize(1, key) + stringFieldSize(2, value)
    }

    /// Writes protobuf fields into the region reserved for a message whose size was computed
    /// first (`requestSize`, `itemSize`…), through ``ReservedBytes``: plain stores and copies,
    /// where a `ByteBuffer` write checks and grows its capacity for every byte of every varint.
    struct Writer {
        var out: ReservedBytes

        mutating func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                out.putByte(UInt8(truncatingIfNeeded: value) | 0x80)
                value >>= 7
            }
            out.putByte(UInt8(value))
        }

        mutating func tag(_ field: Int, _ wireType: Int) {
            varint(UInt64(field << 3 | wireType))
        }

        mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
            out.put(bytes)
        }

        mutating func string(_ field: Int, _ text: String) {
            tag(field, 2)
            varint(UInt64(text.utf8.count))
            out.put(text)
        }

        mutating func mapEntry(_ field: Int, _ key: String, _ value: String) {
            tag(field, 2)
            varint(UInt64(mapEntrySize(key, value)))
            string(1, key)
            string(2, value)
        }
    }

    /// A cursor over protobuf bytes; every read is bounds-checked.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        /// The next field number and wire type, or nil at the end.
        mutating func tag() throws -> (Int, Int)? {
            guard index < bytes.count else { return nil }
            let key = try varint()
            let field = Int(truncatingIfNeeded: key >> 3)
            guard field > 0 else { throw DecodeError(description: "field number 0 at byte \(index)") }
            return (field, Int(key & 7))
        }

        mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7f) << shift
                if byte < 0x80 { return result }
                shift += 7
                if shift >= 70 { break }
            }
            throw DecodeError(description: "truncated or overlong varint at byte \(index)")
        }

        mutating func lengthDelimited() throws -> UnsafeRawBufferPointer {
            let length = try varint()
            guard length <= UInt64(bytes.count - index) else { throw DecodeError(description: "field length \(length) past the end at byte \(index)") }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + Int(length))])
            index += Int(length)
            return slice
        }

        mutating func string() throws -> String {
            String(decoding: try lengthDelimited(), as: UTF8.self)
        }

        mutating func skip(_ wireType: Int) throws {
            switch wireType {
            case 0: _ = try varint()
            case 1: try advance(8)
            case 2: _ = try lengthDelimited()
            case 5: try advance(4)
            default: throw DecodeError(description: "unsupported wire type \(wireType) at byte \(index)")
            }
        }

        private mutating func advance(_ count: Int) throws {
            guard count <= bytes.count - index else { throw DecodeError(description: "truncated field at byte \(index)") }
            index += count
        }
    }
}
